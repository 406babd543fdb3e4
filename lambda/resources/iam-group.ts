/**
 * IAM groups.
 * - Found in: GetAccountAuthorizationDetails `GroupDetailList`; members from the users' group lists.
 * - Protected by: `exclude`, `identities.groups`, the CAM provider. Customer groups are never deleted: they only
 *   lose the provider policies attached to them (CTLCustomerPolicy is on every one; see iam-policy.ts).
 * - Removed by: removing the members that stay (provider users being deleted leave on their own), deleting
 *   inline policies, detaching managed policies, then DeleteGroup, which AWS refuses while any remains.
 * - Backed up from the inventory, with every member it had (those that stay leave in its steps, provider users
 *   being deleted in their own actions).
 */
import { inlinePolicies, type GroupBackup } from '../engine/backup';
import type { Group } from '../engine/inventory';
import { step, type Step } from '../engine/model';
import { iamArn, prefixNamed, type Permission } from '../engine/permissions';
import { principalKey, resourceKey, type BackupContext, type PlanContext, type ResourceKind, type Verdict } from './kind';
import { CLEANUP_BUNDLE } from '../engine/bundle';

function decide(group: Group, context: PlanContext): Verdict {
  const { config } = context;
  if (config.exclude.includes(group.name)) return { action: 'skip', reason: 'excluded by config' };
  const prefix = context.prefixOf(group.name);
  if (!prefix) return { action: 'skip', reason: 'not a provider group' };
  // The stack's properties cannot switch identity kinds off (lambda/properties.ts).
  if (!CLEANUP_BUNDLE && !config.identities.groups) return { action: 'skip', reason: 'provider group, but groups are switched off (identities.groups)' };
  const camPolicy = context.camPrincipals.get(principalKey('group', group.name));
  if (camPolicy) return { action: 'preserve', reason: `uses CAM provider policy ${camPolicy}, kept while the customer keeps CAM (keepCamProvider)` };
  const outOfReach = context.providerLikePath(group.path);
  if (outOfReach) return { action: 'flag', reason: `name starts with provider prefix "${prefix}", but ${outOfReach}` };
  return { action: 'delete', reason: `name starts with provider prefix "${prefix}"` };
}

function steps(group: Group, verdict: Verdict, context: PlanContext): Step[] {
  if (verdict.action === 'preserve') return []; // groups carry no tags
  const GroupName = group.name;
  const staying = (context.groupMembers.get(GroupName) ?? []).filter(
    (user) => context.decisions.get(resourceKey('iam:user', user)) !== 'delete',
  );
  return [
    ...staying.map((UserName) => step('RemoveUserFromGroup', { GroupName, UserName })),
    ...group.inlinePolicyNames.map((PolicyName) => step('DeleteGroupPolicy', { GroupName, PolicyName })),
    ...group.attachedPolicies.map((policy) => step('DetachGroupPolicy', { GroupName, PolicyArn: policy.arn })),
    step('DeleteGroup', { GroupName }),
  ];
}

async function backup(group: Group, _action: unknown, context: BackupContext): Promise<GroupBackup> {
  return {
    Path: group.path,
    GroupName: group.name,
    InlinePolicies: inlinePolicies(group),
    AttachedPolicyArns: group.attachedPolicies.map((policy) => policy.arn),
    Members: context.groupMembers.get(group.name) ?? [],
    GroupId: group.id,
  };
}

export const IamGroup: ResourceKind<Group> = {
  type: 'iam:group',
  dependsOn: ['iam:user'],
  list: (inventory) => inventory.groups,
  describe: (group) => ({ name: group.name, arn: group.arn }),
  decide,
  steps,
  backup,
  permissions: [
    {
      sid: 'RemoveProviderGroups',
      actions: ['iam:DeleteGroup', 'iam:DeleteGroupPolicy', 'iam:DetachGroupPolicy'],
      resources: prefixNamed('group'),
      reason: "The provider's groups are known only by their name prefix, at any path: the prefix wildcard is the narrowest match.",
    },
    // The same statement as a provider user's (iam-user.ts): IAM authorizes it on the group alone.
    { sid: 'LeaveGroups', actions: ['iam:RemoveUserFromGroup'], resources: [iamArn('group/*')], reason: 'Members that stay leave a provider group before AWS lets it be deleted; the call only removes a membership.' },
  ] satisfies Permission[],
};
