/**
 * KMS key policies (customer-managed keys of every region).
 * - Found by: ListKeys, DescribeKey (only KeyManager CUSTOMER: AWS-managed keys' policies are AWS's; keys pending
 *   deletion are left out, KMS refuses to change them), GetKeyPolicy of the `default` policy (the only name KMS has).
 * - Removed by: PutKeyPolicy with the rewritten policy (KMS's lockout safety check stays on). A key cannot be without a
 *   policy: when nothing would be left, the key is flagged instead, to be edited by hand.
 */
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, paginateListKeys } from '@aws-sdk/client-kms';
import { DISCOVERY_CONCURRENCY, mapBounded } from '../engine/concurrency';
import { policyReview, readPolicy, regionalStep, sweepKind, unreadable } from './resource-policy';

export const KmsKeyPolicy = sweepKind({
  type: 'kms:key-policy',
  service: 'kms',
  async find(clients, region) {
    const kms = clients.clientFor(KMSClient, region);
    const keys: { KeyId?: string; KeyArn?: string }[] = [];
    for await (const page of paginateListKeys({ client: kms }, {})) keys.push(...(page.Keys ?? []));
    const holders = await mapBounded(keys, DISCOVERY_CONCURRENCY, async ({ KeyArn }) => {
      const arn = KeyArn!;
      const name = arn.split('/').pop()!;
      try {
        const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
        if (KeyMetadata?.KeyManager !== 'CUSTOMER' || KeyMetadata.KeyState === 'PendingDeletion') return undefined;
      } catch (error) {
        return unreadable('kms:key-policy', region, name, arn, error);
      }
      const { policy, error } = await readPolicy(async () => (await kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }))).Policy, /^NotFoundException$/);
      if (error) return unreadable('kms:key-policy', region, name, arn, error);
      return policy ? { type: 'kms:key-policy' as const, region, name, arn, policy } : undefined;
    });
    return holders.filter((holder) => holder !== undefined);
  },
  review: (holder, grantees) =>
    policyReview(holder, grantees, (rewrite) =>
      rewrite.policy === null
        ? 'no statement would be left, and a KMS key always has a policy: edit it by hand'
        : [regionalStep('PutKeyPolicy', { KeyId: holder.arn, PolicyName: 'default', Policy: rewrite.policy }, 'kms', holder.region)],
    ),
  permissions: [
    { sid: 'SweepListKeys', actions: ['kms:ListKeys'], resources: ['*'], reason: 'ListKeys is authorized on "*" only.' },
    { sid: 'SweepReadKeyPolicies', actions: ['kms:DescribeKey', 'kms:GetKeyPolicy'], resources: ['arn:{partition}:kms:*:{account}:key/*'], reason: 'Every key of this account, in every region, is reviewed.' },
    {
      sid: 'SweepRewriteKeyPolicies',
      actions: ['kms:PutKeyPolicy'],
      resources: ['arn:{partition}:kms:*:{account}:key/*'],
      reason: 'A key granting the provider is found by its policy, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
