/**
 * EventBridge event bus policies (who may put events on the bus, e.g. another account or organization).
 * - Found by: ListEventBuses, which carries each bus's policy.
 * - Removed by: RemovePermission of each provider statement, by its StatementId (PutPermission adds one statement per
 *   grant). A statement that also lets in others is flagged instead: it would have to be written again by hand.
 */
import { EventBridgeClient, ListEventBusesCommand } from '@aws-sdk/client-eventbridge';
import type { PolicyHolder } from '../engine/inventory';
import { allPages, bySid, policyReview, regionalStep, sweepKind } from './resource-policy';

export const EventBusPolicy = sweepKind({
  type: 'events:bus-policy',
  service: 'events',
  async find(clients, region) {
    const events = clients.clientFor(EventBridgeClient, region);
    const buses = await allPages((NextToken) => events.send(new ListEventBusesCommand({ NextToken })), (page) => page.EventBuses, (page) => page.NextToken);
    return buses.filter((bus) => bus.Policy).map((bus): PolicyHolder => ({ type: 'events:bus-policy', region, name: bus.Name!, arn: bus.Arn!, policy: bus.Policy }));
  },
  review: (holder, grantees) =>
    policyReview(holder, grantees, (rewrite) => bySid(rewrite, (StatementId) => regionalStep('RemovePermission', { EventBusName: holder.name, StatementId }, 'events', holder.region))),
  permissions: [
    { sid: 'SweepListEventBuses', actions: ['events:ListEventBuses'], resources: ['*'], reason: 'ListEventBuses is authorized on "*" only.' },
    {
      sid: 'SweepRemoveEventBusPermissions',
      actions: ['events:RemovePermission'],
      resources: ['*'],
      reason: 'RemovePermission is authorized on "*" only (it names no resource type in the Service Authorization Reference).',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
