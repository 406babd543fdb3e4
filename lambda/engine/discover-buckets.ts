/**
 * Discover the provider's buckets: settings always (policy, versioning, lifecycle, public access block,
 * encryption, tags); contents only when the mode copies or deletes, since listing a large bucket is the one
 * expensive read. A bucket that does not exist is recorded as such; one that cannot be read, with its error.
 * Every call passes the account as ExpectedBucketOwner: nothing is read from a bucket of another account.
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
  type GetBucketEncryptionCommandOutput,
  type ListObjectVersionsCommandOutput,
  type ObjectVersion,
  S3Client,
} from '@aws-sdk/client-s3';
import { errorName } from './aws';
import type { BucketSettings } from './config';
import type { ArchiveBucket, Bucket, BucketContents } from './inventory';

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
  const copies = settings.mode === 'copy' || settings.mode === 'delete';
  const archive = copies && settings.archiveBucket ? readArchive(s3, settings.archiveBucket, accountId) : undefined;
  archive?.catch(() => undefined); // read by each bucket that exists; never an unhandled rejection
  return Promise.all(
    bucketNames(settings, accountId).map(async (name) => {
      const arn = `arn:${partition}:s3:::${name}`;
      try {
        return await discoverBucket(s3, name, settings, accountId, arn, archive);
      } catch (error) {
        // One bucket that cannot be read (denied, another account's, an archive bucket that is not there) is one
        // flagged item: the rest of the run, IAM included, goes on.
        return { ...absent(name, arn), exists: true, error: `${errorName(error)}: ${(error as Error).message}` };
      }
    }),
  );
}

const absent = (name: string, arn: string): Bucket => ({ name, arn, exists: false, lifecycleRules: [], publicAccessBlocked: false, encrypted: false, tags: {} });

/** The archive bucket, read once for every provider bucket: it must be this account's; its versioning and key. */
async function readArchive(s3: S3Client, Bucket: string, ExpectedBucketOwner: string): Promise<ArchiveBucket> {
  const owned = { Bucket, ExpectedBucketOwner };
  try {
    await s3.send(new HeadBucketCommand(owned));
  } catch (error) {
    const name = errorName(error);
    throw Object.assign(new Error(`archive bucket ${Bucket} ${name === 'NotFound' ? 'does not exist: create it (versioned) or fix buckets.archiveBucket' : 'is not this account\'s, or may not be read'}`), { name: `Archive${name === 'NotFound' ? 'NotFound' : 'Unreadable'}` });
  }
  const [versioning, encryption] = await Promise.all([
    s3.send(new GetBucketVersioningCommand(owned)),
    optional(() => s3.send(new GetBucketEncryptionCommand(owned)), ['ServerSideEncryptionConfigurationNotFoundError']),
  ]);
  const kmsKey = kmsKeyOf(encryption);
  return { ...(versioning.Status ? { versioning: versioning.Status as 'Enabled' | 'Suspended' } : {}), ...(kmsKey ? { kmsKey } : {}) };
}

const kmsKeyOf = (encryption: GetBucketEncryptionCommandOutput | undefined) => {
  const rule = encryption?.ServerSideEncryptionConfiguration?.Rules?.find((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm?.startsWith('aws:kms'));
  return rule ? (rule.ApplyServerSideEncryptionByDefault!.KMSMasterKeyID ?? 'aws/s3') : undefined;
};

async function discoverBucket(s3: S3Client, Bucket: string, settings: BucketSettings, accountId: string, arn: string, archive?: Promise<ArchiveBucket>): Promise<Bucket> {
  // Every call names the owner: a bucket of that name in another account answers 403, never its contents.
  const owned = { Bucket, ExpectedBucketOwner: accountId };
  let region: string | undefined;
  try {
    region = (await s3.send(new HeadBucketCommand(owned))).BucketRegion;
  } catch (error) {
    if (['NotFound', 'NoSuchBucket'].includes(errorName(error))) return absent(Bucket, arn);
    if (errorName(error) === 'Forbidden' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
      throw Object.assign(new Error('HeadBucket answered 403: the bucket belongs to another account, or a policy denies this caller'), { name: 'AccessDenied' });
    }
    throw error;
  }
  const listing = settings.mode === 'copy' || settings.mode === 'delete';
  const [policy, versioning, lifecycle, publicAccess, encryption, tagging, contents, copy, archived] = await Promise.all([
    optional(() => s3.send(new GetBucketPolicyCommand(owned)), ['NoSuchBucketPolicy']),
    s3.send(new GetBucketVersioningCommand(owned)),
    optional(() => s3.send(new GetBucketLifecycleConfigurationCommand(owned)), ['NoSuchLifecycleConfiguration']),
    optional(() => s3.send(new GetPublicAccessBlockCommand(owned)), ['NoSuchPublicAccessBlockConfiguration']),
    optional(() => s3.send(new GetBucketEncryptionCommand(owned)), ['ServerSideEncryptionConfigurationNotFoundError']),
    optional(() => s3.send(new GetBucketTaggingCommand(owned)), ['NoSuchTagSet', 'NoSuchTagSetError']),
    listing ? readContents(s3, Bucket, accountId) : undefined,
    listing && settings.archiveBucket ? archive!.then(() => readContents(s3, settings.archiveBucket!, accountId, `${Bucket}/`)) : undefined,
    archive,
  ]);
  const block = publicAccess?.PublicAccessBlockConfiguration;
  const kmsKey = kmsKeyOf(encryption);
  return {
    name: Bucket,
    arn,
    exists: true,
    ...(region ? { region } : {}),
    ...(policy?.Policy ? { policy: policy.Policy } : {}),
    ...(versioning.Status ? { versioning: versioning.Status as 'Enabled' | 'Suspended' } : {}),
    lifecycleRules: lifecycle?.Rules ?? [],
    ...(lifecycle?.TransitionDefaultMinimumObjectSize ? { transitionMinimumSize: lifecycle.TransitionDefaultMinimumObjectSize } : {}),
    publicAccessBlocked: !!(block?.BlockPublicAcls && block.BlockPublicPolicy && block.IgnorePublicAcls && block.RestrictPublicBuckets),
    encrypted: (encryption?.ServerSideEncryptionConfiguration?.Rules ?? []).length > 0,
    // Whole, for the backup of an archive that replaces them.
    publicAccessBlock: block,
    encryption: encryption?.ServerSideEncryptionConfiguration,
    ...(kmsKey ? { kmsKey } : {}),
    tags: Object.fromEntries((tagging?.TagSet ?? []).map((t) => [t.Key!, t.Value!])),
    ...(contents ? { contents } : {}),
    ...(copy ? { copy } : {}),
    ...(archived ? { archive: archived } : {}),
  };
}

/** An object in an archive class that S3 has not restored: it cannot be copied until it is. */
export const needsRestore = (version: ObjectVersion) =>
  ARCHIVE_CLASSES.has(version.StorageClass ?? '') && !(version.RestoreStatus && !version.RestoreStatus.IsRestoreInProgress && version.RestoreStatus.RestoreExpiryDate);

export async function readContents(s3: S3Client, Bucket: string, ExpectedBucketOwner: string, Prefix?: string): Promise<BucketContents> {
  let objects = 0;
  let bytes = 0;
  let versions = 0;
  let deleteMarkers = 0;
  const needRestore: string[] = [];
  for await (const page of objectVersions(s3, Bucket, ExpectedBucketOwner, Prefix)) {
    for (const version of page.Versions ?? []) {
      if (Prefix && version.Key === `${Prefix}.ctl-departure-copied.json`) continue; // the copy record (s3-copy.ts)
      versions++;
      if (!version.IsLatest) continue;
      objects++;
      bytes += version.Size ?? 0;
      if (needsRestore(version)) needRestore.push(version.Key!);
    }
    deleteMarkers += (page.DeleteMarkers ?? []).length;
  }
  return { objects, bytes, versions, deleteMarkers, needRestore };
}

/**
 * ListObjectVersions, page by page (the SDK has no paginator for it), of a bucket of this account only, with each
 * archived object's restore status (a restored GLACIER or DEEP_ARCHIVE object keeps its class but can be copied).
 */
export async function* objectVersions(s3: S3Client, Bucket: string, ExpectedBucketOwner: string, Prefix?: string): AsyncGenerator<ListObjectVersionsCommandOutput> {
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket, ExpectedBucketOwner, Prefix, KeyMarker, VersionIdMarker, OptionalObjectAttributes: ['RestoreStatus'] }));
    yield page;
    ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = page.IsTruncated ? page : { NextKeyMarker: undefined, NextVersionIdMarker: undefined });
  } while (KeyMarker);
}
