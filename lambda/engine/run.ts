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
import type { Inventory } from './inventory';
import type { Action } from './model';
import { summarize, type DepartureReport, type Mode } from './report';

export interface RunOptions {
  readonly mode: Mode;
  readonly config: DepartureConfig;
  readonly clients: AwsClients;
  /** @default 8 */
  readonly concurrency?: number;
  /** Stops apply from starting further steps (e.g. when the Lambda is about to time out). */
  readonly signal?: AbortSignal;
  /**
   * Receives the planned actions before apply starts; apply then records each outcome on them in place,
   * so a caller that must answer early can still say what was done.
   */
  readonly onPlan?: (actions: readonly Action[]) => void;
}

export async function runDeparture(options: RunOptions): Promise<DepartureReport> {
  const startedAt = new Date().toISOString();
  const inventory = await discover(options.clients, options.config);
  const actions = plan(inventory, options.config, RESOURCE_KINDS);
  options.onPlan?.(actions);
  if (options.mode === 'apply') {
    const order = orderKinds(RESOURCE_KINDS).map((kind) => kind.type);
    await applyActions(actions, order, options.clients, { concurrency: options.concurrency, signal: options.signal });
  }
  return buildReport(inventory, options.mode, startedAt, actions);
}

export function buildReport(
  identity: Pick<Inventory, 'accountId' | 'caller'>,
  mode: Mode,
  startedAt: string,
  actions: readonly Action[],
): DepartureReport {
  return {
    tool: 'ctl-departure',
    accountId: identity.accountId,
    mode,
    caller: identity.caller.arn,
    startedAt,
    finishedAt: new Date().toISOString(),
    actions,
    summary: summarize(actions),
  };
}
