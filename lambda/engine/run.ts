/**
 * One departure run: discover → plan → (apply) → report. Plan and apply share this path; plan mode stops
 * before the first mutating call. Every driver (CLI, Lambda, rehearsal) calls this and only formats.
 */
import { RESOURCE_KINDS } from '../resources';
import { applyActions } from './apply';
import type { AwsClients } from './aws';
import type { DepartureConfig } from './config';
import { discover } from './discover';
import { orderKinds, plan } from './plan';
import type { Inventory, OrganizationStatus } from './inventory';
import type { Action } from './model';
import { summarize, type DepartureReport, type Mode } from './report';
import { checkReadiness, type ReadinessCheck } from './readiness';

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
}

export async function runDeparture(options: RunOptions): Promise<DepartureReport> {
  const startedAt = new Date().toISOString();
  const inventory = await discover(options.clients, options.config);
  if (options.mode === 'apply') refuseUnlessStandalone(inventory.organization, options.config, inventory.accountId);
  const actions = plan(inventory, options.config, RESOURCE_KINDS);
  options.onPlan?.(actions, inventory);
  if (options.mode === 'apply') {
    const order = orderKinds(RESOURCE_KINDS).map((kind) => kind.type);
    await applyActions(actions, order, options.clients, { concurrency: options.concurrency, signal: options.signal, deadline: options.deadline });
  }
  const readiness = await checkReadiness(options.clients, options.config, inventory.organization, actions);
  return buildReport(inventory, options.mode, startedAt, actions, readiness);
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
