/**
 * Bucket policies of every bucket of the account but the provider buckets (config `buckets.names`, which the
 * s3:bucket kind already rewrites, whatever its mode).
 * - Found by: ListBuckets (global: the sweep reads it once), GetBucketPolicy of each, this account as the expected owner;
 *   the S3 client follows each bucket's region.
 * - Removed by: PutBucketPolicy with the rewritten policy, or DeleteBucketPolicy when nothing is left.
 */
import { GetBucketPolicyCommand, paginateListBuckets } from '@aws-sdk/client-s3';
import { DISCOVERY_CONCURRENCY, mapBounded } from '../engine/concurrency';
import type { PolicyHolder } from '../engine/inventory';
import { step } from '../engine/model';
import { s3Arn } from '../engine/permissions';
import { policyReview, readPolicy, sweepKind, unreadable } from './resource-policy';

export const S3BucketPolicy = sweepKind({
  type: 's3:bucket-policy',
  service: 's3',
  global: true,
  async find(clients, _region, context) {
    const buckets: { name: string; region: string }[] = [];
    for await (const page of paginateListBuckets({ client: clients.s3 }, {})) {
      // BucketRegion, where S3 gives it, only labels the report: the client follows each bucket's region itself.
      buckets.push(...(page.Buckets ?? []).map((b) => ({ name: b.Name!, region: b.BucketRegion ?? '' })));
    }
    const holders = await mapBounded(
      buckets.filter((bucket) => !context.providerBuckets.includes(bucket.name)),
      DISCOVERY_CONCURRENCY,
      async (bucket): Promise<PolicyHolder | undefined> => {
        const arn = `arn:${context.partition}:s3:::${bucket.name}`;
        const read = async () => (await clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucket.name, ExpectedBucketOwner: context.accountId }))).Policy;
        const { policy, error } = await readPolicy(read, /^NoSuchBucketPolicy$/);
        if (error) return unreadable('s3:bucket-policy', bucket.region, bucket.name, arn, error);
        return policy ? { type: 's3:bucket-policy', region: bucket.region, name: bucket.name, arn, policy } : undefined;
      },
    );
    return holders.filter((holder) => holder !== undefined);
  },
  review: (holder, grantees, context) => {
    const owned = { Bucket: holder.name, ExpectedBucketOwner: context.inventory.accountId };
    return policyReview(holder, grantees, (rewrite) => [
      rewrite.policy === null ? step('DeleteBucketPolicy', owned, 's3') : step('PutBucketPolicy', { ...owned, Policy: rewrite.policy }, 's3'),
    ]);
  },
  permissions: [
    { sid: 'SweepListBuckets', actions: ['s3:ListAllMyBuckets'], resources: ['*'], reason: 'ListBuckets is authorized on "*" only.' },
    { sid: 'SweepReadBucketPolicies', actions: ['s3:GetBucketPolicy'], resources: [s3Arn('*')], reason: 'Every bucket of this account is reviewed (ExpectedBucketOwner keeps other accounts out).' },
    {
      sid: 'SweepRewriteBucketPolicies',
      actions: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
      resources: [s3Arn('*')],
      reason: 'A bucket granting the provider is found by its policy, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
