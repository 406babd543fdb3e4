/**
 * Secrets Manager secret policies.
 * - Found by: ListSecrets, GetResourcePolicy.
 * - Removed by: PutResourcePolicy with the rewritten policy, or DeleteResourcePolicy when nothing is left (a secret
 *   needs none). The secret itself is never touched.
 */
import { GetResourcePolicyCommand, paginateListSecrets, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DISCOVERY_CONCURRENCY, mapBounded } from '../engine/concurrency';
import type { PolicyHolder } from '../engine/inventory';
import { policyReview, readPolicy, regionalStep, sweepKind, unreadable } from './resource-policy';

export const SecretPolicy = sweepKind({
  type: 'secretsmanager:secret-policy',
  service: 'secretsmanager',
  async find(clients, region) {
    const secrets = clients.clientFor(SecretsManagerClient, region);
    const listed: { name: string; arn: string }[] = [];
    for await (const page of paginateListSecrets({ client: secrets }, {})) listed.push(...(page.SecretList ?? []).map((s) => ({ name: s.Name!, arn: s.ARN! })));
    const holders = await mapBounded(listed, DISCOVERY_CONCURRENCY, async ({ name, arn }): Promise<PolicyHolder | undefined> => {
      const { policy, error } = await readPolicy(async () => (await secrets.send(new GetResourcePolicyCommand({ SecretId: arn }))).ResourcePolicy, /^ResourceNotFoundException$/);
      if (error) return unreadable('secretsmanager:secret-policy', region, name, arn, error);
      return policy ? { type: 'secretsmanager:secret-policy', region, name, arn, policy } : undefined;
    });
    return holders.filter((holder) => holder !== undefined);
  },
  review: (holder, grantees) =>
    policyReview(holder, grantees, (rewrite) => [
      rewrite.policy === null
        ? regionalStep('DeleteResourcePolicy', { SecretId: holder.arn }, 'secretsmanager', holder.region)
        : regionalStep('PutResourcePolicy', { SecretId: holder.arn, ResourcePolicy: rewrite.policy }, 'secretsmanager', holder.region),
    ]),
  permissions: [
    { sid: 'SweepListSecrets', actions: ['secretsmanager:ListSecrets'], resources: ['*'], reason: 'ListSecrets is authorized on "*" only.' },
    { sid: 'SweepReadSecretPolicies', actions: ['secretsmanager:GetResourcePolicy'], resources: ['arn:{partition}:secretsmanager:*:{account}:secret:*'], reason: 'Every secret of this account, in every region, is reviewed (its policy, never its value).' },
    {
      sid: 'SweepRewriteSecretPolicies',
      actions: ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy'],
      resources: ['arn:{partition}:secretsmanager:*:{account}:secret:*'],
      reason: 'A secret granting the provider is found by its policy, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
