/**
 * Customer-managed IAM policies.
 * - Found in: GetAccountAuthorizationDetails `Policies` (all versions, attachment and boundary counts); who
 *   holds each one comes from the principals' own attachment lists, so no ListEntitiesForPolicy is needed.
 *   Tags are read only for the CAM provider policies, which may be kept.
 * - Protected by: AWS ownership, `exclude`, the CAM provider (kept, untagged), a principal that keeps it as
 *   its permissions boundary (removing a boundary widens rights), a protected principal it is attached to.
 * - Removed by: detaching it from the principals that stay (roles being deleted already let go of it),
 *   deleting its non-default versions, then DeletePolicy, which AWS refuses while either remains.
 */
import type { ManagedPolicy, PrincipalRef } from '../engine/inventory';
import { step, type Step } from '../engine/model';
import { pathedVariants, prefixNamed, readAccount, type Permission } from '../engine/permissions';
import { protectionOf } from '../protections/builtin';
import { principalKey, type PlanContext, type ResourceKind, type Verdict } from './kind';

const DETACH_CALL = { role: 'DetachRolePolicy', user: 'DetachUserPolicy', group: 'DetachGroupPolicy' } as const;
const NAME_FIELD = { role: 'RoleName', user: 'UserName', group: 'GroupName' } as const;

/** Principals that keep existing after this plan, so the policy must be taken off them. */
function remainingPrincipals(refs: readonly PrincipalRef[] | undefined, context: PlanContext): PrincipalRef[] {
  return (refs ?? []).filter((ref) => context.decisions.get(principalKey(ref.kind, ref.name)) !== 'delete');
}

const describePrincipals = (refs: readonly PrincipalRef[]) => refs.map((ref) => `${ref.kind} ${ref.name}`).join(', ');

function decide(policy: ManagedPolicy, context: PlanContext): Verdict {
  const { config } = context;
  const protectedBecause = protectionOf({ resource: 'iam:policy', ...policy }, context.protection);
  if (protectedBecause) return { action: 'skip', reason: protectedBecause };
  if (config.exclude.includes(policy.name)) return { action: 'skip', reason: 'excluded by config' };
  if (config.keepCamProvider && config.camPolicyNames.includes(policy.name)) {
    return { action: 'preserve', reason: 'CAM provider policy, kept while the customer keeps CAM (keepCamProvider)' };
  }
  const prefix = context.prefixOf(policy.name);
  if (!prefix) return { action: 'skip', reason: 'not a provider policy' };
  const outOfReach = context.providerLikePath(policy.path);
  if (outOfReach) return { action: 'flag', reason: `name starts with provider prefix "${prefix}", but ${outOfReach}` };

  const bounded = remainingPrincipals(context.boundaries.get(policy.arn), context);
  if (bounded.length) {
    return {
      action: 'skip',
      reason: `permissions boundary of ${describePrincipals(bounded)}, which stays: removing the boundary would widen its rights`,
    };
  }
  const protectedHolders = remainingPrincipals(context.attachments.get(policy.arn), context).filter((ref) =>
    context.principalProtection(ref),
  );
  if (protectedHolders.length) {
    return {
      action: 'flag',
      reason: `provider policy attached to protected ${describePrincipals(protectedHolders)}; detach it there by hand, then re-run`,
    };
  }
  return { action: 'delete', reason: `name starts with provider prefix "${prefix}"` };
}

function steps(policy: ManagedPolicy, verdict: Verdict, context: PlanContext): Step[] {
  const PolicyArn = policy.arn;
  if (verdict.action === 'preserve') {
    const keys = context.config.removeTagKeys.filter((key) => key in (policy.tags ?? {}));
    return keys.length ? [step('UntagPolicy', { PolicyArn, TagKeys: keys })] : [];
  }
  const calls = remainingPrincipals(context.attachments.get(PolicyArn), context).map((ref) =>
    step(DETACH_CALL[ref.kind], { [NAME_FIELD[ref.kind]]: ref.name, PolicyArn }),
  );
  for (const version of policy.versions) {
    if (!version.isDefault) calls.push(step('DeletePolicyVersion', { PolicyArn, VersionId: version.versionId }));
  }
  calls.push(step('DeletePolicy', { PolicyArn }));
  return calls;
}

export const IamPolicy: ResourceKind<ManagedPolicy> = {
  type: 'iam:policy',
  dependsOn: ['iam:role', 'iam:user', 'iam:group'],
  list: (inventory) => inventory.policies,
  describe: (policy) => ({ name: policy.name, arn: policy.arn }),
  decide,
  steps,
  permissions: [
    // Tags are read only for the CAM provider policies, which may be kept; ListPolicyTags reads nothing else.
    readAccount(['iam:ListPolicyTags']),
    {
      sid: 'RemoveProviderPolicies',
      actions: ['iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:UntagPolicy'],
      resources: prefixNamed('policy'),
      reason: "The provider's policies are known only by their name prefix, at any path: the prefix wildcard is the narrowest match.",
    },
    {
      sid: 'DetachProviderPoliciesFromAnyPrincipal',
      actions: ['iam:DetachRolePolicy', 'iam:DetachGroupPolicy', 'iam:DetachUserPolicy'],
      resources: ['*'],
      conditions: { ArnLike: { 'iam:PolicyARN': prefixNamed('policy') }, ArnNotLike: { 'iam:PolicyARN': pathedVariants(prefixNamed('policy')) } },
      reason: 'Customer principals keep existing; only provider policies may be detached from them (iam:PolicyARN condition).',
    },
  ] satisfies Permission[],
};
