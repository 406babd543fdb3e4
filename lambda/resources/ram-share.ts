/**
 * AWS RAM resource shares this account owns whose principals include the provider: one of its accounts (or an IAM
 * role or user in one), or its organization or an OU of it.
 * - Found by: GetResourceShares (owner SELF, ACTIVE), GetResourceShareAssociations (PRINCIPAL, ASSOCIATED) of each.
 * - Removed by: DisassociateResourceShare of the provider's principals (the share and its resources stay, with the
 *   other principals).
 */
import { GetResourceShareAssociationsCommand, paginateGetResourceShares, RAMClient } from '@aws-sdk/client-ram';
import { DISCOVERY_CONCURRENCY, mapBounded } from '../engine/concurrency';
import type { PolicyHolder } from '../engine/inventory';
import { accountOf } from '../engine/policy-rewrite';
import { inProviderOrganization } from './ec2-image-share';
import { allPages, regionalStep, sweepKind, unreadable } from './resource-policy';

export const RamResourceShare = sweepKind({
  type: 'ram:resource-share',
  service: 'ram',
  async find(clients, region) {
    const ram = clients.clientFor(RAMClient, region);
    const shares: { name: string; arn: string }[] = [];
    for await (const page of paginateGetResourceShares({ client: ram }, { resourceOwner: 'SELF', resourceShareStatus: 'ACTIVE' })) {
      shares.push(...(page.resourceShares ?? []).map((s) => ({ name: s.name!, arn: s.resourceShareArn! })));
    }
    const holders = await mapBounded(shares, DISCOVERY_CONCURRENCY, async ({ name, arn }): Promise<PolicyHolder | undefined> => {
      try {
        const associations = await allPages(
          (nextToken) => ram.send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [arn], associationStatus: 'ASSOCIATED', nextToken })),
          (page) => page.resourceShareAssociations,
          (page) => page.nextToken,
        );
        const sharedWith = associations.map((a) => a.associatedEntity!).filter(Boolean);
        return sharedWith.length ? { type: 'ram:resource-share', region, name, arn, sharedWith } : undefined;
      } catch (error) {
        return unreadable('ram:resource-share', region, name, arn, error);
      }
    });
    return holders.filter((holder) => holder !== undefined);
  },
  review: (holder, grantees) => {
    const provider = (holder.sharedWith ?? []).filter((p) => grantees.accounts.includes(accountOf(p) ?? '') || inProviderOrganization(p, grantees));
    return {
      removed: provider.map((p) => `shared with ${p}`),
      open: [],
      steps: () => [regionalStep('DisassociateResourceShare', { resourceShareArn: holder.arn, principals: provider }, 'ram', holder.region)],
    };
  },
  permissions: [
    { sid: 'SweepListResourceShares', actions: ['ram:GetResourceShares', 'ram:GetResourceShareAssociations'], resources: ['*'], reason: 'RAM authorizes these reads on "*" only.' },
    {
      sid: 'SweepUnshareResourceShares',
      actions: ['ram:DisassociateResourceShare'],
      resources: ['arn:{partition}:ram:*:{account}:resource-share/*'],
      reason: 'A share with the provider is found by its principals, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
