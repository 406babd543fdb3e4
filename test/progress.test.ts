/** The progress line's figures while apply runs: done/total, failed, rate and time left. */
import { Progress } from '../cli/progress';
import type { Action } from '../lambda/engine/model';
import { step } from '../lambda/engine/model';

test('mid-apply: steps done of all, failed actions, a rate and the time left; nothing shown for a short run', () => {
  const shown: string[] = [];
  const progress = new Progress({ isTTY: false, write: (t) => shown.push(t), everyMs: 60_000 });
  const action = (statuses: Array<'planned' | 'done' | 'failed'>, status: Action['status']): Action => ({
    resource: 'iam:role', name: 'CTLRole', arn: 'arn:aws:iam::123456789012:role/CTLRole', action: 'delete', reason: 'provider role', status,
    steps: statuses.map((s) => ({ ...step('DeleteRole', { RoleName: 'CTLRole' }), status: s })),
  });
  expect(progress.line()).toMatch(/^discovering: 0s$/);
  progress.applying([action(['done', 'done', 'planned'], 'planned'), action(['failed'], 'failed'), action(['planned'], 'planned')]);
  expect(progress.line()).toMatch(/^applying: 2\/5 steps done, 1 actions failed, \d+\.\d steps\/s, ~\d+s left \(0s\)$/);
  progress.stop();
  expect(shown).toEqual([]);
});
