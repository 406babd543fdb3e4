/**
 * EBS snapshots of this account shared with the provider (createVolumePermission), or public.
 * - Found by: DescribeSnapshots of this account's own snapshots restorable by each provider account, and by `all`
 *   (public): one paged read per account, not one per snapshot (an account may hold thousands).
 * - Removed by: ModifySnapshotAttribute, createVolumePermission, remove the provider's account ids. A public
 *   snapshot is flagged, never changed. The snapshot itself is never deleted.
 */
import { EC2Client, paginateDescribeSnapshots } from '@aws-sdk/client-ec2';
import { regionalStep, sweepKind } from './resource-policy';

export const Ec2SnapshotShare = sweepKind({
  type: 'ec2:snapshot-share',
  service: 'ec2',
  async find(clients, region, context) {
    const ec2 = clients.clientFor(EC2Client, region);
    const shared = new Map<string, string[]>();
    for (const grantee of [...context.config.providerAccountIds, 'all']) {
      for await (const page of paginateDescribeSnapshots({ client: ec2 }, { OwnerIds: ['self'], RestorableByUserIds: [grantee] })) {
        for (const snapshot of page.Snapshots ?? []) shared.set(snapshot.SnapshotId!, [...(shared.get(snapshot.SnapshotId!) ?? []), grantee]);
      }
    }
    return [...shared].map(([id, sharedWith]) => ({ type: 'ec2:snapshot-share' as const, region, name: id, arn: `arn:${context.partition}:ec2:${region}::snapshot/${id}`, sharedWith }));
  },
  review: (holder, grantees) => {
    const provider = (holder.sharedWith ?? []).filter((id) => grantees.accounts.includes(id));
    return {
      removed: provider.map((id) => `shared with ${id}`),
      open: holder.sharedWith?.includes('all') ? ['public (createVolumePermission group all)'] : [],
      steps: () => [regionalStep('ModifySnapshotAttribute', { SnapshotId: holder.name, Attribute: 'createVolumePermission', OperationType: 'remove', UserIds: provider }, 'ec2', holder.region)],
    };
  },
  permissions: [
    { sid: 'SweepListSnapshots', actions: ['ec2:DescribeSnapshots'], resources: ['*'], reason: 'DescribeSnapshots is authorized on "*" only.' },
    {
      sid: 'SweepUnshareSnapshots',
      actions: ['ec2:ModifySnapshotAttribute'],
      resources: ['arn:{partition}:ec2:*::snapshot/*'],
      reason: 'A snapshot ARN names no account; a snapshot shared with the provider is found by its permission, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
