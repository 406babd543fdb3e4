/**
 * Customer-managed IAM policies.
 * - Found in: GetAccountAuthorizationDetails `Policies` (all versions, attachment and boundary counts); who
 *   holds each one comes from the principals' own attachment lists, so no ListEntitiesForPolicy is needed.
 *   Tags are read only for the CAM provider policies, which may be kept.
 * - Protected by: AWS ownership, `exclude`, the CAM provider (kept, untagged), a principal that keeps it as
 *   its permissions boundary (removing a boundary widens rights), a protected principal it is attached to.
 * - Removed by: detaching it from the principals that stay (roles being deleted already let go of it),
 *   deleting its non-default versions, then DeletePolicy, which AWS refuses while either remains.
 * - Backed up from the inventory (every version's document, who held it), plus its tags (ListPolicyTags) when
 *   discovery did not read them.
 */
import { decoded, removedTags, tagList, type PolicyBackup, type TagsBackup } from '../engine/backup';
import { policyTags } from '../engine/discover';
import type { ManagedPolicy, PrincipalRef } from '../engine/inventory';
import { step, type Action, type Step } from '../engine/model';
import { pathedVariants, prefixNamed, readAccount, type Permission } from '../engine/permissions';
import { protectionOf } from '../protections/builtin';
import { principalKey, type BackupContext, type PlanContext, type ResourceKind, type Verdict } from './kind';

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

async function backup(policy: ManagedPolicy, action: Action, context: BackupContext): Promise<PolicyBackup | TagsBackup> {
  if (action.action === 'preserve') return removedTags(action, policy.tags ?? {});
  return {
    Path: policy.path,
    PolicyName: policy.name,
    Description: policy.description,
    Tags: tagList(policy.tags ?? (await policyTags(context.clients.iam, policy.arn))),
    DefaultVersionId: policy.defaultVersionId,
    // Oldest first: IAM numbers versions in the order they were made (v1, v2, ...).
    Versions: [...policy.versions]
      .sort((a, b) => +a.versionId.slice(1) - +b.versionId.slice(1))
      .map((version) => ({
        VersionId: version.versionId,
        IsDefaultVersion: version.isDefault,
        Document: decoded(version.document, `version ${version.versionId}`),
        CreateDate: version.createDate,
      })),
    // Principals that stay are detached by this action's steps; those deleted let go of it in their own actions.
    AttachedTo: context.attachments.get(policy.arn) ?? [],
    BoundaryOf: context.boundaries.get(policy.arn) ?? [],
    PolicyId: policy.id,
  };
}

export const IamPolicy: ResourceKind<ManagedPolicy> = {
  type: 'iam:policy',
  dependsOn: ['iam:role', 'iam:user', 'iam:group'],
  list: (inventory) => inventory.policies,
  describe: (policy) => ({ name: policy.name, arn: policy.arn }),
  decide,
  steps,
  backup,
  permissions: [
    // Tags are read for the CAM provider policies, which may be kept, and for the backup of a deleted policy.
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
