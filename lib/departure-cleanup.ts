/**
 * A custom resource that runs a provider departure in the account it is deployed to, with an IAM policy
 * that can only change what carries one of the configured prefixes.
 */
import { CfnResource, CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleHandler } from './handler-bundle';

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
}

/** Role and policy paths AWS or the rollout own: denied explicitly, whatever the prefixes say. */
const PROTECTED_ROLE_PATTERNS = [
  'role/aws-service-role/*',
  'role/aws-reserved/*',
  'role/OrganizationAccountAccessRole',
  'role/AWSControlTowerExecution',
  'role/AWSCloudFormationStackSetExecutionRole',
  'role/stacksets-exec-*',
  'role/cdk-*',
];

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
    const { account, partition } = Stack.of(this);
    const arn = (resource: string) => `arn:${partition}:iam::${account}:${resource}`;
    // A name prefix matches at the root path and under any path.
    const named = (kind: string) => props.prefixes.flatMap((prefix) => [arn(`${kind}/${prefix}*`), arn(`${kind}/*/${prefix}*`)]);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the provider departure: reads IAM, changes only provider-prefixed roles and policies.',
    });
    logGroup.grantWrite(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAccount',
        actions: ['iam:GetAccountAuthorizationDetails', 'iam:ListPolicyTags'],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RemoveProviderRoles',
        actions: ['iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:UntagRole'],
        resources: named('role'),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RemoveProviderPolicies',
        actions: ['iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:UntagPolicy'],
        resources: named('policy'),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DetachProviderPoliciesFromAnyPrincipal',
        actions: ['iam:DetachRolePolicy', 'iam:DetachGroupPolicy', 'iam:DetachUserPolicy'],
        resources: ['*'],
        conditions: { ArnLike: { 'iam:PolicyARN': named('policy') } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ProviderInstanceProfiles',
        actions: ['iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
        resources: named('instance-profile'),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EmptyOtherInstanceProfiles',
        actions: ['iam:RemoveRoleFromInstanceProfile'],
        resources: [arn('instance-profile/*')],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'NeverTouchProtectedRoles',
        effect: iam.Effect.DENY,
        notActions: ['iam:Get*', 'iam:List*'],
        resources: PROTECTED_ROLE_PATTERNS.map(arn),
      }),
    );

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

    acknowledgeWildcards(role, props.prefixes);

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
        // A new engine version runs again even when no parameter changed.
        EngineVersion: bundle.hash,
      },
    });
  }
}

/**
 * cdk-nag AwsSolutions-IAM5 flags every wildcard. Each one here is the narrowest IAM allows, and says why.
 */
function acknowledgeWildcards(role: iam.Role, prefixes: readonly string[]): void {
  const finding = (resource: string) => `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`;
  const pattern = (resource: string) => `arn:<AWS::Partition>:iam::<AWS::AccountId>:${resource}`;
  const validations = Validations.of(role);
  validations.acknowledge({
    id: finding('*'),
    reason: 'GetAccountAuthorizationDetails and ListPolicyTags are reads that IAM only authorizes on "*"; detaching is limited to provider policies by the iam:PolicyARN condition.',
  });
  for (const kind of ['role', 'policy', 'instance-profile']) {
    for (const prefix of prefixes) {
      for (const resource of [`${kind}/${prefix}*`, `${kind}/*/${prefix}*`]) {
        validations.acknowledge({
          id: finding(pattern(resource)),
          reason: `The provider's ${kind}s are known by their name prefix "${prefix}" only, at any path: the prefix wildcard is the narrowest match.`,
        });
      }
    }
  }
  validations.acknowledge({
    id: finding(pattern('instance-profile/*')),
    reason: 'DeleteRole needs the role out of every instance profile first; this allows only RemoveRoleFromInstanceProfile, and the role itself must be a provider role.',
  });
}
