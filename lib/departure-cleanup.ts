/**
 * A custom resource that runs a provider departure in the account it is deployed to, with an IAM policy
 * that can only change what carries one of the configured prefixes.
 */
import { CfnCondition, CfnResource, CustomResource, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleHandler } from './handler-bundle';
import { MANAGED_POLICY_CHARACTERS, policyCharacters, ROLE_INLINE_POLICY_CHARACTERS } from './iam-quota';
import { ConfigError, DEFAULT_CONFIG, resolveConfig } from '../lambda/engine/config';
import { expandTemplate, mergePermissions, pathGuards, type Permission, type PermissionFeature } from '../lambda/engine/permissions';
import { PROTECTION_RULES } from '../lambda/protections/builtin';
import { FUNCTION_PERMISSIONS } from '../lambda/permissions';

const DEFAULT_OIDC_FRAGMENTS = DEFAULT_CONFIG.oidcUrlFragments;

/** Configuration of one departure. String values may be CloudFormation parameter tokens. */
export interface DepartureCleanupProps {
  /**
   * Name prefixes of the provider's resources. Fixed at synth time because the Lambda's IAM policy is
   * written from them: the function can change nothing whose name does not start with one of them.
   */
  readonly prefixes: readonly string[];
  /**
   * `plan` reports what would change; `apply` changes it.
   * @default "plan"
   */
  readonly mode?: string;
  /**
   * Keep the CAM provider policies and the principals using them (`"true"` or `"false"`).
   * @default "true"
   */
  readonly keepCamProvider?: string;
  /**
   * Comma-separated CAM provider policy names.
   * @default "CTLCAMPolicy"
   */
  readonly camPolicyNames?: string;
  /**
   * Comma-separated tag keys removed from what is kept.
   * @default "Optimization"
   */
  readonly removeTagKeys?: string;
  /**
   * Comma-separated names that are never touched.
   * @default ""
   */
  readonly exclude?: string;
  /**
   * Comma-separated provider account ids; roles trusting them are flagged.
   * @default "589942003651"
   */
  readonly providerAccountIds?: string;
  /**
   * URL fragments of the provider's OIDC providers. Fixed at synth time, like `prefixes`: the function may only
   * delete OIDC providers whose issuer URL contains one.
   * @default ["ctl.io", "centurylink", "lumen.com"]
   */
  readonly oidcUrlFragments?: readonly string[];
  /**
   * Entries of `prefixes` and `oidcUrlFragments` accepted although they are too broad (the engine's
   * `allowBroadPrefixes` and `allowBroadOidcUrlFragments`), each named exactly.
   * @default [] (a too-broad prefix or fragment is refused)
   */
  readonly allowBroadPrefixes?: readonly string[];
  /** @default [] */
  readonly allowBroadOidcUrlFragments?: readonly string[];
  /**
   * How long the engine may run. CloudFormation gets a FAILED answer shortly before this runs out, and
   * stops waiting a minute after it (the custom resource's service timeout).
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * How long the engine's logs, which hold the full report, are kept. They are retained when the stack goes.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The provider's buckets; `{accountId}` stands for the account's id. Fixed at synth time: the function's S3
   * permissions are written for these buckets only.
   * @default ["config-bucket-{accountId}", "ctlaudit-{accountId}"]
   */
  readonly bucketNames?: readonly string[];
  /**
   * `keep`, `archive`, `copy` or `delete` (see the engine's `buckets.mode`).
   * @default "keep"
   */
  readonly bucketMode?: string;
  /**
   * The bucket `copy` writes to, and where `delete` verifies a copy. Ignored when `createArchiveBucket` is set.
   * @default "" (none)
   */
  readonly archiveBucket?: string;
  /**
   * Create the archive bucket in this stack: versioned, encrypted, public access blocked, SSL only, and kept when
   * the stack is deleted.
   * @default false
   */
  readonly createArchiveBucket?: boolean;
  /** @default "DEEP_ARCHIVE" */
  readonly storageClass?: string;
  /** @default "0" */
  readonly transitionDays?: string;
  /** @default "false" */
  readonly deleteWithoutArchive?: string;
  /**
   * The role S3 Batch Operations assumes to copy a bucket too large for one run; the function may pass only it.
   * @default "" (none: such a bucket's copy fails, saying so)
   */
  readonly batchRoleArn?: string;
  /**
   * A bucket (the rollout's, in the management account) that receives the full report as
   * `reports/<accountId>.json`; the function may write only that key there.
   * @default "" (the report stays in the log group)
   */
  readonly reportBucket?: string;
  /**
   * The permissions the function's policy is built from. Only tests set this (to prove that a missing one is caught).
   * @default every permission the function declares (`FUNCTION_PERMISSIONS`)
   */
  readonly permissions?: readonly Permission[];
}

/** The IAM path of the function's role: the rollout's reports bucket lets only roles under it write. */
export const CLEANUP_ROLE_PATH = '/ctl-departure/';

/** What the engine never touches, as IAM patterns, from the engine's own protection table. */
const PROTECTED_PATTERNS = PROTECTION_RULES.flatMap((rule) => rule.iamPatterns ?? []);

export class DepartureCleanup extends Construct {
  /** The Lambda that runs the engine. */
  readonly handler: lambda.Function;
  /** The custom resource; its attributes are the report's counts (see `responseData` in the handler). */
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DepartureCleanupProps) {
    super(scope, id);
    if (props.prefixes.length === 0) throw new Error("DepartureCleanup: 'prefixes' must name at least one prefix, such as ['CTL']");
    const allowBroad = { allowBroadPrefixes: props.allowBroadPrefixes ?? [], allowBroadOidcUrlFragments: props.allowBroadOidcUrlFragments ?? [] };
    // The function's policy is written from these: checked as the engine checks them (too broad, not a literal).
    resolveConfig({ prefixes: props.prefixes, oidcUrlFragments: props.oidcUrlFragments ?? DEFAULT_OIDC_FRAGMENTS, ...allowBroad });
    const timeout = props.timeout ?? Duration.minutes(10);
    if (timeout.toSeconds() < 60 || timeout.toSeconds() > 900) {
      throw new Error(`DepartureCleanup: 'timeout' must be between 1 and 15 minutes, not ${timeout.toHumanString()}`);
    }
    const bundle = bundleHandler();

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      // A path of its own: the rollout's reports bucket lets only roles under it write, and reviewers find it.
      path: CLEANUP_ROLE_PATH,
      description: 'Runs the provider departure: reads IAM, changes only what carries a provider prefix.',
    });
    // One inline policy of our own for everything always granted: a role's default policy would be split into
    // managed "overflow" policies by the CDK's size estimate, which the function would not wait for. Its real size
    // is checked against IAM's quota below.
    const enginePolicy = new iam.Policy(this, 'Policy', { roles: [role] });
    enginePolicy.addStatements(new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));

    const archive = props.createArchiveBucket ? this.createArchiveBucket() : undefined;
    const archiveBucket = archive?.bucketName ?? props.archiveBucket ?? '';
    const batchRoleArn = props.batchRoleArn ?? '';
    const reportBucket = props.reportBucket ?? '';
    const permissions = new PermissionWriter({
      prefixes: props.prefixes,
      bucketNames: (props.bucketNames ?? DEFAULT_CONFIG.buckets.names).map((name) => name.replace('{accountId}', '${AWS::AccountId}')),
      oidcUrlFragments: props.oidcUrlFragments ?? DEFAULT_OIDC_FRAGMENTS,
      archiveBucket,
      // Only a role of this account, whatever account the parameter names: the ARN is rebuilt around the name.
      batchRoleArn: Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}', { Name: roleNameOf(batchRoleArn) }),
      reportBucket,
    }, this);
    const declared = props.permissions ?? FUNCTION_PERMISSIONS;
    const always = declared.filter((permission) => permission.feature === undefined);
    const wildcards = new WildcardLedger();
    for (const statement of permissions.statements(mergePermissions(always))) {
      enginePolicy.addStatements(statement.statement);
      wildcards.note(statement.statement.resources, statement.reason);
    }
    // What the function may never do, whatever the allows say: a managed policy of its own (IAM counts it apart from
    // the inline policies' 10,240 characters).
    const guardrails = new iam.ManagedPolicy(this, 'Guardrails', {
      roles: [role],
      description: 'ctl-departure: what the cleanup function may never change (protected roles, provider-like paths, itself).',
      statements: permissions.statements(pathGuards(declared).map((guard) => ({ ...guard, deny: true }))).map((written) => written.statement),
    });
    guardrails.addStatements(
      new iam.PolicyStatement({
        sid: 'NeverTouchProtectedRoles',
        effect: iam.Effect.DENY,
        notActions: ['iam:Get*', 'iam:List*'],
        // Any partition and account: a Deny may be broader, and needs no Fn::Sub.
        resources: PROTECTED_PATTERNS.map((pattern) => `arn:*:iam::*:${pattern}`),
      }),
    );

    // Optional features: each feature's permissions in a policy of its own that a condition leaves out when the
    // feature is off, so no malformed ARN ever reaches IAM. The stack never deletes automation (flag only).
    const hasArchive = archive ? undefined : new CfnCondition(this, 'HasArchiveBucket', { expression: Fn.conditionNot(Fn.conditionEquals(archiveBucket, '')) });
    const hasBatchRole = new CfnCondition(this, 'HasBatchRole', {
      expression: Fn.conditionAnd(Fn.conditionNot(Fn.conditionEquals(batchRoleArn, '')), ...(hasArchive ? [hasArchive] : [])),
    });
    const hasReportBucket = new CfnCondition(this, 'HasReportBucket', { expression: Fn.conditionNot(Fn.conditionEquals(reportBucket, '')) });
    const featurePolicies = [
      this.featurePolicy(role, permissions, declared, 'archiveBucket', 'ArchivePolicy', hasArchive),
      this.featurePolicy(role, permissions, declared, 'batchRole', 'BatchPolicy', hasBatchRole),
      this.featurePolicy(role, permissions, declared, 'reportBucket', 'ReportPolicy', hasReportBucket),
    ];

    this.handler = new lambda.Function(this, 'Handler', {
      description: 'ctl-departure engine: removes the provider from this account (plan unless Mode=apply).',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(bundle.code),
      role,
      timeout,
      memorySize: 512,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' },
    });
    // The function already references its role (GetAtt); an explicit DependsOn on it is redundant (cfn-lint W3005).
    // It must still wait for the role's policy, which it does not reference.
    (this.handler.node.defaultChild as CfnResource).addOverride('DependsOn', [enginePolicy, guardrails].map((policy) => (policy.node.defaultChild as CfnResource).logicalId));
    // The function's own role must never be a candidate, even if its generated name starts with a prefix.
    guardrails.addStatements(
      new iam.PolicyStatement({ sid: 'NeverDeleteOwnRole', effect: iam.Effect.DENY, actions: ['iam:Delete*', 'iam:Detach*', 'iam:Untag*'], resources: [role.roleArn] }),
    );
    wildcards.acknowledge(enginePolicy);

    const characters = [enginePolicy.document, ...featurePolicies.map(({ policy }) => (policy as iam.CfnPolicy).policyDocument)]
      .map((document) => policyCharacters(Stack.of(this).resolve(document)))
      .reduce((sum, size) => sum + size, 0);
    const guardrailCharacters = policyCharacters(Stack.of(this).resolve(guardrails.document));
    if (guardrailCharacters > MANAGED_POLICY_CHARACTERS) {
      throw new ConfigError(
        'prefixes',
        `the function's guardrail policy would be up to ${guardrailCharacters} characters, over IAM's ${MANAGED_POLICY_CHARACTERS} for a managed policy: use fewer prefixes`,
      );
    }
    if (characters > ROLE_INLINE_POLICY_CHARACTERS) {
      throw new ConfigError(
        'prefixes',
        `the function's IAM policies would be up to ${characters} characters, over IAM's ${ROLE_INLINE_POLICY_CHARACTERS} for a role: use fewer prefixes, bucket names or OIDC URL fragments`,
      );
    }

    this.resource = new CustomResource(this, 'Run', {
      serviceToken: this.handler.functionArn,
      resourceType: 'Custom::ProviderDeparture',
      serviceTimeout: timeout.plus(Duration.minutes(1)),
      properties: {
        Mode: props.mode ?? 'plan',
        Prefixes: props.prefixes.join(','),
        KeepCamProvider: props.keepCamProvider ?? 'true',
        CamPolicyNames: props.camPolicyNames ?? 'CTLCAMPolicy',
        RemoveTagKeys: props.removeTagKeys ?? 'Optimization',
        Exclude: props.exclude ?? '',
        ProviderAccountIds: props.providerAccountIds ?? '589942003651',
        OidcUrlFragments: (props.oidcUrlFragments ?? DEFAULT_OIDC_FRAGMENTS).join(','),
        // Only when set: the engine refuses these entries otherwise (the template stays as small as it was).
        ...(allowBroad.allowBroadPrefixes.length ? { AllowBroadPrefixes: allowBroad.allowBroadPrefixes.join(',') } : {}),
        ...(allowBroad.allowBroadOidcUrlFragments.length ? { AllowBroadOidcUrlFragments: allowBroad.allowBroadOidcUrlFragments.join(',') } : {}),
        BucketNames: (props.bucketNames ?? DEFAULT_CONFIG.buckets.names).join(','),
        BucketMode: props.bucketMode ?? 'keep',
        ArchiveBucket: archiveBucket,
        StorageClass: props.storageClass ?? 'DEEP_ARCHIVE',
        TransitionDays: props.transitionDays ?? '0',
        DeleteWithoutArchive: props.deleteWithoutArchive ?? 'false',
        BatchRoleArn: props.batchRoleArn ?? '',
        ReportBucket: props.reportBucket ?? '',
        // A new engine version runs again even when no parameter changed.
        EngineVersion: bundle.hash,
        // The run must not start before the optional policies exist. DependsOn cannot name a resource that a
        // condition may leave out (cfn-lint E3005); a reference inside Fn::If can, and makes the same dependency.
        // The handler ignores this property; a policy's name never changes, so it never re-runs the engine.
        Permissions: Fn.join(
          ',',
          featurePolicies.map(({ policy, condition }) => (condition ? Fn.conditionIf(condition.logicalId, policy.ref, '').toString() : policy.ref)),
        ),
      },
    });
    // Delete is what CloudFormation does to a custom resource without these attributes: the CDK writes them out,
    // the template (at its size limit) need not carry them.
    const run = this.resource.node.defaultChild as CfnResource;
    run.cfnOptions.deletionPolicy = undefined;
    run.cfnOptions.updateReplacePolicy = undefined;
  }

  /** The statements of one optional feature as a policy of the role, present only when `condition` holds. */
  private featurePolicy(
    role: iam.Role,
    writer: PermissionWriter,
    declared: readonly Permission[],
    feature: PermissionFeature,
    id: string,
    condition: CfnCondition | undefined,
  ): { policy: CfnResource; condition?: CfnCondition } {
    const written = writer.statements(mergePermissions(declared.filter((permission) => permission.feature === feature)));
    const policy = new iam.Policy(this, id, { roles: [role], statements: written.map((statement) => statement.statement) });
    const resource = policy.node.defaultChild as CfnResource;
    if (condition) resource.cfnOptions.condition = condition;
    const ledger = new WildcardLedger();
    for (const statement of written) ledger.note(statement.statement.resources, statement.reason);
    ledger.acknowledge(policy);
    return { policy: resource, ...(condition ? { condition } : {}) };
  }

  /** The archive bucket, when this stack owns it: kept with its data whatever happens to the stack. */
  private createArchiveBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Archive', {
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'The archive receives server-side copies of the provider buckets only; access logging would need a second bucket in an account being cleaned up.',
    });
    return bucket;
  }

}

/** What a deployment's values are, for the placeholders of the engine's permission templates. */
export interface PermissionValues {
  readonly prefixes: readonly string[];
  /** With `${AWS::AccountId}` for the account. */
  readonly bucketNames: readonly string[];
  readonly oidcUrlFragments: readonly string[];
  readonly archiveBucket: string;
  readonly batchRoleArn: string;
  readonly reportBucket: string;
}

interface WrittenStatement {
  readonly statement: iam.PolicyStatement;
  readonly reason: string;
  readonly deny?: boolean;
}

/** Writes the engine's declared permissions as IAM statements, each ARN one `Fn::Sub` line of the template. */
export class PermissionWriter {
  /** `scope`: where a value's `Ref` is read, so that the ARN names the parameter or resource itself (see `expand`). */
  constructor(
    private readonly values: PermissionValues,
    private readonly scope?: Construct,
  ) {}

  statements(permissions: readonly (Permission & { deny?: boolean })[]): WrittenStatement[] {
    return permissions.map((permission) => {
      const conditions = permission.conditions
        ? Object.fromEntries(
            Object.entries(permission.conditions).map(([operator, keys]) => [
              operator,
              Object.fromEntries(
                Object.entries(keys).map(([key, values]) => {
                  const expanded = values.flatMap((value) => this.expand(value, permission.deny));
                  return [key, expanded.length === 1 ? expanded[0] : expanded];
                }),
              ),
            ]),
          )
        : undefined;
      const statement = new iam.PolicyStatement({
        sid: permission.sid,
        effect: permission.deny ? iam.Effect.DENY : iam.Effect.ALLOW,
        actions: [...permission.actions],
        resources: permission.resources.flatMap((resource) => this.expand(resource, permission.deny)),
        ...(conditions ? { conditions } : {}),
      });
      return { statement, reason: permission.reason, ...(permission.deny ? { deny: true } : {}) };
    });
  }

  /**
   * A template's ARNs: exact for what is allowed; for a Deny, any partition and account (`arn:*:iam::*:...`), which
   * denies more and keeps the template small (a Deny needs no `Fn::Sub`).
   */
  private expand(template: string, broad = false): string[] {
    const { values } = this;
    // IAM ARNs name any partition and account: a role can only ever change the IAM of its own account and partition
    // (IAM has no cross-account access), so `arn:*:iam::*:role/CTL*` allows exactly what the exact ARN would, in a
    // plain string instead of an Fn::Sub (about 1 KB less template). The same for every Deny, which may be broader.
    if (broad || template.startsWith('arn:{partition}:iam::{account}:')) {
      return expandTemplate(template, { partition: '*', account: '*', prefix: values.prefixes, bucket: values.bucketNames, oidcFragment: values.oidcUrlFragments });
    }
    const variables: Record<string, string> = {};
    const variable = (name: string, value: string) => {
      // A value that is a Ref (a parameter, the archive bucket) is named in the text: `${Name}` in an Fn::Sub is the Ref
      // of that parameter or resource, and needs no variable map (about 50 bytes of template less per ARN).
      const resolved: unknown = this.scope && Stack.of(this.scope).resolve(value);
      const ref = typeof resolved === 'object' && resolved !== null && Object.keys(resolved).length === 1 ? (resolved as { Ref?: unknown }).Ref : undefined;
      if (typeof ref === 'string' && /^[A-Za-z0-9]+$/.test(ref)) return `\${${ref}}`;
      variables[name] = value;
      return `\${${name}}`;
    };
    return expandTemplate(template, {
      partition: '${AWS::Partition}',
      account: '${AWS::AccountId}',
      stackId: '${AWS::StackId}',
      prefix: values.prefixes,
      bucket: values.bucketNames,
      oidcFragment: values.oidcUrlFragments,
      get archiveBucket() {
        return variable('Archive', values.archiveBucket);
      },
      get batchRoleArn() {
        return variable('BatchRole', values.batchRoleArn);
      },
      get reportBucket() {
        return variable('Reports', values.reportBucket);
      },
    }).map((text) => (text.includes('${') ? (Object.keys(variables).length ? Fn.sub(text, { ...variables }) : Fn.sub(text)) : text));
  }
}

/**
 * The role name (with any path) of a role ARN parameter, or `-` when it is empty: `Fn::Select` of `Fn::Split` on
 * `:role/`, with a sentinel appended so that an empty value still splits in two.
 */
function roleNameOf(roleArn: string): string {
  return Fn.select(1, Fn.split(':role/', Fn.join('', [roleArn, ':role/-'])));
}

/**
 * cdk-nag AwsSolutions-IAM5 flags every wildcard resource. Each one here is the narrowest IAM allows; the ledger
 * keeps the reason next to the statement that needs it and acknowledges each finding with it.
 */
export class WildcardLedger {
  private readonly reasons = new Map<string, string>();

  note(resources: readonly string[], reason: string): void {
    for (const resource of resources) if (!this.reasons.has(resource)) this.reasons.set(resource, reason);
  }

  acknowledge(scope: Construct): void {
    const validations = Validations.of(scope);
    for (const [resource, reason] of this.reasons) {
      // cdk-nag names a finding by the resource with pseudo parameters written as <AWS::...>.
      const shown = flatten(Stack.of(scope).resolve(resource));
      if (shown.includes('*')) validations.acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${shown}]`, reason });
    }
  }
}

/** {"Fn::Sub": "arn:${AWS::Partition}:..."} → "arn:<AWS::Partition>:...", as cdk-nag shows it. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `<${object.Ref}>`;
  if ('Fn::Sub' in object) {
    // With variables, cdk-nag shows the Fn::Sub arguments as JSON; without, the string with <AWS::...>.
    const sub = object['Fn::Sub'];
    return Array.isArray(sub) ? JSON.stringify(sub) : String(sub).replace(/\$\{([^}]+)\}/g, '<$1>');
  }
  const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
  return parts.map(flatten).join(separator);
}
