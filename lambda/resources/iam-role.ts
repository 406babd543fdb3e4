/**
 * IAM roles.
 * - Found in: GetAccountAuthorizationDetails `RoleDetailList` (trust, inline, attached, profiles, tags).
 * - Protected by: the built-in rules (service-linked, AWS-reserved, organization/StackSet/SSO/CDK roles, the
 *   caller), then `exclude`, then the CAM provider it serves.
 * - Evidence for the review: its last use (`RoleLastUsed`, in the same answer).
 * - Removed by: leaving its instance profiles (which are items of their own), deleting inline policies, detaching managed policies, then DeleteRole, which AWS refuses while
 *   any of those remain.
 * - Backed up from the inventory, plus GetRole for the description and maximum session duration, which
 *   GetAccountAuthorizationDetails does not return.
 */
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { inlinePolicies, removedTags, tagList, type RoleBackup, type TagsBackup } from '../engine/backup';
import type { Role } from '../engine/inventory';
import { step, type Action, type Step } from '../engine/model';
import { iamArn, prefixNamed, readAccount, type Permission } from '../engine/permissions';
import { allowedPrincipals, deletedPrincipals, trustedProviderAccounts } from '../engine/trust';
import { protectionOf } from '../protections/builtin';
import { customersCamPrincipal, principalKey, resourceKey, type BackupContext, type PlanContext, type ResourceKind, type Verdict } from './kind';
import { CLEANUP_BUNDLE } from '../engine/bundle';

/** Federation providers this run deletes that the role's trust policy names (`Federated` principals). */
function trustedFederationBeingDeleted(role: Role, context: PlanContext): string[] {
  return allowedPrincipals(role.trustPolicy, 'Federated').filter((arn) => {
    const saml = /:saml-provider\/(.+)$/.exec(arn)?.[1];
    const oidc = /:oidc-provider\/(.+)$/.exec(arn)?.[1];
    const key = saml ? resourceKey('iam:saml-provider', saml) : oidc ? resourceKey('iam:oidc-provider', oidc) : '';
    return context.decisions.get(key) === 'delete';
  });
}

function decide(role: Role, context: PlanContext): Verdict {
  const { config } = context;
  const protectedBecause = protectionOf({ resource: 'iam:role', ...role }, context.protection);
  if (protectedBecause) return { action: 'skip', reason: protectedBecause };
  if (config.exclude.includes(role.name)) return { action: 'skip', reason: 'excluded by config' };

  const camPolicy = context.camPrincipals.get(principalKey('role', role.name));
  const prefix = context.prefixOf(role.name);
  const providers = trustedProviderAccounts(role.trustPolicy, config.providerAccountIds);
  const federation = trustedFederationBeingDeleted(role, context).map((arn) => arn.replace(/^arn:[^:]+:iam::\d+:/, ''));
  const trusts = [...providers.map((id) => `provider account ${id}`), ...federation.map((f) => `${f}, which this run deletes`)];
  const trustNote = trusts.length ? `; trusts ${trusts.join(', ')}` : '';

  if (prefix && camPolicy) {
    return { action: 'preserve', reason: `uses CAM provider policy ${camPolicy}, kept while the customer keeps CAM (keepCamProvider)` };
  }
  if (prefix && config.automationRoleNames.includes(role.name)) {
    return {
      action: 'delete',
      reason: `the provider's automation (name starts with "${prefix}"): removed before anything else, so it cannot undo the cleanup${trustNote}`,
      runsFirst: true,
    };
  }
  const outOfReach = context.providerLikePath(role.path);
  if ((prefix || trusts.length) && outOfReach) return { action: 'flag', reason: `${prefix ? `name starts with provider prefix "${prefix}"` : `trusts ${trusts.join(', ')}`}, but ${outOfReach}` };
  if (prefix) return { action: 'delete', reason: `name starts with provider prefix "${prefix}"${trustNote}` };
  if (trusts.length && camPolicy) {
    return { action: 'flag', reason: `trusts ${trusts.join(', ')} but uses CAM provider policy ${camPolicy}, so it is kept` };
  }
  if (trusts.length) {
    // The stack's properties cannot set deleteTrustingRoles (lambda/properties.ts): its function only flags.
    return !CLEANUP_BUNDLE && config.deleteTrustingRoles
      ? { action: 'delete', reason: `trust policy lets in ${trusts.join(', ')} (deleteTrustingRoles)` }
      : { action: 'flag', reason: `trust policy lets in ${trusts.join(', ')}; set deleteTrustingRoles to delete it` };
  }
  // A principal deleted since (the provider's, perhaps) shows as its unique id: whose it was is for a person to say.
  const deleted = deletedPrincipals(role.trustPolicy);
  if (deleted.length) {
    return { action: 'flag', reason: `trust policy names deleted principal ${deleted.join(', ')}: review whose it was` };
  }
  // A customer-named role that holds the CAM policy is the customer's: kept as it is, tags included (the stack may
  // not change customer roles at all).
  if (camPolicy) return { action: 'skip', reason: customersCamPrincipal(camPolicy) };
  return { action: 'skip', reason: 'not a provider role' };
}

function steps(role: Role, verdict: Verdict, context: PlanContext): Step[] {
  if (verdict.action === 'preserve') {
    const keys = context.config.removeTagKeys.filter((key) => key in role.tags);
    return keys.length ? [step('UntagRole', { RoleName: role.name, TagKeys: keys })] : [];
  }
  const RoleName = role.name;
  const calls: Step[] = [];
  for (const profile of role.instanceProfiles) {
    // The profile itself is an item of its own (iam-instance-profile.ts), deleted after the roles when it is ours.
    calls.push(step('RemoveRoleFromInstanceProfile', { InstanceProfileName: profile.name, RoleName }));
  }
  for (const PolicyName of role.inlinePolicyNames) calls.push(step('DeleteRolePolicy', { RoleName, PolicyName }));
  for (const policy of role.attachedPolicies) calls.push(step('DetachRolePolicy', { RoleName, PolicyArn: policy.arn }));
  calls.push(step('DeleteRole', { RoleName }));
  return calls;
}

async function backup(role: Role, action: Action, context: BackupContext): Promise<RoleBackup | TagsBackup> {
  if (action.action === 'preserve') return removedTags(action, role.tags);
  const { Role: read } = await context.clients.iam.send(new GetRoleCommand({ RoleName: role.name }));
  return {
    Path: role.path,
    RoleName: role.name,
    AssumeRolePolicyDocument: role.trustPolicy,
    Description: read?.Description,
    MaxSessionDuration: read?.MaxSessionDuration,
    PermissionsBoundary: role.permissionsBoundaryArn,
    Tags: tagList(role.tags),
    InlinePolicies: inlinePolicies(role),
    AttachedPolicyArns: role.attachedPolicies.map((policy) => policy.arn),
    InstanceProfiles: role.instanceProfiles.map((profile) => ({
      InstanceProfileName: profile.name,
      Path: profile.path,
      deletedByThisRun: context.decisions.get(resourceKey('iam:instance-profile', profile.name)) === 'delete',
    })),
    RoleId: role.id,
  };
}

export const IamRole: ResourceKind<Role> = {
  type: 'iam:role',
  dependsOn: [],
  decidedAfter: ['iam:saml-provider', 'iam:oidc-provider'],
  list: (inventory) => inventory.roles,
  describe: (role) => ({ name: role.name, arn: role.arn }),
  evidence: (role) => (role.lastUsed ? { lastUsed: role.lastUsed, region: role.lastUsedRegion } : undefined),
  decide,
  steps,
  backup,
  permissions: [
    readAccount(['iam:GetAccountAuthorizationDetails']),
    {
      sid: 'RemoveProviderRoles',
      actions: ['iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:UntagRole'],
      resources: prefixNamed('role'),
      reason: "The provider's roles are known only by their name prefix, at any path: the prefix wildcard is the narrowest match.",
    },
    {
      sid: 'ReadProviderRolesForBackup',
      actions: ['iam:GetRole'],
      // The roles the stack may delete (RemoveProviderRoles): the backup reads only those.
      resources: prefixNamed('role'),
      reason: "A deleted role's description and maximum session duration, recorded for restore.",
    },
    {
      sid: 'LeaveInstanceProfiles',
      actions: ['iam:RemoveRoleFromInstanceProfile'],
      resources: [iamArn('instance-profile/*')],
      reason: 'A provider role must leave any instance profile, customer-named ones included, before AWS lets it be deleted; the call only removes a membership.',
    },
  ] satisfies Permission[],
};
