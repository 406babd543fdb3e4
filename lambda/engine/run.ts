/**
 * One departure run: discover → plan → (apply) → report. Plan and apply share this path; plan mode stops
 * before the first mutating call. Every driver (CLI, Lambda, rehearsal) calls this and only formats.
 */
import { RESOURCE_KINDS } from '../resources';
import { resourceKey, type ResourceKind } from '../resources/kind';
import { applyActions, describeError } from './apply';
import type { AwsClients } from './aws';
import { DISCOVERY_CONCURRENCY, forEachBounded } from './concurrency';
import type { DepartureConfig } from './config';
import { discover } from './discover';
import { orderKinds, plan, planContext } from './plan';
import type { Inventory, OrganizationStatus } from './inventory';
import type { Action } from './model';
import type { StepRunner } from './calls';
import { summarize, type DepartureReport, type Mode } from './report';
import { checkReadiness, type ReadinessCheck } from './readiness';
import { CLEANUP_BUNDLE, SWEEP_BUNDLE } from './bundle';

export interface RunOptions {
  readonly mode: Mode;
  readonly config: DepartureConfig;
  readonly clients: AwsClients;
  /** @default 8 */
  readonly concurrency?: number;
  /** Stops apply from starting further steps (e.g. when the Lambda is about to time out). */
  readonly signal?: AbortSignal;
  /** Epoch milliseconds after which apply starts no later pass over failed actions (see `ApplyOptions.deadline`). */
  readonly deadline?: number;
  /**
   * Receives the planned actions (and the inventory they came from) before apply starts; apply then records each
   * outcome on them in place, so a caller that must answer early can still report what was done.
   */
  readonly onPlan?: (actions: readonly Action[], inventory: Inventory) => void;
  /** More kinds, found by a discovery of their own (the CLI's sweep of resource policies, lambda/resources/sweep.ts). */
  readonly sweep?: Sweep;
}

/** Kinds outside the engine's core: how they are found, planned and applied. The stack's function has none. */
export interface Sweep {
  readonly kinds: readonly ResourceKind<never>[];
  /** Reads what the kinds list, after the core discovery (whose inventory it may read). */
  readonly discover: (clients: AwsClients, config: DepartureConfig, inventory: Inventory) => Promise<Partial<Inventory>>;
  /** Runs every step, the kinds' own calls (any region) included. */
  readonly runStep: StepRunner;
  /**
   * Only the sweep (the sweep stack's function): IAM is discovered and planned only to tell the sweep which principals
   * and federation providers the departure deletes (grants to them are the provider's); those IAM actions are neither
   * applied nor reported, and provider buckets, automation and readiness are not read, since the cleanup stack (or the
   * CLI) owns them and reports them. The report holds the sweep's actions alone.
   * @default false (the whole departure, and the sweep's kinds with it)
   */
  readonly only?: boolean;
}

export async function runDeparture(options: RunOptions): Promise<DepartureReport> {
  const startedAt = new Date().toISOString();
  // The cleanup stack's function is never given a sweep, nor requireStandalone (lambda/properties.ts has no such key).
  const sweep = CLEANUP_BUNDLE ? undefined : options.sweep;
  // A constant in either stack's bundle (engine/bundle.ts): each carries only its own path.
  const sweepOnly = !CLEANUP_BUNDLE && (SWEEP_BUNDLE || !!sweep?.only);
  const core = await discover(options.clients, options.config, sweepOnly ? 'iam' : 'all');
  const inventory: Inventory = sweep ? { ...core, ...(await sweep.discover(options.clients, options.config, core)) } : core;
  if (!CLEANUP_BUNDLE && options.mode === 'apply') refuseUnlessStandalone(inventory.organization, options.config, inventory.accountId);
  const kinds = sweep ? [...RESOURCE_KINDS, ...sweep.kinds] : RESOURCE_KINDS;
  const planned = plan(inventory, options.config, kinds);
  const sweepTypes = new Set(sweep?.kinds.map((kind) => kind.type));
  const actions = sweepOnly ? planned.filter((action) => sweepTypes.has(action.resource)) : planned;
  options.onPlan?.(actions, inventory);
  if (options.mode === 'apply') {
    await captureBackups(actions, inventory, options);
    const order = orderKinds(kinds).map((kind) => kind.type);
    await applyActions(actions, order, options.clients, { concurrency: options.concurrency, signal: options.signal, deadline: options.deadline, runStep: sweep?.runStep });
  }
  if (sweepOnly) return buildReport(inventory, options.mode, startedAt, actions);
  const readiness = await checkReadiness(options.clients, options.config, inventory.organization, actions);
  return buildReport(inventory, options.mode, startedAt, actions, readiness);
}

/**
 * Before the run's first change, each acting action's backup (engine/backup.ts), built by its kind from the inventory
 * and a few reads, DISCOVERY_CONCURRENCY at a time. An action whose backup cannot be read does not run: it fails,
 * saying why, and the others go on (one that needed it, such as a policy the role still holds, fails in turn).
 */
export async function captureBackups(actions: readonly Action[], inventory: Inventory, options: Pick<RunOptions, 'config' | 'clients' | 'signal'>, kinds = RESOURCE_KINDS): Promise<void> {
  const context = { ...planContext(inventory, options.config, new Map(actions.map((a) => [resourceKey(a.resource, a.name), a.action]))), clients: options.clients };
  const items = new Map<string, [ResourceKind<never>, never]>();
  for (const kind of kinds) if (kind.backup) for (const item of kind.list(inventory)) items.set(resourceKey(kind.type, kind.describe(item).name), [kind, item]);
  await forEachBounded(actions, DISCOVERY_CONCURRENCY, async (action) => {
    const [kind, item] = items.get(resourceKey(action.resource, action.name)) ?? [];
    if (!kind || action.status !== 'planned' || options.signal?.aborted) return;
    try {
      action.backup = await kind.backup!(item!, action, context);
    } catch (error) {
      action.status = 'failed';
      action.error = `backup could not be read: ${describeError(error)}; nothing of it was changed`;
    }
  });
}

/** Apply refused before any change, with what to do about it. */
export class ApplyRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplyRefused';
  }
}

/** With `requireStandalone`, apply does not start inside an organization that is not allowed. */
function refuseUnlessStandalone(organization: OrganizationStatus, config: DepartureConfig, accountId: string): void {
  if (!config.requireStandalone || organization.status === 'standalone') return;
  if (organization.status === 'unknown') {
    throw new ApplyRefused(`apply refused (requireStandalone): cannot tell whether account ${accountId} is in an organization (${organization.error}); allow organizations:DescribeOrganization`);
  }
  if (config.allowedOrganizations.includes(organization.managementAccountId) || config.allowedOrganizations.includes(organization.id)) return;
  throw new ApplyRefused(
    `apply refused (requireStandalone): account ${accountId} is in organization ${organization.id} (management account ${organization.managementAccountId}); ` +
      `leave it first, or add "${organization.managementAccountId}" to allowedOrganizations`,
  );
}

/**
 * What a reviewer should know before applying: the organization, what could not be read, and every principal the
 * plan deletes that was used recently (its evidence's `recentUse`).
 */
export function runWarnings(inventory: Pick<Inventory, 'organization'> & Partial<Pick<Inventory, 'automation' | 'enabledRegions'>>, actions: readonly Action[] = []): string[] {
  const unreadable = inventory.automation?.unreadable ?? [];
  const regions = inventory.enabledRegions;
  return [
    ...organizationWarnings(inventory.organization),
    ...(regions?.error ? [`${regions.error}: the provider's automation was looked for in ${regions.regions.join(', ') || 'no region'} only`] : []),
    ...(unreadable.length ? [`could not list ${unreadable.join(', ')}: the provider's automation there is not reviewed`] : []),
    ...actions.filter((a) => a.action === 'delete' && a.evidence?.recentUse).map((a) => `${a.name} was used ${a.evidence!.recentUse}: review before apply`),
  ];
}

export function organizationWarnings(organization: OrganizationStatus): string[] {
  if (organization.status === 'member') {
    return [
      `account is in organization ${organization.id} (management account ${organization.managementAccountId}): its service control policies may deny these deletions; leave the organization first, or expect items reported as denied`,
    ];
  }
  if (organization.status === 'unknown') return [`could not read the organization (${organization.error}): service control policies may deny deletions`];
  return [];
}

export function buildReport(
  identity: Pick<Inventory, 'accountId' | 'caller' | 'organization'> & Partial<Pick<Inventory, 'automation' | 'enabledRegions'>>,
  mode: Mode,
  startedAt: string,
  actions: readonly Action[],
  readiness?: readonly ReadinessCheck[],
): DepartureReport {
  return {
    tool: 'ctl-departure',
    accountId: identity.accountId,
    mode,
    caller: identity.caller.arn,
    organization: identity.organization,
    warnings: runWarnings(identity, actions),
    startedAt,
    finishedAt: new Date().toISOString(),
    actions,
    summary: summarize(actions),
    ...(readiness ? { readiness } : {}),
  };
}
