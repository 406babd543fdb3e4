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
import { summarize, type DepartureReport, type Mode } from './report';

export interface RunOptions {
  readonly mode: Mode;
  readonly config: DepartureConfig;
  readonly clients: AwsClients;
  /** @default 8 */
  readonly concurrency?: number;
}

export async function runDeparture(options: RunOptions): Promise<DepartureReport> {
  const startedAt = new Date().toISOString();
  const inventory = await discover(options.clients, options.config);
  const actions = plan(inventory, options.config, RESOURCE_KINDS);
  if (options.mode === 'apply') {
    const order = orderKinds(RESOURCE_KINDS).map((kind) => kind.type);
    await applyActions(actions, order, options.clients, { concurrency: options.concurrency });
  }
  return {
    tool: 'ctl-departure',
    accountId: inventory.accountId,
    mode: options.mode,
    caller: inventory.caller.arn,
    startedAt,
    finishedAt: new Date().toISOString(),
    actions,
    summary: summarize(actions),
  };
}
