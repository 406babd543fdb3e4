/**
 * Groups a departure deleted.
 * - Recreated by: CreateGroup with its path, then PutGroupPolicy and AttachGroupPolicy. Its members come back as
 *   items of their own (membership.ts), once the users exist too.
 * - The same when: a group of that name has the same path (a group has nothing else of its own); then only missing
 *   inline policies and attachments are put back (an inline policy with another document is a conflict).
 */
import type { GroupBackup } from '../../lambda/engine/backup';
import type { Step } from '../../lambda/engine/model';
import { itemFrom, key, settled, type RestoreContext } from './context';
import { restorePolicies } from './principal-policies';
import { iamStep, type RestoreItem } from './model';

export function planGroup(backup: GroupBackup, sources: readonly string[], context: RestoreContext): RestoreItem {
  const { state } = context;
  const GroupName = backup.GroupName;
  const current = state.groups[GroupName];
  if (current && current.Path !== backup.Path) {
    context.planned.set(key.group(GroupName), 'conflict');
    return settled('iam:group', GroupName, sources, 'conflict', `the name is taken by a group with another path ${current.Path} (backed up: ${backup.Path}): not overwritten`);
  }
  context.planned.set(key.group(GroupName), 'ours');
  const steps: Step[] = [];
  const notes: string[] = [];
  const done: string[] = [];
  if (!current) {
    steps.push(iamStep('CreateGroup', { GroupName, Path: backup.Path }));
    done.push(`recreated (path ${backup.Path})`);
    if (backup.GroupId) notes.push(`not restorable: the old unique id ${backup.GroupId}: the recreated group gets a new one`);
  }
  restorePolicies('Group', GroupName, backup, current, context, { steps, notes, done });
  return itemFrom({
    phase: 'iam:group',
    name: GroupName,
    sources,
    steps,
    notes,
    reasons: {
      restore: current ? `there with the same path; put back: ${done.join(', ')}` : `deleted by the departure: ${done.join(', ')}`,
      same: 'there with the same path, inline and attached policies',
    },
  });
}
