/**
 * Discover the provider's buckets: settings always (policy, versioning, lifecycle, public access block,
 * encryption, tags); contents only when the mode copies or deletes, since listing a large bucket is the one
 * expensive read. A bucket that does not exist is recorded as such.
 */
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { errorName } from './aws';
import type { BucketSettings } from './config';
import type { Bucket, BucketContents } from './inventory';

/** Storage classes whose objects must be restored before they can be read or copied. */
export const ARCHIVE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** `{accountId}` in a configured name → the account's id. */
export function bucketNames(settings: BucketSettings, accountId: string): string[] {
  return settings.names.map((name) => name.replace('{accountId}', accountId));
}

/** Calls whose "not configured" answer is an error in S3: undefined instead. */
async function optional<T>(read: () => Promise<T>, absent: readonly string[]): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (absent.includes(errorName(error))) return undefined;
    throw error;
  }
}

export async function discoverBuckets(s3: S3Client, settings: BucketSettings, accountId: string, partition: string): Promise<Bucket[]> {
  return Promise.all(bucketNames(settings, accountId).map((name) => discoverBucket(s3, name, settings, `arn:${partition}:s3:::${name}`)));
}

async function discoverBucket(s3: S3Client, Bucket: string, settings: BucketSettings, arn: string): Promise<Bucket> {
  const exists = await s3.send(new HeadBucketCommand({ Bucket })).then(
    () => true,
    (error) => {
      if (['NotFound', 'NoSuchBucket'].includes(errorName(error))) return false;
      throw error;
    },
  );
  if (!exists) return { name: Bucket, arn, exists: false, lifecycleRules: [], publicAccessBlocked: false, encrypted: false, tags: {} };
  const listing = settings.mode === 'copy' || settings.mode === 'delete';
  const [policy, versioning, lifecycle, publicAccess, encryption, tagging, contents, copy] = await Promise.all([
    optional(() => s3.send(new GetBucketPolicyCommand({ Bucket })), ['NoSuchBucketPolicy']),
    s3.send(new GetBucketVersioningCommand({ Bucket })),
    optional(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })), ['NoSuchLifecycleConfiguration']),
    optional(() => s3.send(new GetPublicAccessBlockCommand({ Bucket })), ['NoSuchPublicAccessBlockConfiguration']),
    optional(() => s3.send(new GetBucketEncryptionCommand({ Bucket })), ['ServerSideEncryptionConfigurationNotFoundError']),
    optional(() => s3.send(new GetBucketTaggingCommand({ Bucket })), ['NoSuchTagSet', 'NoSuchTagSetError']),
    listing ? readContents(s3, Bucket) : undefined,
    listing && settings.archiveBucket ? readContents(s3, settings.archiveBucket, `${Bucket}/`) : undefined,
  ]);
  const block = publicAccess?.PublicAccessBlockConfiguration;
  return {
    name: Bucket,
    arn,
    exists: true,
    ...(policy?.Policy ? { policy: policy.Policy } : {}),
    ...(versioning.Status ? { versioning: versioning.Status as 'Enabled' | 'Suspended' } : {}),
    lifecycleRules: lifecycle?.Rules ?? [],
    publicAccessBlocked: !!(block?.BlockPublicAcls && block.BlockPublicPolicy && block.IgnorePublicAcls && block.RestrictPublicBuckets),
    encrypted: (encryption?.ServerSideEncryptionConfiguration?.Rules ?? []).length > 0,
    tags: Object.fromEntries((tagging?.TagSet ?? []).map((t) => [t.Key!, t.Value!])),
    ...(contents ? { contents } : {}),
    ...(copy ? { copy } : {}),
  };
}

export async function readContents(s3: S3Client, Bucket: string, Prefix?: string): Promise<BucketContents> {
  let objects = 0;
  let bytes = 0;
  let versions = 0;
  let deleteMarkers = 0;
  const needRestore: string[] = [];
  for await (const page of objectVersions(s3, Bucket, Prefix)) {
    for (const version of page.Versions ?? []) {
      versions++;
      if (!version.IsLatest) continue;
      objects++;
      bytes += version.Size ?? 0;
      if (ARCHIVE_CLASSES.has(version.StorageClass ?? '')) needRestore.push(version.Key!);
    }
    deleteMarkers += (page.DeleteMarkers ?? []).length;
  }
  return { objects, bytes, versions, deleteMarkers, needRestore };
}

/** ListObjectVersions, page by page (the SDK has no paginator for it). */
export async function* objectVersions(s3: S3Client, Bucket: string, Prefix?: string): AsyncGenerator<ListObjectVersionsCommandOutput> {
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix, KeyMarker, VersionIdMarker }));
    yield page;
    ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = page.IsTruncated ? page : { NextKeyMarker: undefined, NextVersionIdMarker: undefined });
  } while (KeyMarker);
}
