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
import { DEFAULT_CONFIG } from '../lambda/engine/config';
import { PROTECTION_RULES } from '../lambda/protections/builtin';

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
}

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
    const timeout = props.timeout ?? Duration.minutes(10);
    if (timeout.toSeconds() < 60 || timeout.toSeconds() > 900) {
      throw new Error(`DepartureCleanup: 'timeout' must be between 1 and 15 minutes, not ${timeout.toHumanString()}`);
    }
    const bundle = bundleHandler();
    // Fn::Sub keeps each ARN one readable line in the template (Fn::Join would spread it over ten).
    const arn = (resource: string) => Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:${resource}`);
    // A name prefix matches at the root path and under any path.
    const named = (kind: string) => props.prefixes.flatMap((prefix) => [arn(`${kind}/${prefix}*`), arn(`${kind}/*/${prefix}*`)]);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the provider departure: reads IAM, changes only what carries a provider prefix.',
    });
    logGroup.grantWrite(role);
    const wildcards = new WildcardLedger();
    const allow = (sid: string, actions: string[], resources: string[], reason: string, conditions?: Record<string, unknown>) => {
      role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources, ...(conditions ? { conditions } : {}) }));
      wildcards.note(resources, reason);
    };
    allow(
      'ReadAccount',
      [
        'iam:GetAccountAuthorizationDetails', 'iam:ListPolicyTags', 'iam:ListAccessKeys', 'iam:GetLoginProfile', 'iam:ListMFADevices',
        'iam:ListSigningCertificates', 'iam:ListSSHPublicKeys', 'iam:ListServiceSpecificCredentials', 'iam:ListSAMLProviders',
        'iam:ListOpenIDConnectProviders', 'iam:GetOpenIDConnectProvider', 'organizations:DescribeOrganization',
        // The provider's automation outside IAM is looked for and flagged; the stack never deletes it.
        'lambda:ListFunctions', 'events:ListRules', 'events:ListTargetsByRule', 'config:DescribeConfigRules',
        'config:DescribeConfigurationRecorders', 'config:DescribeDeliveryChannels', 'cloudtrail:DescribeTrails',
      ],
      ['*'],
      'Discovery reads the whole account: these reads are authorized on "*" (GetAccountAuthorizationDetails, DescribeOrganization) or read every candidate.',
    );
    const prefixReason = (kind: string) => `The provider's ${kind} are known only by their name prefix, at any path: the prefix wildcard is the narrowest match.`;
    allow('RemoveProviderRoles', ['iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:UntagRole'], named('role'), prefixReason('roles'));
    allow('RemoveProviderPolicies', ['iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:UntagPolicy'], named('policy'), prefixReason('policies'));
    allow(
      'RemoveProviderUsers',
      [
        'iam:DeleteAccessKey', 'iam:DeleteLoginProfile', 'iam:DeactivateMFADevice', 'iam:DeleteSigningCertificate', 'iam:DeleteSSHPublicKey',
        'iam:DeleteServiceSpecificCredential', 'iam:DeleteUserPolicy', 'iam:DetachUserPolicy', 'iam:DeleteUserPermissionsBoundary',
        'iam:DeleteUser', 'iam:UntagUser',
      ],
      named('user'),
      prefixReason('users'),
    );
    allow('RemoveProviderGroups', ['iam:DeleteGroup', 'iam:DeleteGroupPolicy', 'iam:DetachGroupPolicy'], named('group'), prefixReason('groups'));
    allow('RemoveProviderSamlProviders', ['iam:DeleteSAMLProvider'], props.prefixes.map((prefix) => arn(`saml-provider/${prefix}*`)), prefixReason('SAML providers'));
    allow(
      'RemoveProviderOidcProviders',
      ['iam:DeleteOpenIDConnectProvider'],
      (props.oidcUrlFragments ?? DEFAULT_OIDC_FRAGMENTS).map((fragment) => arn(`oidc-provider/*${fragment}*`)),
      'An OIDC provider is named by its issuer URL: only URLs containing one of the provider fragments match.',
    );
    allow(
      'DetachProviderPoliciesFromAnyPrincipal',
      ['iam:DetachRolePolicy', 'iam:DetachGroupPolicy', 'iam:DetachUserPolicy'],
      ['*'],
      'Customer principals keep existing; only provider policies may be detached from them (iam:PolicyARN condition).',
      { ArnLike: { 'iam:PolicyARN': named('policy') } },
    );
    allow(
      'LeaveGroupsAndInstanceProfiles',
      ['iam:RemoveUserFromGroup', 'iam:RemoveRoleFromInstanceProfile'],
      [arn('group/*'), arn('instance-profile/*')],
      'A provider user must leave customer groups and a provider role customer instance profiles before AWS lets them be deleted; these calls only remove a membership.',
    );
    allow('DeleteProviderInstanceProfiles', ['iam:DeleteInstanceProfile'], named('instance-profile'), prefixReason('instance profiles'));
    allow(
      'DeleteDeactivatedVirtualMfaDevices',
      ['iam:DeleteVirtualMFADevice'],
      [arn('mfa/*')],
      'Virtual MFA devices are named freely; one can only be deleted after DeactivateMFADevice, which is allowed on provider users only.',
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'NeverTouchProtectedRoles',
        effect: iam.Effect.DENY,
        notActions: ['iam:Get*', 'iam:List*'],
        resources: PROTECTED_PATTERNS.map(arn),
      }),
    );

    const bucketNames = (props.bucketNames ?? DEFAULT_CONFIG.buckets.names).map((name) => name.replace('{accountId}', '${AWS::AccountId}'));
    const s3Arn = (resource: string) => Fn.sub(`arn:\${AWS::Partition}:s3:::${resource}`);
    allow(
      'ReadProviderBuckets',
      ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketPolicy', 's3:GetBucketVersioning', 's3:GetLifecycleConfiguration', 's3:GetBucketPublicAccessBlock', 's3:GetEncryptionConfiguration', 's3:GetBucketTagging'],
      bucketNames.map(s3Arn),
      'The provider buckets by name.',
    );
    allow(
      'ChangeProviderBuckets',
      ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketPublicAccessBlock', 's3:PutEncryptionConfiguration', 's3:PutBucketTagging', 's3:PutLifecycleConfiguration', 's3:DeleteBucket'],
      bucketNames.map(s3Arn),
      'The provider buckets by name.',
    );
    allow(
      'ProviderObjects',
      ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      bucketNames.map((name) => s3Arn(`${name}/*`)),
      'Copy reads every object of a provider bucket, delete removes every version: the bucket is named, its keys are not known in advance.',
    );
    const archive = props.createArchiveBucket ? this.createArchiveBucket() : undefined;
    const archiveBucket = archive?.bucketName ?? props.archiveBucket ?? '';
    this.grantArchiveWrites(role, archiveBucket, bucketNames);
    this.grantBatchCopy(role, props.batchRoleArn ?? '');
    this.grantReportWrite(role, props.reportBucket ?? '');

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
    const policy = role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    (this.handler.node.defaultChild as CfnResource).addOverride('DependsOn', [policy.logicalId]);
    // The function's own role must never be a candidate, even if its generated name starts with a prefix.
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'NeverDeleteOwnRole', effect: iam.Effect.DENY, actions: ['iam:Delete*', 'iam:Detach*', 'iam:Untag*'], resources: [role.roleArn] }),
    );

    wildcards.acknowledge(role);

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
      },
    });
  }

  /**
   * S3 Batch Operations for buckets too large for one run: start and list jobs, and pass the one batch role. Left out
   * with the role when none is given.
   */
  private grantBatchCopy(role: iam.Role, batchRoleArn: string): void {
    const statements = [
      new iam.PolicyStatement({ sid: 'StartBatchCopyJobs', actions: ['s3:CreateJob', 's3:ListJobs', 's3:DescribeJob'], resources: ['*'] }),
      new iam.PolicyStatement({ sid: 'PassBatchRole', actions: ['iam:PassRole'], resources: [batchRoleArn], conditions: { StringEquals: { 'iam:PassedToService': 'batchoperations.s3.amazonaws.com' } } }),
    ];
    const policy = new iam.Policy(this, 'BatchPolicy', { roles: [role], statements });
    const hasRole = new CfnCondition(this, 'HasBatchRole', { expression: Fn.conditionNot(Fn.conditionEquals(batchRoleArn, '')) });
    (policy.node.defaultChild as CfnResource).cfnOptions.condition = hasRole;
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'S3 Batch Operations authorizes CreateJob and ListJobs on "*" only; the job can only assume the one role this policy lets the function pass.',
    });
  }

  /** Writing this account's report, and only it, to the reports bucket; left out when there is none. */
  private grantReportWrite(role: iam.Role, reportBucket: string): void {
    const policy = new iam.Policy(this, 'ReportPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnReport',
          actions: ['s3:PutObject'],
          resources: [Fn.sub('arn:${AWS::Partition}:s3:::${Bucket}/reports/${AWS::AccountId}.json', { Bucket: reportBucket })],
        }),
      ],
    });
    const hasBucket = new CfnCondition(this, 'HasReportBucket', { expression: Fn.conditionNot(Fn.conditionEquals(reportBucket, '')) });
    (policy.node.defaultChild as CfnResource).cfnOptions.condition = hasBucket;
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

  /**
   * Copy writes only under `<provider-bucket>/` in the archive bucket. With no archive bucket the statement lives
   * in its own policy that a condition leaves out, so no malformed ARN reaches IAM.
   */
  private grantArchiveWrites(role: iam.Role, archiveBucket: string, bucketNames: readonly string[]): void {
    const statements = [
      new iam.PolicyStatement({
        sid: 'WriteArchive',
        actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'],
        resources: bucketNames.map((name) => Fn.sub(`arn:\${AWS::Partition}:s3:::\${Archive}/${name}/*`, { Archive: archiveBucket })),
      }),
      new iam.PolicyStatement({
        sid: 'ListArchive',
        actions: ['s3:ListBucket', 's3:ListBucketVersions'],
        resources: [Fn.sub('arn:${AWS::Partition}:s3:::${Archive}', { Archive: archiveBucket })],
      }),
    ];
    const policy = new iam.Policy(this, 'ArchivePolicy', { roles: [role], statements });
    const hasArchive = new CfnCondition(this, 'HasArchiveBucket', { expression: Fn.conditionNot(Fn.conditionEquals(archiveBucket, '')) });
    (policy.node.defaultChild as CfnResource).cfnOptions.condition = hasArchive;
    const reasons = new WildcardLedger();
    reasons.note(statements.flatMap((st) => st.resources), 'Copy writes every object of a provider bucket under its own prefix in the archive bucket.');
    reasons.acknowledge(policy);
  }
}

/**
 * cdk-nag AwsSolutions-IAM5 flags every wildcard resource. Each one here is the narrowest IAM allows; the ledger
 * keeps the reason next to the statement that needs it and acknowledges each finding with it.
 */
class WildcardLedger {
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
