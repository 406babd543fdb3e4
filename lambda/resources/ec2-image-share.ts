/**
 * AMIs of this account that the provider may launch (launchPermission): shared with a provider account, with the
 * provider's organization or one of its OUs, or public.
 * - Found by: DescribeImages of this account's own images, DescribeImageAttribute launchPermission of each (an
 *   account has far fewer images than snapshots, and only the attribute names organizations and OUs).
 * - Removed by: ModifyImageAttribute, LaunchPermission Remove of the provider's entries. Public is flagged only.
 */
import { DescribeImageAttributeCommand, EC2Client, paginateDescribeImages } from '@aws-sdk/client-ec2';
import { DISCOVERY_CONCURRENCY, mapBounded } from '../engine/concurrency';
import type { PolicyHolder } from '../engine/inventory';
import { regionalStep, type SweepGrantees, sweepKind, unreadable } from './resource-policy';

/** An organization or OU ARN (`arn:aws:organizations::MGMT:organization/o-x`, `...:ou/o-x/ou-y`) of a provider organization. */
export const inProviderOrganization = (arn: string, grantees: SweepGrantees) => {
  const org = /^arn:[^:]+:organizations::\d{12}:(?:organization|ou)\/(o-[a-z0-9]+)/.exec(arn)?.[1];
  return !!org && grantees.organizations.includes(org);
};

type Permission = { UserId?: string; Group?: string; OrganizationArn?: string; OrganizationalUnitArn?: string };
const grantee = (p: Permission) => p.UserId ?? p.OrganizationArn ?? p.OrganizationalUnitArn ?? p.Group ?? '';

export const Ec2ImageShare = sweepKind({
  type: 'ec2:image-share',
  service: 'ec2',
  async find(clients, region, context) {
    const ec2 = clients.clientFor(EC2Client, region);
    const images: string[] = [];
    for await (const page of paginateDescribeImages({ client: ec2 }, { Owners: ['self'] })) images.push(...(page.Images ?? []).map((i) => i.ImageId!));
    const holders = await mapBounded(images, DISCOVERY_CONCURRENCY, async (id): Promise<PolicyHolder | undefined> => {
      const arn = `arn:${context.partition}:ec2:${region}::image/${id}`;
      try {
        const { LaunchPermissions } = await ec2.send(new DescribeImageAttributeCommand({ ImageId: id, Attribute: 'launchPermission' }));
        const sharedWith = (LaunchPermissions ?? []).map(grantee).filter(Boolean);
        return sharedWith.length ? { type: 'ec2:image-share', region, name: id, arn, sharedWith } : undefined;
      } catch (error) {
        return /InvalidAMIID/.test((error as Error).name) ? undefined : unreadable('ec2:image-share', region, id, arn, error);
      }
    });
    return holders.filter((holder) => holder !== undefined);
  },
  review: (holder, grantees) => {
    const provider = (holder.sharedWith ?? []).filter((g) => grantees.accounts.includes(g) || inProviderOrganization(g, grantees));
    const Remove = provider.map((g) => (/^\d{12}$/.test(g) ? { UserId: g } : g.includes(':ou/') ? { OrganizationalUnitArn: g } : { OrganizationArn: g }));
    return {
      removed: provider.map((g) => `launchable by ${g}`),
      open: holder.sharedWith?.includes('all') ? ['public (launchPermission group all)'] : [],
      steps: () => [regionalStep('ModifyImageAttribute', { ImageId: holder.name, Attribute: 'launchPermission', LaunchPermission: { Remove } }, 'ec2', holder.region)],
    };
  },
  permissions: [
    { sid: 'SweepListImages', actions: ['ec2:DescribeImages'], resources: ['*'], reason: 'DescribeImages is authorized on "*" only.' },
    { sid: 'SweepReadImageSharing', actions: ['ec2:DescribeImageAttribute'], resources: ['arn:{partition}:ec2:*::image/*'], reason: 'An image ARN names no account; every image of this account is reviewed.' },
    {
      sid: 'SweepUnshareImages',
      actions: ['ec2:ModifyImageAttribute'],
      resources: ['arn:{partition}:ec2:*::image/*'],
      reason: 'An image shared with the provider is found by its permission, not its name.',
      feature: 'resourcePolicyRemoval',
    },
  ],
});
