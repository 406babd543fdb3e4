/**
 * A custom resource that runs the sweep of resource policies and shares (lambda/resources/sweep.ts) in the account it
 * is deployed to, alone: the sweep stack's function. Its role reads; it removes only the services it is built with.
 */
import { CustomResource, Duration, RemovalPolicy, Stack, type CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleHandler } from './handler-bundle';
import { PermissionWriter, WildcardLedger } from './departure-cleanup';
import { policyCharacters, ROLE_INLINE_POLICY_CHARACTERS } from './iam-quota';
import { ConfigError, DEFAULT_CONFIG, resolveConfig } from '../lambda/engine/config';
import { mergePermissions, type Permission } from '../lambda/engine/permissions';
import type { SweepService } from '../lambda/engine/sweep-config';
import { SWEEP_FUNCTION_PERMISSIONS, sweepRemovalPermissions } from '../lambda/permissions';

export interface DepartureSweepProps {
  /**
   * The departure's name prefixes: the sweep plans IAM with them only to know which principals the departure deletes
   * (a grant to one of them is the provider's). Nothing IAM is changed.
   */
  readonly prefixes: readonly string[];
  /** @default the engine's ["ctl.io", "centurylink", "lumen.com"] */
  readonly oidcUrlFragments?: readonly string[];
  /** @default [] */
  readonly allowBroadPrefixes?: readonly string[];
  /** @default [] */
  readonly allowBroadOidcUrlFragments?: readonly string[];
  /** `"true"` or `"false"`, as the cleanup stack's KeepCamProvider. @default "true" */
  readonly keepCamProvider?: string;
  /** @default "CTLCAMPolicy" */
  readonly camPolicyNames?: string;
  /** `plan` or `apply`. @default "plan" */
  readonly mode?: string;
  /** Comma-separated provider account ids. @default "589942003651" */
  readonly providerAccountIds?: string;
  /** Comma-separated provider organization ids. @default "" */
  readonly providerOrganizationIds?: string;
  /** Comma-separated regions; empty for every enabled region. @default "" */
  readonly regions?: string;
  /** Comma-separated names or ARNs never touched. @default "" */
  readonly exclude?: string;
  /**
   * The services whose grants the function may remove: their removal statements are written into its role (and
   * nothing else is). Fixed at synth time, like the cleanup stack's prefixes.
   * @default [] (read and flag only)
   */
  readonly removeServices?: readonly SweepService[];
  /**
   * `"true"` to remove the grants of `removeServices` on apply. `"true"` with no `removeServices` runs a plan that
   * says so. @default "false"
   */
  readonly remove?: string;
  /** @default Duration.minutes(14): a sweep of every region reads a great many resources */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The permissions the function's policy is built from. Only tests set this.
   * @default SWEEP_FUNCTION_PERMISSIONS and the removal statements of `removeServices`
   */
  readonly permissions?: readonly Permission[];
}

export class DepartureSweep extends Construct {
  readonly handler: lambda.Function;
  readonly resource: CustomResource;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DepartureSweepProps) {
    super(scope, id);
    const allowBroad = { allowBroadPrefixes: props.allowBroadPrefixes ?? [], allowBroadOidcUrlFragments: props.allowBroadOidcUrlFragments ?? [] };
    const oidcUrlFragments = props.oidcUrlFragments ?? DEFAULT_CONFIG.oidcUrlFragments;
    resolveConfig({ prefixes: props.prefixes, oidcUrlFragments, ...allowBroad });
    const timeout = props.timeout ?? Duration.minutes(14);
    if (timeout.toSeconds() < 60 || timeout.toSeconds() > 900) throw new Error(`DepartureSweep: 'timeout' must be between 1 and 15 minutes, not ${timeout.toHumanString()}`);
    const removeServices = props.removeServices ?? [];
    const bundle = bundleHandler('sweep');

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      path: '/ctl-departure/',
      description: removeServices.length
        ? `Sweeps resource policies for the departing provider; removes its grants from ${removeServices.join(' ')}.`
        : 'Sweeps resource policies for the departing provider: reads and flags only.',
    });
    // The role can change no IAM entity at all (no IAM write is declared for the sweep): the cleanup stack's guardrail
    // Deny (protected roles, provider-like paths) has nothing here to guard.
    const writer = new PermissionWriter({ prefixes: props.prefixes, bucketNames: [], oidcUrlFragments: oidcUrlFragments, archiveBucket: '', batchRoleArn: '', reportBucket: '' });
    const declared = props.permissions ?? SWEEP_FUNCTION_PERMISSIONS;
    const readPolicy = this.policy('Policy', writer, declared.filter((p) => p.feature === undefined));
    readPolicy.addStatements(new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    const policies = [readPolicy];
    if (removeServices.length) policies.push(this.policy('RemovalPolicy', writer, props.permissions ? declared.filter((p) => p.feature === 'resourcePolicyRemoval') : sweepRemovalPermissions(removeServices)));

    const characters = policies.map((policy) => policyCharacters(Stack.of(this).resolve(policy.document))).reduce((sum, size) => sum + size, 0);
    if (characters > ROLE_INLINE_POLICY_CHARACTERS) {
      throw new ConfigError('sweep', `the sweep function's IAM policies would be up to ${characters} characters, over IAM's ${ROLE_INLINE_POLICY_CHARACTERS} for a role`);
    }

    this.handler = new lambda.Function(this, 'Handler', {
      description: 'ctl-departure sweep: resource policies and shares granting the provider (plan unless Mode=apply).',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(bundle.code),
      role: this.role,
      timeout,
      memorySize: 512,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' },
    });
    // It references its role (GetAtt), not the role's policies, which must exist before it runs.
    (this.handler.node.defaultChild as CfnResource).addOverride('DependsOn', policies.map((policy) => (policy.node.defaultChild as CfnResource).logicalId));

    this.resource = new CustomResource(this, 'Run', {
      serviceToken: this.handler.functionArn,
      resourceType: 'Custom::ProviderDepartureSweep',
      serviceTimeout: timeout.plus(Duration.minutes(1)),
      properties: {
        Mode: props.mode ?? 'plan',
        Prefixes: props.prefixes.join(','),
        OidcUrlFragments: oidcUrlFragments.join(','),
        ...(allowBroad.allowBroadPrefixes.length ? { AllowBroadPrefixes: allowBroad.allowBroadPrefixes.join(',') } : {}),
        ...(allowBroad.allowBroadOidcUrlFragments.length ? { AllowBroadOidcUrlFragments: allowBroad.allowBroadOidcUrlFragments.join(',') } : {}),
        KeepCamProvider: props.keepCamProvider ?? 'true',
        CamPolicyNames: props.camPolicyNames ?? 'CTLCAMPolicy',
        Exclude: props.exclude ?? '',
        ProviderAccountIds: props.providerAccountIds ?? '589942003651',
        ProviderOrganizationIds: props.providerOrganizationIds ?? '',
        Regions: props.regions ?? '',
        Remove: props.remove ?? 'false',
        // What the role was built to remove: the function compares the request's Remove with it.
        RemoveServices: removeServices.join(','),
        EngineVersion: bundle.hash,
      },
    });
  }

  /** One inline policy of the role from declarations, each wildcard acknowledged (cdk-nag IAM5) with its reason. */
  private policy(id: string, writer: PermissionWriter, permissions: readonly Permission[]): iam.Policy {
    const written = writer.statements(mergePermissions(permissions));
    const policy = new iam.Policy(this, id, { roles: [this.role], statements: written.map((w) => w.statement) });
    const ledger = new WildcardLedger();
    for (const w of written) ledger.note(w.statement.resources, w.reason);
    ledger.acknowledge(policy);
    return policy;
  }
}
