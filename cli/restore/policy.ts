/**
 * Customer-managed policies a departure deleted, and the principals it detached them from.
 * - Recreated by: CreatePolicy with the oldest version's document, its path, description and tags, then
 *   CreatePolicyVersion for each later version in order, the backed-up default one with SetAsDefault. IAM numbers
 *   a new policy's versions from v1 again: version ids may differ, and the plan says so.
 * - The same when: a policy of that name and path has the same description and its versions' documents are the
 *   backed-up ones, in order (a policy whose first versions match is one a restore began: its later versions are
 *   added). Other documents, another default or another description are a conflict: never overwritten.
 * - Attachments (a later phase): back on each principal it was detached from that stays (customer principals); a
 *   principal that is itself restored attaches it in its own item.
 */
import type { PolicyBackup, PrincipalRef } from '../../lambda/engine/backup';
import type { Step } from '../../lambda/engine/model';
import { availability, itemFrom, key, needsLine, settled, type RestoreContext } from './context';
import { iamStep, policyArn, sameDocument, tagDifference, type RestoreItem } from './model';

const versionNumber = (id: string) => Number(/^v(\d+)/.exec(id)?.[1] ?? 0);
/** Oldest first: IAM numbers versions in the order they were made and never reuses a number. */
const inOrder = <T extends { readonly VersionId: string }>(versions: readonly T[]) => [...versions].sort((a, b) => versionNumber(a.VersionId) - versionNumber(b.VersionId));

export function planPolicy(backup: PolicyBackup, sources: readonly string[], context: RestoreContext): RestoreItem {
  const { state } = context;
  const PolicyArn = policyArn(state, backup.Path, backup.PolicyName);
  const current = state.policies[PolicyArn];
  const versions = inOrder(backup.Versions);
  const conflict = (reason: string) => {
    context.planned.set(key.policy(PolicyArn), 'conflict');
    return settled('iam:policy', backup.PolicyName, sources, 'conflict', `${reason}: not overwritten`);
  };
  if (!versions.length) return conflict('the backup holds no version of it');
  const steps: Step[] = [];
  const notes: string[] = [];
  const done: string[] = [];
  if (!current) {
    const [first, ...later] = versions;
    steps.push(
      iamStep('CreatePolicy', {
        PolicyName: backup.PolicyName,
        Path: backup.Path,
        PolicyDocument: JSON.stringify(first!.Document),
        ...(backup.Description ? { Description: backup.Description } : {}),
        ...(backup.Tags.length ? { Tags: backup.Tags } : {}),
      }),
    );
    for (const version of later) steps.push(iamStep('CreatePolicyVersion', { PolicyArn, PolicyDocument: JSON.stringify(version.Document), SetAsDefault: version.IsDefaultVersion }));
    done.push(`recreated with ${versions.length} version(s)${versions.length > 1 ? `, the ${ordinal(versions.findIndex((v) => v.IsDefaultVersion))} the default` : ''}${backup.Tags.length ? `, ${backup.Tags.length} tag(s)` : ''}`);
    const renumbered = versions.map((v, at) => [v.VersionId, `v${at + 1}`] as const).filter(([was, will]) => was !== will);
    if (renumbered.length) notes.push(`not restorable: version ids: ${renumbered.map(([was, will]) => `${was} becomes ${will}`).join(', ')} (IAM numbers a new policy's versions from v1)`);
  } else {
    if ((current.Description ?? '') !== (backup.Description ?? '')) return conflict('the name is taken by a policy with another description');
    const now = inOrder(current.Versions);
    if (now.length > versions.length || now.some((v, at) => !sameDocument(v.Document, versions[at]!.Document))) {
      return conflict(`the name is taken by a policy with other versions (${now.length} there, ${versions.length} backed up, documents differ)`);
    }
    const wantedDefault = versions.findIndex((v) => v.IsDefaultVersion);
    const later = versions.slice(now.length);
    for (const version of later) steps.push(iamStep('CreatePolicyVersion', { PolicyArn, PolicyDocument: JSON.stringify(version.Document), SetAsDefault: version.IsDefaultVersion }));
    if (later.length) done.push(`${later.length} missing version(s)`);
    if (wantedDefault < now.length && !now[wantedDefault]!.IsDefaultVersion) {
      if (!later.length) return conflict(`the name is taken by a policy whose default is another of the same versions`);
      steps.push(iamStep('SetDefaultPolicyVersion', { PolicyArn, VersionId: now[wantedDefault]!.VersionId }));
      done.push(`the default back on ${now[wantedDefault]!.VersionId}`);
    }
    const tags = tagDifference(backup.Tags, current.Tags);
    if (tags.missing.length) {
      steps.push(iamStep('TagPolicy', { PolicyArn, Tags: tags.missing }));
      done.push(`${tags.missing.length} tag(s)`);
    }
    for (const tagKey of tags.differing) notes.push(`conflict: tag ${tagKey} has another value now: not overwritten`);
  }
  context.planned.set(key.policy(PolicyArn), 'ours');
  return itemFrom({
    phase: 'iam:policy',
    name: backup.PolicyName,
    sources,
    steps,
    notes,
    reasons: {
      restore: current ? `there with the same first versions; put back: ${done.join(', ')}` : `deleted by the departure: ${done.join(', ')}`,
      same: 'there with the same versions, default and tags',
    },
  });
}

const ordinal = (at: number) => ['first', 'second', 'third', 'fourth', 'fifth'][at] ?? `${at + 1}th`;

const ATTACH = { role: 'AttachRolePolicy', user: 'AttachUserPolicy', group: 'AttachGroupPolicy' } as const;
const NAME_FIELD = { role: 'RoleName', user: 'UserName', group: 'GroupName' } as const;

/** The deleted policy back on one principal it was detached from. */
export function planPolicyAttachment(backup: PolicyBackup, principal: PrincipalRef, sources: readonly string[], context: RestoreContext): RestoreItem {
  const { state } = context;
  const PolicyArn = policyArn(state, backup.Path, backup.PolicyName);
  const name = `${backup.PolicyName} on ${principal.kind} ${principal.name}`;
  const current = principal.kind === 'role' ? state.roles[principal.name] : principal.kind === 'user' ? state.users[principal.name] : state.groups[principal.name];
  const principalKey = key[principal.kind](principal.name);
  const missing = [
    ...[availability(context, key.policy(PolicyArn), PolicyArn in state.policies)].filter((a) => a === 'missing' || a === 'conflict').map(() => needsLine(context, `policy ${backup.PolicyName}`, key.policy(PolicyArn))),
    ...[availability(context, principalKey, !!current)].filter((a) => a === 'missing' || a === 'conflict').map(() => needsLine(context, `${principal.kind} ${principal.name}`, principalKey)),
  ];
  if (missing.length) {
    const decision = missing.some((line) => line.startsWith('conflict:')) ? 'conflict' : 'needs';
    return settled('iam:policy-attachment', name, sources, decision, missing.map((line) => line.replace(/^(needs|conflict): /, '')).join('; '), missing);
  }
  if (current?.AttachedPolicyArns.includes(PolicyArn)) return settled('iam:policy-attachment', name, sources, 'same', 'attached');
  return {
    phase: 'iam:policy-attachment',
    name,
    sources,
    decision: 'restore',
    reason: `detached by the departure: attached again to ${principal.kind} ${principal.name}`,
    notes: [],
    steps: [iamStep(ATTACH[principal.kind], { [NAME_FIELD[principal.kind]]: principal.name, PolicyArn })],
    status: 'planned',
  };
}
