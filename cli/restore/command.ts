/**
 * `ctl-departure restore --from REPORT.json [--only NAME ...] [--apply [--yes]]`: reads the apply report (refused in
 * one line before any AWS call when it is not one, or holds no backup), refuses credentials of another account, reads
 * the account, plans, and with `--apply` (confirmed on a terminal as apply is) puts back what the plan says.
 */
import { readFileSync } from 'node:fs';
import { createClients, type AwsClients } from '../../lambda/engine/aws';
import { callerIdentity } from '../../lambda/engine/discover';
import type { DepartureReport } from '../../lambda/engine/report';
import { printable } from '../format';
import type { Terminal } from '../leave-organization';
import { applyRestore } from './apply';
import { planRestore, restorable, RestoreRefused } from './plan';
import { formatRestore, summarizeRestore, type RestoreReport } from './report';
import { namedBy, readRestoreState } from './state';

export interface RestoreOptions {
  /** The apply report (`apply --report FILE`, or a report a rollout saved). */
  readonly from: string;
  /** @default everything the report backed up */
  readonly only: readonly string[];
  /** Carry the plan out; otherwise only show it. */
  readonly apply: boolean;
  /** With apply: do not ask for the account id on a terminal. */
  readonly yes: boolean;
  readonly json: boolean;
  readonly concurrency?: number;
}

export interface RestoreIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Reads and checks the report: an apply report of ctl-departure with at least one backup; otherwise one line, exit 2. */
export function readApplyReport(file: string): DepartureReport {
  let parsed: Partial<DepartureReport>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RestoreRefused(`--from ${file}: cannot read a JSON report (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); write one with ctl-departure apply --report FILE`);
  }
  if (parsed?.tool !== 'ctl-departure' || typeof parsed.accountId !== 'string' || !Array.isArray(parsed.actions)) {
    throw new RestoreRefused(`--from ${file}: not a ctl-departure report; write one with ctl-departure apply --report FILE`);
  }
  if (parsed.mode !== 'apply') throw new RestoreRefused(`--from ${file}: a ${printable(String(parsed.mode))} report changed nothing; restore needs the report of an apply (ctl-departure apply --report FILE)`);
  if (!parsed.actions.some((action) => action?.backup !== undefined)) {
    throw new RestoreRefused(`--from ${file}: no action in it has a backup (an apply by an engine that recorded none, or one that changed nothing): nothing to restore from`);
  }
  return parsed as DepartureReport;
}

/** The restore plan (and, with `apply`, its outcome) as a report. Exit code: 2 refused, 1 an item failed, else 0. */
export async function restore(options: RestoreOptions, io: RestoreIo, terminal: Terminal, clients: AwsClients = createClients()): Promise<{ code: number; report?: RestoreReport }> {
  const departure = readApplyReport(options.from);
  restorable(departure, options.only); // an --only name the report does not hold: refused before any AWS call
  const caller = await callerIdentity(clients.sts);
  if (caller.accountId !== departure.accountId) {
    throw new RestoreRefused(`--from ${options.from} is the report of account ${departure.accountId}, but these credentials are of account ${caller.accountId}: refused; nothing read or changed`);
  }
  const partition = caller.arn.split(':')[1] ?? 'aws';
  const state = await readRestoreState(clients, caller.accountId, partition, namedBy(departure.actions));
  const items = planRestore(departure, state, { only: options.only });
  const build = (mode: 'plan' | 'apply'): RestoreReport => ({
    tool: 'ctl-departure',
    command: 'restore',
    mode,
    accountId: caller.accountId,
    caller: caller.arn,
    from: { file: options.from, startedAt: departure.startedAt, finishedAt: departure.finishedAt },
    only: options.only,
    items,
    summary: summarizeRestore(items),
  });
  const plan = build('plan');
  const print = (report: RestoreReport) => io.out(options.json ? JSON.stringify(report, null, 2) : formatRestore(report));
  if (!options.apply || !plan.summary.steps) {
    print(plan);
    return { code: 0, report: plan };
  }
  if (!options.yes && terminal.isTTY) {
    io.err(formatRestore(plan));
    const typed = (await terminal.ask(`Restore in account ${caller.accountId}: ${plan.summary.restore + plan.summary.conflict} item(s), ${plan.summary.steps} call(s). Type the account id to confirm: `)).trim();
    if (typed !== caller.accountId) {
      io.err(`ctl-departure: "${printable(typed)}" is not ${caller.accountId}: not confirmed; nothing changed`);
      return { code: 1 };
    }
  }
  await applyRestore(items, clients, { concurrency: options.concurrency });
  const applied = build('apply');
  print(applied);
  return { code: applied.summary.failed ? 1 : 0, report: applied };
}
