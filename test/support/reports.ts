/** Reports and actions built in memory, for tests of what consumes reports (handler answers, combined report). */
import type { Action } from '../../lambda/engine/model';
import { summarize, type DepartureReport } from '../../lambda/engine/report';

export const action = (name: string, status: Action['status'], options: { decision?: Action['action']; error?: string; account?: string } = {}): Action => ({
  resource: 'iam:role',
  name,
  arn: `arn:aws:iam::${options.account ?? '123456789012'}:role/${name}`,
  action: options.decision ?? 'delete',
  reason: 'name starts with provider prefix "CTL"',
  status,
  ...(options.error ? { error: options.error } : {}),
  steps: [],
});

export const report = (accountId: string, mode: 'plan' | 'apply', actions: Action[]): DepartureReport => ({
  tool: 'ctl-departure',
  accountId,
  mode,
  caller: `arn:aws:sts::${accountId}:assumed-role/f-role/f`,
  startedAt: 't0',
  finishedAt: 't1',
  organization: { status: 'standalone' },
  warnings: [],
  actions,
  summary: summarize(actions),
});
