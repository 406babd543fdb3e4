/**
 * Groups a departure deleted.
 * - Recreated by: CreateGroup with its path, then PutGroupPolicy and AttachGroupPolicy. Its members come back as
 *   items of their own (membership.ts), once the users exist too.
 * - The same when: a group of that name has the same path (a group has nothing else of its own); then only missing
 *   inline policies and attachments are put back (an inline policy with another document is a conflict).
 */
import type { GroupBackup } from '../../lambda/engine/backup';
import type { Step } from '../../lambda/engine/model';
import { availability, itemFrom, key, needsLine, settled, type RestoreContext } from './context';
import { iamStep, isAwsManaged, policyNameOf, sameDocument, type RestoreItem } from './model';

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
  let inline = 0;
  for (const policy of backup.InlinePolicies) {
    const now = current?.InlinePolicies.find((p) => p.PolicyName === policy.PolicyName);
    if (!now) {
      steps.push(iamStep('PutGroupPolicy', { GroupName, PolicyName: policy.PolicyName, PolicyDocument: JSON.stringify(policy.PolicyDocument) }));
      inline++;
    } else if (!sameDocument(now.PolicyDocument, policy.PolicyDocument)) {
      notes.push(`conflict: inline policy ${policy.PolicyName} has another document now: not overwritten`);
    }
  }
  if (inline) done.push(`${inline} inline polic${inline === 1 ? 'y' : 'ies'}`);
  let attached = 0;
  for (const arn of backup.AttachedPolicyArns) {
    if (current?.AttachedPolicyArns.includes(arn)) continue;
    const there = isAwsManaged(arn) ? 'present' : availability(context, key.policy(arn), arn in state.policies);
    if (there === 'missing' || there === 'conflict') {
      notes.push(needsLine(context, `managed policy ${policyNameOf(arn)} (to attach it)`, key.policy(arn)));
      continue;
    }
    steps.push(iamStep('AttachGroupPolicy', { GroupName, PolicyArn: arn }));
    attached++;
  }
  if (attached) done.push(`${attached} managed polic${attached === 1 ? 'y' : 'ies'} attached`);
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
