/**
 * The sweep of resource-based policies and shares: every region's KMS keys, buckets, topics, queues, functions and
 * layers, secrets, repositories, event buses, snapshots, images and RAM shares, for grants to the provider that no
 * name gives away. The CLI runs it (`runDeparture({ sweep: createSweep() })`); the stack's function does not import
 * this file, so its bundle does not carry it.
 *
 * Discovery: every kind in every region (S3's bucket list once), SWEEP_TASKS at a time, each kind's per-resource
 * reads DISCOVERY_CONCURRENCY at a time; a kind that cannot be read in a region (denied, not enabled, no endpoint) is
 * one flagged item with its error, and the rest goes on. Then, where a region has an IAM Access Analyzer, its active
 * findings about provider principals, as a cross-check: one the sweep did not report is flagged.
 */
import { AccessAnalyzerClient, paginateListAnalyzers, paginateListFindings } from '@aws-sdk/client-accessanalyzer';
import { EC2Client, ModifyImageAttributeCommand, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import { DeleteRepositoryPolicyCommand, ECRClient, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, RemovePermissionCommand as RemoveBusPermissionCommand } from '@aws-sdk/client-eventbridge';
import { KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { LambdaClient, RemoveLayerVersionPermissionCommand, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { DisassociateResourceShareCommand, RAMClient } from '@aws-sdk/client-ram';
import { DeleteResourcePolicyCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient, SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { errorName, type AwsClients } from '../engine/aws';
import { runStep } from '../engine/calls';
import { mapBounded } from '../engine/concurrency';
import type { DepartureConfig } from '../engine/config';
import { bucketNames } from '../engine/discover-buckets';
import type { AnalyzerFinding, Inventory, PolicyHolder, ResourcePolicies } from '../engine/inventory';
import type { ResourceType, Step } from '../engine/model';
import { readAccount, type Permission } from '../engine/permissions';
import { accountOf } from '../engine/policy-rewrite';
import type { Sweep } from '../engine/run';
import { Ec2ImageShare } from './ec2-image-share';
import { Ec2SnapshotShare } from './ec2-snapshot-share';
import { EcrRepositoryPolicy } from './ecr-repository-policy';
import { EventBusPolicy } from './events-bus-policy';
import { resourceKey, type PlanContext, type ResourceKind } from './kind';
import { KmsKeyPolicy } from './kms-key-policy';
import { LambdaFunctionPolicy, LambdaLayerPolicy } from './lambda-permission';
import { RamResourceShare } from './ram-share';
import { granteesOf, unreadable, type FindContext, type SweepKind } from './resource-policy';
import { S3BucketPolicy } from './s3-bucket-policy';
import { SecretPolicy } from './secretsmanager-secret-policy';
import { SnsTopicPolicy } from './sns-topic-policy';
import { SqsQueuePolicy } from './sqs-queue-policy';

/** Every kind of resource policy or share the sweep reads. */
export const SWEEP_KINDS: readonly SweepKind[] = [
  KmsKeyPolicy,
  S3BucketPolicy,
  SnsTopicPolicy,
  SqsQueuePolicy,
  LambdaFunctionPolicy,
  LambdaLayerPolicy,
  SecretPolicy,
  EcrRepositoryPolicy,
  EventBusPolicy,
  Ec2SnapshotShare,
  Ec2ImageShare,
  RamResourceShare,
];

/** Kinds read in parallel (each with its own per-resource reads, DISCOVERY_CONCURRENCY at a time). */
export const SWEEP_TASKS = 4;

/**
 * Where the sweep looks, when a driver names the regions itself (tests). By default the sweep reads the regions core
 * discovery listed (`inventory.enabledRegions`: Account ListRegions, narrowed by the config's `regions`), so the
 * account's regions are listed once per run and by one permission.
 */
export type RegionSource = (clients: AwsClients) => Promise<{ regions: string[]; error?: string }>;

export interface SweepOptions {
  /** @default the enabled regions discovery read (`inventory.enabledRegions`) */
  readonly regions?: RegionSource;
  /** The sweep alone: see `Sweep.only` (engine/run.ts). @default false */
  readonly only?: boolean;
}

/** The sweep, for `runDeparture({ sweep })`. */
export function createSweep(options: SweepOptions = {}): Sweep {
  return {
    kinds: [...SWEEP_KINDS, SweepRegions, AnalyzerCrossCheck] as unknown as readonly ResourceKind<never>[],
    discover: async (clients, config, inventory) => ({ resourcePolicies: await discoverResourcePolicies(clients, config, inventory, options.regions ?? (async () => inventory.enabledRegions)) }),
    runStep: runSweepStep,
    ...(options.only ? { only: true } : {}),
  };
}

export async function discoverResourcePolicies(clients: AwsClients, config: DepartureConfig, inventory: Inventory, source: RegionSource): Promise<ResourcePolicies> {
  const home = await clients.lambda.config.region();
  const listed = await source(clients).catch((error: unknown) => ({ regions: [home], error: `${errorName(error)}: ${(error as Error).message}` }));
  const regions = listed.regions.length ? [...new Set(listed.regions)] : [home];
  const context: FindContext = { accountId: inventory.accountId, partition: inventory.partition, config, providerBuckets: bucketNames(config.buckets, inventory.accountId) };
  const tasks = [
    ...SWEEP_KINDS.filter((kind) => kind.global).map((kind) => ({ kind, region: home })),
    ...regions.flatMap((region) => SWEEP_KINDS.filter((kind) => !kind.global).map((kind) => ({ kind, region }))),
  ];
  const found = await mapBounded(tasks, SWEEP_TASKS, async ({ kind, region }) => {
    try {
      return await kind.find(clients, region, context);
    } catch (error) {
      return [unreadable(kind.type, region, `${kind.service} in ${region}`, '', error)];
    }
  });
  const findings = await mapBounded(regions, SWEEP_TASKS, (region) => analyzerFindings(clients, region, config));
  const regionError: PolicyHolder[] = listed.error
    ? [{ type: 'account:regions', region: home, name: 'enabled regions', arn: '', error: `${listed.error}; swept only ${regions.join(', ')}` }]
    : [];
  return { regions, items: [...regionError, ...found.flat()], findings: findings.flat() };
}

/** Active external-access findings of the region's analyzers whose principal is the provider's. */
async function analyzerFindings(clients: AwsClients, region: string, config: DepartureConfig): Promise<AnalyzerFinding[]> {
  const analyzer = clients.clientFor(AccessAnalyzerClient, region);
  const found: AnalyzerFinding[] = [];
  let current = '(ListAnalyzers)';
  try {
    for await (const page of paginateListAnalyzers({ client: analyzer }, {})) {
      // ACCOUNT and ORGANIZATION analyzers find external access; the *_UNUSED_ACCESS ones do not.
      for (const { arn, type, status } of page.analyzers ?? []) {
        if (status !== 'ACTIVE' || (type !== 'ACCOUNT' && type !== 'ORGANIZATION')) continue;
        current = arn!;
        for await (const findings of paginateListFindings({ client: analyzer }, { analyzerArn: arn, filter: { status: { eq: ['ACTIVE'] } } })) {
          for (const finding of findings.findings ?? []) {
            const principals = Object.values(finding.principal ?? {});
            const orgs = Object.entries(finding.condition ?? {}).filter(([key]) => /^aws:PrincipalOrgID$/i.test(key)).map(([, value]) => value);
            const provider = principals.filter((p) => config.providerAccountIds.includes(accountOf(p) ?? '')).concat(orgs.filter((o) => (config.providerOrganizationIds ?? []).includes(o)));
            if (provider.length) found.push({ region, analyzer: arn!, id: finding.id!, resource: finding.resource ?? '', resourceType: finding.resourceType ?? '', principals: provider });
          }
        }
      }
    }
  } catch (error) {
    found.push({ region, analyzer: current, id: `${region}:error`, resource: '', resourceType: '', principals: [], error: `${errorName(error)}: ${(error as Error).message}` });
  }
  return found;
}

/** The enabled regions could not be listed: the report says which regions the sweep read instead. */
export const SweepRegions: ResourceKind<PolicyHolder> = {
  type: 'account:regions',
  dependsOn: [],
  list: (inventory) => (inventory.resourcePolicies?.items ?? []).filter((holder) => holder.type === 'account:regions'),
  describe: (holder) => ({ name: holder.name, arn: holder.arn, region: holder.region }),
  decide: (holder) => ({ action: 'flag', reason: `could not list the enabled regions: ${holder.error}` }),
  steps: () => [],
  permissions: [],
};

/**
 * IAM Access Analyzer's view of the same grants: a finding whose resource the sweep (or the IAM kinds, for a role's
 * trust) did not report is flagged, so nothing the sweep cannot read (a service it does not know) goes unseen.
 */
export const AnalyzerCrossCheck: ResourceKind<AnalyzerFinding> = {
  type: 'accessanalyzer:finding',
  dependsOn: [],
  decidedAfter: [...SWEEP_KINDS.map((kind) => kind.type), 'iam:role', 's3:bucket'],
  list: (inventory) => inventory.resourcePolicies?.findings ?? [],
  describe: (finding) => ({ name: finding.id, arn: finding.resource, region: finding.region }),
  decide: (finding, context) => {
    if (finding.error) return { action: 'flag', reason: `IAM Access Analyzer findings could not be read (${finding.analyzer}): ${finding.error}` };
    const by = reportedBy(finding.resource, context);
    if (by) return { action: 'skip', reason: `IAM Access Analyzer agrees: reported as ${by}` };
    return {
      action: 'flag',
      reason: `IAM Access Analyzer finds ${finding.resourceType} ${finding.resource} open to ${finding.principals.join(', ')}, which the sweep did not report: review it by hand`,
    };
  },
  steps: () => [],
  permissions: [],
};

/** The kind that reported the resource (as anything but skip), if one did. */
function reportedBy(arn: string, context: PlanContext): ResourceType | undefined {
  const grantees = granteesOf(context);
  for (const holder of context.inventory.resourcePolicies?.items ?? []) {
    if (holder.arn !== arn) continue;
    const kind = SWEEP_KINDS.find((k) => k.type === holder.type)!;
    const review = holder.error ? undefined : kind.review(holder, grantees, context);
    if (holder.error || review!.removed.length || review!.open.length) return holder.type;
  }
  const role = context.inventory.roles.find((r) => r.arn === arn);
  if (role && context.decisions.get(resourceKey('iam:role', role.name)) !== 'skip') return 'iam:role';
  const bucket = context.inventory.buckets.find((b) => b.arn === arn);
  return bucket && context.decisions.get(resourceKey('s3:bucket', bucket.name)) !== 'skip' ? 's3:bucket' : undefined;
}

type CommandClass = new (input: never) => unknown;
type ClientClass = new (config: never) => { send(command: unknown): Promise<unknown> };

/** The only calls the sweep's steps can make, per service (and the client class of the step's region). */
const SWEEP_CALLS: Readonly<Record<string, { readonly Client: ClientClass; readonly calls: Readonly<Record<string, CommandClass>> }>> = {
  kms: { Client: KMSClient, calls: { PutKeyPolicy: PutKeyPolicyCommand } },
  sns: { Client: SNSClient, calls: { SetTopicAttributes: SetTopicAttributesCommand } },
  sqs: { Client: SQSClient, calls: { SetQueueAttributes: SetQueueAttributesCommand } },
  lambda: { Client: LambdaClient, calls: { RemovePermission: RemovePermissionCommand, RemoveLayerVersionPermission: RemoveLayerVersionPermissionCommand } },
  secretsmanager: { Client: SecretsManagerClient, calls: { PutResourcePolicy: PutResourcePolicyCommand, DeleteResourcePolicy: DeleteResourcePolicyCommand } },
  ecr: { Client: ECRClient, calls: { SetRepositoryPolicy: SetRepositoryPolicyCommand, DeleteRepositoryPolicy: DeleteRepositoryPolicyCommand } },
  events: { Client: EventBridgeClient, calls: { RemovePermission: RemoveBusPermissionCommand } },
  ec2: { Client: EC2Client, calls: { ModifySnapshotAttribute: ModifySnapshotAttributeCommand, ModifyImageAttribute: ModifyImageAttributeCommand } },
  ram: { Client: RAMClient, calls: { DisassociateResourceShare: DisassociateResourceShareCommand } },
} as unknown as Readonly<Record<string, { readonly Client: ClientClass; readonly calls: Readonly<Record<string, CommandClass>> }>>;

/** What the services answer when the resource a step changes went away since the plan: the step is done. */
const GONE = /^(NotFoundException|NotFound|ResourceNotFoundException|AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist|RepositoryNotFoundException|RepositoryPolicyNotFoundException|InvalidSnapshot\.NotFound|InvalidAMIID\.(NotFound|Unavailable)|UnknownResourceException)$/;

/** Runs a sweep step in its region (the engine's own steps as the engine runs them). */
export async function runSweepStep(clients: AwsClients, planned: Step): Promise<string | void> {
  const entry = SWEEP_CALLS[planned.service];
  const Command = entry?.calls[planned.call];
  if (!entry || !Command) return runStep(clients, planned);
  const client = clients.clientFor(entry.Client, planned.region ?? (await clients.lambda.config.region()));
  try {
    await client.send(new Command(planned.input as never));
  } catch (error) {
    if (GONE.test(errorName(error))) return 'already gone';
    throw error;
  }
}

/** Every permission the sweep needs: each kind's, and Access Analyzer's reads. */
export const SWEEP_PERMISSIONS: readonly Permission[] = [
  ...SWEEP_KINDS.flatMap((kind) => kind.permissions),
  readAccount(['access-analyzer:ListAnalyzers']),
  {
    sid: 'SweepReadAnalyzerFindings',
    actions: ['access-analyzer:ListFindings'],
    resources: ['arn:{partition}:access-analyzer:*:{account}:analyzer/*'],
    reason: "The cross-check reads every analyzer's findings, in every region.",
  },
];
