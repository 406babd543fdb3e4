/**
 * The rollout: deployed in the management (or delegated administrator) account, it rolls the cleanup template
 * out to member accounts as a CloudFormation StackSet. The template body is the cleanup stack's own synthesized
 * template, which has no assets, so no StackSet asset machinery is needed.
 *
 * Service-managed, an account with per-account overrides gets a StackSet of its own, in a stack of its own
 * (`<id>-<account>`), and the main StackSet leaves it out: the StackSet resource keys parameter sets by OU, so one
 * StackSet cannot give two accounts of one OU different parameters (rollout-targets.ts), and a second StackSet in
 * the same stack would carry the template body twice, past what `cdk deploy` sends without bootstrap.
 */
import { CfnOutput, CfnParameter, LegacyStackSynthesizer, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BATCH_ROLE_ARN, ConfigError } from '../lambda/engine/config';
import { mainTargets, overrideTargets } from './rollout-targets';

/** Where and how the StackSet deploys. */
export interface RolloutSettings {
  /** Organizational units to deploy to (service-managed). */
  readonly organizationalUnitIds: readonly string[];
  /** Accounts to deploy to (both models; with service-managed, together with their OUs or alone). */
  readonly accountIds: readonly string[];
  /** @default "SERVICE_MANAGED" */
  readonly permissionModel: 'SERVICE_MANAGED' | 'SELF_MANAGED';
  /** @default "SELF" */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
  /** Self-managed only: the role assumed in each member. @default "AWSCloudFormationStackSetExecutionRole" */
  readonly executionRoleName: string;
  /** Self-managed only: the administration role in this account. */
  readonly administrationRoleArn?: string;
  /**
   * One region: IAM is global, so instances in several regions would race on the same roles.
   * @default "us-east-1"
   */
  readonly region: string;
  /** Accounts at once: "25%" or a count. @default "25%" */
  readonly maxConcurrent: string;
  /** Failures tolerated before the operation stops: "0%", or a count. @default "0" */
  readonly failureTolerance: string;
  /** Per-account parameter overrides, e.g. {"111122223333": {"Mode": "apply"}}. */
  readonly accountOverrides: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * The organization id (o-...): with it, the rollout creates a reports bucket where each member account's cleanup
   * role may write its own `reports/<accountId>.json` and nothing else, and every member's handler saves its
   * report there.
   */
  readonly organizationId?: string;
}

/** The IAM path of the cleanup function's role in every member (lib/departure-cleanup.ts). */
export const CLEANUP_ROLE_PATH = '/ctl-departure/';
/** The policy variable S3 replaces with the requesting principal's account id. */
const REPORT_KEY_ACCOUNT = '${aws:PrincipalAccount}';

const ACCOUNT = /^\d{12}$/;
const OU = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT = /^r-[0-9a-z]{4,32}$/;
const AMOUNT = /^(\d{1,3}%|\d+)$/;

/** Validates the `rollout` context object; errors name the key and what to write. */
export function readRollout(value: unknown): RolloutSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('rollout', 'must be an object such as {"organizationalUnitIds": ["ou-abcd-12345678"]}');
  }
  const input = value as Record<string, unknown>;
  const known = ['organizationalUnitIds', 'accountIds', 'permissionModel', 'callAs', 'executionRoleName', 'administrationRoleArn', 'region', 'maxConcurrent', 'failureTolerance', 'accountOverrides', 'organizationId'];
  for (const key of Object.keys(input)) if (!known.includes(key)) throw new ConfigError(`rollout.${key}`, `unknown key; the known keys are ${known.join(', ')}`);
  const list = (key: string, pattern: RegExp, example: string) => {
    const entries = (input[key] ?? []) as unknown[];
    if (!Array.isArray(entries)) throw new ConfigError(`rollout.${key}`, `must be a list such as ["${example}"]`);
    entries.forEach((entry, i) => {
      if (typeof entry !== 'string' || !pattern.test(entry)) throw new ConfigError(`rollout.${key}[${i}]`, `${JSON.stringify(entry)} is not an id such as "${example}"`);
    });
    return entries as string[];
  };
  const choice = <T extends string>(key: string, options: readonly T[], fallback: T): T => {
    const chosen = (input[key] ?? fallback) as T;
    if (!options.includes(chosen)) throw new ConfigError(`rollout.${key}`, `must be ${options.join(' or ')}, not ${JSON.stringify(chosen)}`);
    return chosen;
  };
  // StackSetOperationPreferences: MaxConcurrentCount/Percentage at least 1, FailureTolerance at least 0; percentages at most 100.
  const amount = (key: string, fallback: string, minimum: number) => {
    const given = input[key] ?? fallback;
    const text = typeof given === 'number' ? String(given) : given;
    if (typeof text !== 'string' || !AMOUNT.test(text) || Number(text.replace('%', '')) < minimum || (text.endsWith('%') && Number(text.slice(0, -1)) > 100)) {
      throw new ConfigError(`rollout.${key}`, `must be a percentage such as "25%" or a count such as 5, at least ${minimum}, not ${JSON.stringify(input[key])}`);
    }
    return text;
  };
  const text = (key: string, pattern: RegExp, what: string) => {
    const given = input[key];
    if (given !== undefined && (typeof given !== 'string' || !pattern.test(given))) throw new ConfigError(`rollout.${key}`, `${JSON.stringify(given)} is not ${what}`);
    return given as string | undefined;
  };
  const selfManagedOnly = ['executionRoleName', 'administrationRoleArn'].find((key) => input[key] !== undefined);
  if (selfManagedOnly && input.permissionModel !== 'SELF_MANAGED') {
    throw new ConfigError(`rollout.${selfManagedOnly}`, 'is for SELF_MANAGED StackSets only: set "permissionModel": "SELF_MANAGED", or drop it');
  }
  if (input.callAs !== undefined && input.permissionModel === 'SELF_MANAGED') throw new ConfigError('rollout.callAs', 'is for SERVICE_MANAGED StackSets only: drop it');
  const executionRoleName = text('executionRoleName', /^[\w+=,.@-]{1,64}$/, 'an IAM role name (1 to 64 letters, digits and +=,.@_-)');
  const administrationRoleArn = text('administrationRoleArn', BATCH_ROLE_ARN, 'an IAM role ARN such as "arn:aws:iam::111122223333:role/AWSCloudFormationStackSetAdministrationRole"');
  const region = text('region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'a region such as "us-east-1"');
  const organizationId = text('organizationId', /^o-[a-z0-9]{10,32}$/, 'an organization id such as "o-abcd123456"');
  const settings: RolloutSettings = {
    organizationalUnitIds: list('organizationalUnitIds', new RegExp(`${OU.source}|${ROOT.source}`), 'ou-abcd-12345678'),
    accountIds: list('accountIds', ACCOUNT, '111122223333'),
    permissionModel: choice('permissionModel', ['SERVICE_MANAGED', 'SELF_MANAGED'] as const, 'SERVICE_MANAGED'),
    callAs: choice('callAs', ['SELF', 'DELEGATED_ADMIN'] as const, 'SELF'),
    executionRoleName: executionRoleName ?? 'AWSCloudFormationStackSetExecutionRole',
    ...(administrationRoleArn ? { administrationRoleArn } : {}),
    region: region ?? 'us-east-1',
    maxConcurrent: amount('maxConcurrent', '25%', 1),
    failureTolerance: amount('failureTolerance', '0', 0),
    accountOverrides: (input.accountOverrides ?? {}) as RolloutSettings['accountOverrides'],
    ...(organizationId !== undefined ? { organizationId } : {}),
  };
  if (settings.permissionModel === 'SERVICE_MANAGED' && !settings.organizationalUnitIds.length) {
    throw new ConfigError('rollout.organizationalUnitIds', 'a service-managed StackSet targets OUs: name them (the root "r-..." for all), and accountIds to narrow them');
  }
  if (settings.permissionModel === 'SELF_MANAGED' && settings.organizationalUnitIds.length) {
    throw new ConfigError('rollout.organizationalUnitIds', 'only service-managed StackSets deploy to OUs: list accountIds for SELF_MANAGED');
  }
  if (settings.permissionModel === 'SELF_MANAGED' && !settings.accountIds.length && !Object.keys(settings.accountOverrides).length) {
    throw new ConfigError('rollout.accountIds', 'a self-managed StackSet targets accounts: list them');
  }
  if (typeof settings.accountOverrides !== 'object' || settings.accountOverrides === null || Array.isArray(settings.accountOverrides)) {
    throw new ConfigError('rollout.accountOverrides', 'must be an object such as {"111122223333": {"Mode": "apply"}}');
  }
  for (const [account, overrides] of Object.entries(settings.accountOverrides)) {
    if (!ACCOUNT.test(account)) throw new ConfigError(`rollout.accountOverrides.${account}`, 'keys must be 12-digit account ids');
    if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
      throw new ConfigError(`rollout.accountOverrides.${account}`, 'must be an object of parameter values such as {"Mode": "apply"}');
    }
  }
  return settings;
}

export interface RolloutStackProps extends StackProps {
  readonly rollout: RolloutSettings;
  /**
   * Service-managed only: the one account this stack's StackSet covers, with its `accountOverrides`; the main
   * rollout stack leaves it out.
   * @default - the main rollout stack: every target but the overridden accounts (service-managed)
   */
  readonly overriddenAccount?: string;
  /**
   * The reports bucket's name, from the main rollout stack, for a stack of an overridden account.
   * @default - the main stack creates the bucket when `rollout.organizationId` is set
   */
  readonly reportBucketName?: string;
  /** The cleanup stack's synthesized template, as JSON text. */
  readonly templateBody: string;
  /** The cleanup template's parameters, with their defaults: each becomes a StackSet parameter here. */
  readonly parameters: Readonly<Record<string, { readonly Default?: string; readonly Description?: string; readonly AllowedValues?: readonly string[] }>>;
}

export class RolloutStack extends Stack {
  readonly stackSet: cloudformation.CfnStackSet;
  /** The reports bucket's name, when the rollout has one. */
  readonly reportBucketName?: string;

  constructor(scope: Construct, id: string, props: RolloutStackProps) {
    super(scope, id, {
      synthesizer: new LegacyStackSynthesizer(),
      analyticsReporting: false,
      description: 'Rolls the provider-departure cleanup out to member accounts as a StackSet. Plan unless Mode=apply.',
      ...props,
    });
    const { rollout, overriddenAccount } = props;
    const serviceManaged = rollout.permissionModel === 'SERVICE_MANAGED';
    checkOverrides(rollout, Object.keys(props.parameters));
    if (overriddenAccount !== undefined && (!serviceManaged || !(overriddenAccount in rollout.accountOverrides))) {
      throw new Error(`RolloutStack ${id}: overriddenAccount ${overriddenAccount} must be a service-managed rollout's accountOverrides key`);
    }
    // Every cleanup parameter is a parameter here too, passed to the StackSet: plan everywhere, then apply by a change.
    const reports = rollout.organizationId && overriddenAccount === undefined ? this.reportsBucket(rollout.organizationId) : undefined;
    this.reportBucketName = reports?.bucketName ?? props.reportBucketName;
    const parameters = Object.entries(props.parameters).map(([key, spec]) => {
      if (key === 'ReportBucket' && this.reportBucketName) return { parameterKey: key, parameterValue: this.reportBucketName };
      const parameter = new CfnParameter(this, key, {
        type: 'String',
        default: spec.Default ?? '',
        // Passed to every instance as it is: the StackSet's template describes each parameter, and repeating the
        // descriptions here would cost the rollout 1.5 KB of its 51,200 bytes.
        ...(key === 'Mode' ? { description: spec.Description } : {}),
        ...(spec.AllowedValues ? { allowedValues: [...spec.AllowedValues] } : {}),
      });
      return { parameterKey: key, parameterValue: parameter.valueAsString };
    });
    const preferences = {
      regionOrder: [rollout.region],
      regionConcurrencyType: 'SEQUENTIAL',
      concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      ...(rollout.maxConcurrent.endsWith('%') ? { maxConcurrentPercentage: Number(rollout.maxConcurrent.slice(0, -1)) } : { maxConcurrentCount: Number(rollout.maxConcurrent) }),
      ...(rollout.failureTolerance.endsWith('%')
        ? { failureTolerancePercentage: Number(rollout.failureTolerance.slice(0, -1)) }
        : { failureToleranceCount: Number(rollout.failureTolerance) }),
    };
    const groups = overriddenAccount === undefined ? mainTargets(rollout) : overrideTargets(rollout, overriddenAccount);
    if (reports) new CfnOutput(this, 'ReportsBucket', { value: reports.bucketName, description: 'ctl-departure report --bucket <this>' });
    this.stackSet = new cloudformation.CfnStackSet(this, 'Cleanup', {
      stackSetName: `${id}-cleanup`,
      description:
        overriddenAccount === undefined
          ? 'ctl-departure cleanup, one instance per member account, in one region.'
          : `ctl-departure cleanup for ${overriddenAccount} alone, with its overrides; the main rollout StackSet leaves it out.`,
      permissionModel: rollout.permissionModel,
      ...(serviceManaged
        ? // Off: no instance is added when an account joins a target OU, none deleted when one leaves. AWS accepts
          // RetainStacksOnAccountRemoval only with Enabled true (AutoDeployment, CloudFormation API Reference).
          { autoDeployment: { enabled: false }, callAs: rollout.callAs }
        : { executionRoleName: rollout.executionRoleName, ...(rollout.administrationRoleArn ? { administrationRoleArn: rollout.administrationRoleArn } : {}) }),
      capabilities: ['CAPABILITY_IAM'],
      managedExecution: { Active: true },
      operationPreferences: preferences,
      parameters,
      stackInstancesGroup: groups,
      templateBody: stackSetBody(props.templateBody),
    });
  }

  /**
   * Encrypted, private, SSL only, versioned (an overwrite keeps the earlier report), kept. Each member account may
   * write one key only, `reports/<its own account id>.json`, and only from the cleanup function's role (IAM path
   * `/ctl-departure/`): the provider's roles, which still exist in the members until apply, cannot forge or
   * overwrite another account's report.
   */
  private reportsBucket(organizationId: string): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Reports', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'MembersWriteTheirOwnReport',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        // The key is the writer's own account: a policy variable, resolved by S3 per request (IAM User Guide,
        // "IAM policy elements: Variables and tags"; aws:PrincipalAccount is a global condition key).
        resources: [bucket.arnForObjects(`reports/${REPORT_KEY_ACCOUNT}.json`)],
        conditions: {
          StringEquals: { 'aws:PrincipalOrgID': organizationId },
          ArnLike: { 'aws:PrincipalArn': `arn:${this.partition}:iam::*:role${CLEANUP_ROLE_PATH}*` },
        },
      }),
    );
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'The reports bucket holds the departure reports only; access logging would need another bucket, and CloudTrail records the writes.',
    });
    return bucket;
  }
}

/** Every override names a parameter of the cleanup template, with a string value: AWS would fail the deploy. */
function checkOverrides(rollout: RolloutSettings, parameterKeys: readonly string[]): void {
  for (const [account, overrides] of Object.entries(rollout.accountOverrides)) {
    for (const [key, value] of Object.entries(overrides)) {
      if (!parameterKeys.includes(key)) throw new ConfigError(`rollout.accountOverrides.${account}.${key}`, `not a parameter of the cleanup template; use one of ${parameterKeys.join(', ')}`);
      if (typeof value !== 'string') throw new ConfigError(`rollout.accountOverrides.${account}.${key}`, `must be a string such as "apply", not ${JSON.stringify(value)}`);
    }
  }
}

/** What the rollout is made of: the main stack, and (service-managed) one stack per overridden account. */
export type RolloutStacksProps = Omit<RolloutStackProps, 'overriddenAccount' | 'reportBucketName'>;

/**
 * Adds the rollout to `app`: the main stack `id`, and, service-managed, a stack `<id>-<account>` per account with
 * overrides. Each overridden account's stack depends on the main one, so `cdk deploy` first takes the account out
 * of the main StackSet, then adds it to its own: an account is never in two StackSets at once, where two cleanups
 * would race on the same IAM roles.
 */
export function addRollout(app: Construct, id: string, props: RolloutStacksProps): RolloutStack[] {
  const main = new RolloutStack(app, id, props);
  if (props.rollout.permissionModel !== 'SERVICE_MANAGED') return [main];
  const alone = Object.keys(props.rollout.accountOverrides).map((account) => {
    const stack = new RolloutStack(app, `${id}-${account}`, { ...props, overriddenAccount: account, reportBucketName: main.reportBucketName });
    stack.addStackDependency(main, 'the main StackSet leaves the account out before this one adds it');
    return stack;
  });
  return [main, ...alone];
}

/**
 * The cleanup template as each stack instance gets it: without its Outputs, which show a stack's counts to the one who
 * deployed it (`cdk deploy`); a rollout's members save their reports to the reports bucket instead, and the 600 bytes
 * are the rollout's to spend on targets.
 */
export function stackSetBody(templateBody: string): string {
  const { Outputs: _outputs, ...rest } = JSON.parse(templateBody) as Record<string, unknown>;
  return JSON.stringify(rest);
}
