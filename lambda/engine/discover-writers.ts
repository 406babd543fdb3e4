/**
 * Who still delivers into an S3 bucket, in every enabled region: CloudTrail trails (a region's own, its shadows of
 * multi-region trails, and organization trails of the management account) and AWS Config delivery channels. A
 * provider bucket's name is predictable (`ctlaudit-<id>`): deleting it while something writes there lets another
 * account create it and receive the logs, so the bucket kind refuses a delete while any writer is seen or a region
 * could not be read.
 */
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeDeliveryChannelsCommand } from '@aws-sdk/client-config-service';
import { errorName, type AwsClients } from './aws';
import { forEachBounded } from './concurrency';
import type { BucketWriter } from './inventory';
import { REGION_CONCURRENCY, type EnabledRegions } from './regions';

/** Answers of a region this account has not enabled (opt-in regions): nothing can run or write there. */
const NOT_ENABLED = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'AuthFailure']);

export interface Writers {
  readonly writers: BucketWriter[];
  readonly unreadable: string[];
}

/** @param enabled the regions read (engine/regions.ts): when they are not every enabled one, a writer may be unseen */
export async function discoverWriters(clients: AwsClients, enabled: EnabledRegions): Promise<Writers> {
  const writers = new Map<string, BucketWriter>();
  const unreadable = enabled.error ? [enabled.error] : [];
  await forEachBounded(enabled.regions, REGION_CONCURRENCY, async (region) => {
    const { cloudtrail, config } = clients.inRegion(region);
    const read = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await call();
      } catch (error) {
        if (!NOT_ENABLED.has(errorName(error))) unreadable.push(`${what} of ${region} (${errorName(error)})`);
        return undefined;
      }
    };
    const [trails, channels] = await Promise.all([
      // With shadow trails: multi-region trails of other home regions and organization trails of the management account.
      read('trails', () => cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))),
      read('Config delivery channels', () => config.send(new DescribeDeliveryChannelsCommand({}))),
    ]);
    for (const trail of trails?.trailList ?? []) {
      if (!trail.S3BucketName) continue;
      const writer = `${trail.IsOrganizationTrail ? 'organization ' : ''}CloudTrail trail ${trail.TrailARN ?? trail.Name}`;
      writers.set(`${trail.S3BucketName} ${writer}`, { bucket: trail.S3BucketName, writer });
    }
    for (const channel of channels?.DeliveryChannels ?? []) {
      if (!channel.s3BucketName) continue;
      const writer = `AWS Config delivery channel ${channel.name} (${region})`;
      writers.set(`${channel.s3BucketName} ${writer}`, { bucket: channel.s3BucketName, writer });
    }
  });
  return { writers: [...writers.values()].sort((a, b) => a.writer.localeCompare(b.writer)), unreadable: unreadable.sort() };
}
