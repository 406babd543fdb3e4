/**
 * Who still delivers into an S3 bucket, in every region: CloudTrail trails (a region's own, its shadows of
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

/**
 * The regions of each partition. The engine has no EC2 or Account client to ask (`ec2:DescribeRegions`), so the
 * list is fixed here; a region that is not enabled answers with an unknown-token error and is passed over.
 */
const REGIONS: Readonly<Record<string, readonly string[]>> = {
  aws: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1', 'sa-east-1'],
  'aws-us-gov': ['us-gov-west-1', 'us-gov-east-1'],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
};

/** Answers of a region this account has not enabled (opt-in regions): nothing can run or write there. */
const NOT_ENABLED = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'AuthFailure']);

/** Regions read at once: two small calls each. */
const REGION_CONCURRENCY = 8;

export interface Writers {
  readonly writers: BucketWriter[];
  readonly unreadable: string[];
}

export async function discoverWriters(clients: AwsClients, partition: string): Promise<Writers> {
  const writers = new Map<string, BucketWriter>();
  const unreadable: string[] = [];
  const regions = REGIONS[partition] ?? [await clients.cloudtrail.config.region()];
  await forEachBounded(regions, REGION_CONCURRENCY, async (region) => {
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
