/**
 * SNS topic policies.
 * - Found by: ListTopics, GetTopicAttributes (`Policy`).
 * - Removed by: SetTopicAttributes `Policy` with the rewritten policy. A topic always has a policy (SNS gives a new
 *   one its default: the owner account may manage and publish, `AWS:SourceOwner`); when nothing would be left, the
 *   topic gets that default policy back rather than an empty one, which SNS refuses.
 */
import { GetTopicAttributesCommand, paginateListTopics, SNSClient } from '@aws-sdk/client-sns';
import { DISCOVERY_CONCURRENCY, mapBounded } from '../engine/concurrency';
import { policyReview, readPolicy, regionalStep, sweepKind, unreadable } from './resource-policy';

/** The policy SNS gives a new topic (SNS Developer Guide, "Example cases for Amazon SNS access control"): the owner only. */
export function defaultTopicPolicy(topicArn: string): string {
  const owner = topicArn.split(':')[4];
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': owner } },
      },
    ],
  });
}

export const SnsTopicPolicy = sweepKind({
  type: 'sns:topic-policy',
  service: 'sns',
  async find(clients, region) {
    const sns = clients.clientFor(SNSClient, region);
    const topics: string[] = [];
    for await (const page of paginateListTopics({ client: sns }, {})) topics.push(...(page.Topics ?? []).map((t) => t.TopicArn!));
    const holders = await mapBounded(topics, DISCOVERY_CONCURRENCY, async (arn) => {
      const name = arn.split(':').pop()!;
      const { policy, error } = await readPolicy(async () => (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes?.Policy, /^NotFound/);
      if (error) return unreadable('sns:topic-policy', region, name, arn, error);
      return policy ? { type: 'sns:topic-policy' as const, region, name, arn, policy } : undefined;
    });
    return holders.filter((holder) => holder !== undefined);
  },
  review: (holder, grantees) =>
    policyReview(holder, grantees, (rewrite) => [
      regionalStep('SetTopicAttributes', { TopicArn: holder.arn, AttributeName: 'Policy', AttributeValue: rewrite.policy ?? defaultTopicPolicy(holder.arn) }, 'sns', holder.region),
    ]),
  permissions: [
    { sid: 'SweepListTopics', actions: ['sns:ListTopics'], resources: ['*'], reason: 'ListTopics is authorized on "*" only.' },
    { sid: 'SweepReadTopicPolicies', actions: ['sns:GetTopicAttributes'], resources: ['arn:{partition}:sns:*:{account}:*'], reason: 'Every topic of this account, in every region, is reviewed.' },
    {
      sid: 'SweepRewriteTopicPolicies',
      actions: ['sns:SetTopicAttributes'],
      resources: ['arn:{partition}:sns:*:{account}:*'],
      reason: 'A topic granting the provider is found by its policy, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
