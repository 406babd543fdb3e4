/**
 * ECR repository policies (who may pull or push, e.g. another account).
 * - Found by: DescribeRepositories, GetRepositoryPolicy.
 * - Removed by: SetRepositoryPolicy with the rewritten policy, or DeleteRepositoryPolicy when nothing is left.
 */
import { ECRClient, GetRepositoryPolicyCommand, paginateDescribeRepositories } from '@aws-sdk/client-ecr';
import { DISCOVERY_CONCURRENCY, mapBounded } from '../engine/concurrency';
import type { PolicyHolder } from '../engine/inventory';
import { policyReview, readPolicy, regionalStep, sweepKind, unreadable } from './resource-policy';

export const EcrRepositoryPolicy = sweepKind({
  type: 'ecr:repository-policy',
  service: 'ecr',
  async find(clients, region, context) {
    const ecr = clients.clientFor(ECRClient, region);
    const repositories: { name: string; arn: string }[] = [];
    for await (const page of paginateDescribeRepositories({ client: ecr }, {})) repositories.push(...(page.repositories ?? []).map((r) => ({ name: r.repositoryName!, arn: r.repositoryArn! })));
    const holders = await mapBounded(repositories, DISCOVERY_CONCURRENCY, async ({ name, arn }): Promise<PolicyHolder | undefined> => {
      const read = async () => (await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name, registryId: context.accountId }))).policyText;
      const { policy, error } = await readPolicy(read, /^RepositoryPolicyNotFoundException$/);
      if (error) return unreadable('ecr:repository-policy', region, name, arn, error);
      return policy ? { type: 'ecr:repository-policy', region, name, arn, policy } : undefined;
    });
    return holders.filter((holder) => holder !== undefined);
  },
  review: (holder, grantees, context) => {
    const repository = { repositoryName: holder.name, registryId: context.inventory.accountId };
    return policyReview(holder, grantees, (rewrite) => [
      rewrite.policy === null
        ? regionalStep('DeleteRepositoryPolicy', repository, 'ecr', holder.region)
        : regionalStep('SetRepositoryPolicy', { ...repository, policyText: rewrite.policy }, 'ecr', holder.region),
    ]);
  },
  permissions: [
    { sid: 'SweepListRepositories', actions: ['ecr:DescribeRepositories'], resources: ['*'], reason: 'Listing every repository is authorized on "*".' },
    { sid: 'SweepReadRepositoryPolicies', actions: ['ecr:GetRepositoryPolicy'], resources: ['arn:{partition}:ecr:*:{account}:repository/*'], reason: 'Every repository of this account, in every region, is reviewed.' },
    {
      sid: 'SweepRewriteRepositoryPolicies',
      actions: ['ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy'],
      resources: ['arn:{partition}:ecr:*:{account}:repository/*'],
      reason: 'A repository granting the provider is found by its policy, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
