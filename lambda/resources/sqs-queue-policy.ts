/**
 * SQS queue policies.
 * - Found by: ListQueues, GetQueueAttributes (`Policy`, `QueueArn`).
 * - Removed by: SetQueueAttributes `Policy` with the rewritten policy, or an empty `Policy` when nothing is left
 *   (SQS's way to remove a queue's policy; a queue needs none). The queue itself is never deleted.
 */
import { GetQueueAttributesCommand, paginateListQueues, SQSClient } from '@aws-sdk/client-sqs';
import { DISCOVERY_CONCURRENCY, mapBounded } from '../engine/concurrency';
import { policyReview, regionalStep, sweepKind, unreadable } from './resource-policy';

export const SqsQueuePolicy = sweepKind({
  type: 'sqs:queue-policy',
  service: 'sqs',
  async find(clients, region) {
    const sqs = clients.clientFor(SQSClient, region);
    const urls: string[] = [];
    // MaxResults makes ListQueues page (without it, it answers at most 1,000 queues and no token).
    for await (const page of paginateListQueues({ client: sqs }, { MaxResults: 1000 })) urls.push(...(page.QueueUrls ?? []));
    const holders = await mapBounded(urls, DISCOVERY_CONCURRENCY, async (url) => {
      const name = url.split('/').pop()!;
      try {
        const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy', 'QueueArn'] }));
        const arn = Attributes?.QueueArn ?? url;
        return Attributes?.Policy ? { type: 'sqs:queue-policy' as const, region, name, arn, policy: Attributes.Policy, ref: { QueueUrl: url } } : undefined;
      } catch (error) {
        if (/NonExistentQueue|QueueDoesNotExist/.test((error as Error).name)) return undefined;
        return unreadable('sqs:queue-policy', region, name, url, error);
      }
    });
    return holders.filter((holder) => holder !== undefined);
  },
  review: (holder, grantees) =>
    policyReview(holder, grantees, (rewrite) => [
      regionalStep('SetQueueAttributes', { QueueUrl: holder.ref!.QueueUrl, Attributes: { Policy: rewrite.policy ?? '' } }, 'sqs', holder.region),
    ]),
  permissions: [
    { sid: 'SweepListQueues', actions: ['sqs:ListQueues'], resources: ['*'], reason: 'ListQueues is authorized on "*" only.' },
    { sid: 'SweepReadQueuePolicies', actions: ['sqs:GetQueueAttributes'], resources: ['arn:{partition}:sqs:*:{account}:*'], reason: 'Every queue of this account, in every region, is reviewed.' },
    {
      sid: 'SweepRewriteQueuePolicies',
      actions: ['sqs:SetQueueAttributes'],
      resources: ['arn:{partition}:sqs:*:{account}:*'],
      reason: 'A queue granting the provider is found by its policy, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
