/**
 * What roles, users and groups share when a restore puts them back: their inline policies and managed attachments.
 * A missing inline policy is put back and one with another document now is a conflict (never overwritten); a missing
 * attachment is made again when its policy is there or restored by this run, else it is a `needs` line.
 */
import type { InlinePolicy } from '../../lambda/engine/backup';
import type { Step } from '../../lambda/engine/model';
import { availability, key, needsLine, type RestoreContext } from './context';
import { iamStep, isAwsManaged, policyNameOf, sameDocument } from './model';

interface PoliciesOf {
  readonly InlinePolicies: readonly InlinePolicy[];
  readonly AttachedPolicyArns: readonly string[];
}

/** Where a principal's planner collects its calls, its notes and the words of its reason. */
export interface PlannedParts {
  readonly steps: Step[];
  readonly notes: string[];
  readonly done: string[];
}

/** `Role`, `User` or `Group`: the IAM calls are `Put<Kind>Policy` and `Attach<Kind>Policy`, naming `<Kind>Name`. */
export type PrincipalKind = 'Role' | 'User' | 'Group';

export function restorePolicies(kind: PrincipalKind, name: string, backup: PoliciesOf, current: PoliciesOf | undefined, context: RestoreContext, parts: PlannedParts): void {
  const principal = { [`${kind}Name`]: name };
  let inline = 0;
  for (const policy of backup.InlinePolicies) {
    const now = current?.InlinePolicies.find((p) => p.PolicyName === policy.PolicyName);
    if (!now) {
      parts.steps.push(iamStep(`Put${kind}Policy`, { ...principal, PolicyName: policy.PolicyName, PolicyDocument: JSON.stringify(policy.PolicyDocument) }));
      inline++;
    } else if (!sameDocument(now.PolicyDocument, policy.PolicyDocument)) {
      parts.notes.push(`conflict: inline policy ${policy.PolicyName} has another document now: not overwritten`);
    }
  }
  if (inline) parts.done.push(`${inline} inline polic${inline === 1 ? 'y' : 'ies'}`);
  let attached = 0;
  for (const arn of backup.AttachedPolicyArns) {
    if (current?.AttachedPolicyArns.includes(arn)) continue;
    const there = isAwsManaged(arn) ? 'present' : availability(context, key.policy(arn), arn in context.state.policies);
    if (there === 'missing' || there === 'conflict') {
      parts.notes.push(needsLine(context, `managed policy ${policyNameOf(arn)} (to attach it)`, key.policy(arn)));
      continue;
    }
    parts.steps.push(iamStep(`Attach${kind}Policy`, { ...principal, PolicyArn: arn }));
    attached++;
  }
  if (attached) parts.done.push(`${attached} managed polic${attached === 1 ? 'y' : 'ies'} attached`);
}
