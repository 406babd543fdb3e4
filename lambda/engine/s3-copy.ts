/**
 * The S3 steps that are many API calls each: copy a bucket into an archive bucket (server-side, resumable),
 * verify the copy, and empty a bucket of every version and delete marker. Each returns a one-line note for the
 * report; a failure throws, which stops the bucket's later steps (a delete never follows an incomplete copy).
 * Every call names this account as the owner of both buckets.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { forEachBounded } from './concurrency';
import { errorName } from './aws';
import { needsRestore, objectVersions } from './discover-buckets';

export interface CopyObjectsInput {
  readonly SourceBucket: string;
  readonly DestinationBucket: string;
  /** `<source-bucket>/`: keys keep their names under it. */
  readonly DestinationPrefix: string;
  readonly StorageClass: string;
  /** Copy noncurrent versions too, oldest first, so the newest copy is the current one. */
  readonly Versions: boolean;
  /** Larger objects go by multipart UploadPartCopy; CopyObject stops at 5 GiB. */
  readonly MultipartThresholdBytes: number;
  /** This account: both buckets must be its own (ExpectedBucketOwner on every call). */
  readonly ExpectedBucketOwner: string;
}

interface Version {
  readonly key: string;
  /** S3's version id, `null` for an object written while versioning was off. */
  readonly versionId: string;
  readonly size: number;
  readonly etag: string;
  readonly storageClass: string;
  readonly lastModified: number;
  /** The current version of its key (false for noncurrent versions). */
  readonly latest: boolean;
  readonly restore: boolean;
}

/** Objects copied at once: each copy is one server-side request, so this bounds S3 request pressure. */
const COPY_CONCURRENCY = 16;
/** S3's limits for a multipart upload. */
const MIN_PART = 5 * 1024 ** 2;
const MAX_PART = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;
/** Copies between two saves of the copy record: a run cut short re-copies at most this many. */
const SAVE_EVERY = 500;

/** The record of what was copied, under the copy's own prefix in the archive bucket (never counted as a copy). */
export const COPY_RECORD = '.ctl-departure-copied.json';

async function listVersions(s3: S3Client, bucket: string, owner: string, prefix?: string): Promise<Version[]> {
  const versions: Version[] = [];
  for await (const page of objectVersions(s3, bucket, owner, prefix)) {
    for (const v of page.Versions ?? []) {
      if (prefix && v.Key === `${prefix}${COPY_RECORD}`) continue;
      versions.push({
        key: v.Key!,
        versionId: v.VersionId ?? 'null',
        size: v.Size ?? 0,
        etag: v.ETag ?? '',
        storageClass: v.StorageClass ?? 'STANDARD',
        lastModified: v.LastModified?.getTime() ?? 0,
        latest: !!v.IsLatest,
        restore: needsRestore(v),
      });
    }
  }
  return versions;
}

/**
 * What was copied, saved in the archive bucket: the source version's identity (key, version id, ETag, size) and
 * the copy it became (its version id and ETag). A copy's ETag says nothing of its source's (a multipart copy or an
 * SSE-KMS object gets a new one), so a re-run compares these records, not ETags.
 */
type CopyRecord = Record<string, { readonly copyVersionId: string; readonly copyETag: string }>;

const identity = (v: Version) => `${v.key}\u0000${v.versionId}\u0000${v.etag}\u0000${v.size}`;

async function loadRecord(s3: S3Client, Bucket: string, Key: string, ExpectedBucketOwner: string): Promise<CopyRecord> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket, Key, ExpectedBucketOwner }));
    return JSON.parse(await answer.Body!.transformToString()) as CopyRecord;
  } catch (error) {
    if (errorName(error) === 'NoSuchKey') return {};
    throw error;
  }
}

/** The copy of `version` is in the archive and is the one recorded for it. */
function present(version: Version, record: CopyRecord, archived: ReadonlyMap<string, readonly Version[]>): boolean {
  const copy = record[identity(version)];
  return !!copy && (archived.get(version.key) ?? []).some((v) => v.versionId === copy.copyVersionId && v.etag === copy.copyETag);
}

/**
 * The versions of one key still to copy, oldest first: from the oldest missing one on, every later one too (even
 * when already there), so the newest source version always ends up the archive's current one.
 */
function due(versions: readonly Version[], record: CopyRecord, archived: ReadonlyMap<string, readonly Version[]>): Version[] {
  // S3 lists a key's versions newest first; reversed, then sorted stably by time, they run oldest first.
  const ordered = [...versions].reverse().sort((a, b) => a.lastModified - b.lastModified);
  const first = ordered.findIndex((v) => !present(v, record, archived));
  return first < 0 ? [] : ordered.slice(first);
}

export async function copyObjects(s3: S3Client, input: CopyObjectsInput): Promise<string> {
  const owner = input.ExpectedBucketOwner;
  const recordKey = `${input.DestinationPrefix}${COPY_RECORD}`;
  const [source, copies, record] = await Promise.all([
    listVersions(s3, input.SourceBucket, owner),
    listVersions(s3, input.DestinationBucket, owner, input.DestinationPrefix),
    loadRecord(s3, input.DestinationBucket, recordKey, owner),
  ]);
  const byKey = new Map<string, Version[]>();
  for (const version of source) {
    if (!input.Versions && !version.latest) continue;
    byKey.set(version.key, [...(byKey.get(version.key) ?? []), version]);
  }
  const archived = new Map<string, Version[]>();
  for (const copy of copies) {
    const key = copy.key.slice(input.DestinationPrefix.length);
    archived.set(key, [...(archived.get(key) ?? []), copy]);
  }
  let copied = 0;
  let bytes = 0;
  let present = 0;
  const needRestore: string[] = [];
  const refused: string[] = [];
  let saving = Promise.resolve();
  let unsaved = 0;
  const save = () =>
    (saving = saving.then(async () => {
      unsaved = 0;
      await s3.send(new PutObjectCommand({ Bucket: input.DestinationBucket, Key: recordKey, Body: JSON.stringify(record), ContentType: 'application/json', ExpectedBucketOwner: owner }));
    }));
  try {
    // Keys in parallel; the versions of one key in order, oldest first.
    await forEachBounded([...byKey.values()], COPY_CONCURRENCY, async (versions) => {
      const todo = due(versions, record, archived);
      present += versions.length - todo.length;
      for (const version of todo) {
        if (version.restore) {
          needRestore.push(version.key);
          break; // a later version copied before this one would leave the archive out of order
        }
        const copy = await copyOne(s3, input, version).catch((error) => {
          // An Intelligent-Tiering object in an archive access tier cannot be copied until restored: that object only.
          if (errorName(error) !== 'InvalidObjectState') throw error;
          refused.push(version.key);
          return undefined;
        });
        if (!copy) break;
        record[identity(version)] = copy;
        copied++;
        bytes += version.size;
        if (++unsaved >= SAVE_EVERY) await save();
      }
    });
  } finally {
    if (unsaved) await save();
    await saving;
  }
  const list = (what: string, keys: string[]) => (keys.length ? `; ${keys.length} ${what}: ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', ...' : ''}` : '');
  return `copied ${copied} (${bytes} bytes), ${present} already in the archive${list('need a restore first', needRestore)}${list('in an archive access tier (InvalidObjectState), restore first', refused)}`;
}

/**
 * The exact version, a noncurrent `null` one too (`versionId=null`, not the current object). The current null
 * version is the object itself, named without a version id.
 */
const versionOf = (version: Version) => (version.latest && version.versionId === 'null' ? undefined : version.versionId);

const copySource = (bucket: string, version: Version) => {
  const id = versionOf(version);
  return `${bucket}/${version.key.split('/').map(encodeURIComponent).join('/')}${id ? `?versionId=${encodeURIComponent(id)}` : ''}`;
};

async function copyOne(s3: S3Client, input: CopyObjectsInput, version: Version): Promise<{ copyVersionId: string; copyETag: string }> {
  const Bucket = input.DestinationBucket;
  const Key = `${input.DestinationPrefix}${version.key}`;
  const CopySource = copySource(input.SourceBucket, version);
  const StorageClass = input.StorageClass as StorageClass;
  const owners = { ExpectedBucketOwner: input.ExpectedBucketOwner, ExpectedSourceBucketOwner: input.ExpectedBucketOwner };
  if (version.size <= input.MultipartThresholdBytes) {
    // COPY directives keep the metadata, content type and tags as they are.
    const answer = await s3.send(new CopyObjectCommand({ Bucket, Key, CopySource, StorageClass, MetadataDirective: 'COPY', TaggingDirective: 'COPY', ...owners }));
    return { copyVersionId: answer.VersionId ?? 'null', copyETag: answer.CopyObjectResult?.ETag ?? '' };
  }
  // A multipart upload starts empty: metadata, content type and tags are read and set explicitly.
  const source = { Bucket: input.SourceBucket, Key: version.key, VersionId: versionOf(version), ExpectedBucketOwner: input.ExpectedBucketOwner };
  const [head, tagging] = await Promise.all([s3.send(new HeadObjectCommand(source)), s3.send(new GetObjectTaggingCommand(source))]);
  const Tagging = (tagging.TagSet ?? []).map((t) => `${encodeURIComponent(t.Key!)}=${encodeURIComponent(t.Value ?? '')}`).join('&');
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket,
      Key,
      StorageClass,
      Metadata: head.Metadata,
      ContentType: head.ContentType,
      CacheControl: head.CacheControl,
      ContentDisposition: head.ContentDisposition,
      ContentEncoding: head.ContentEncoding,
      ContentLanguage: head.ContentLanguage,
      ExpectedBucketOwner: input.ExpectedBucketOwner,
      ...(Tagging ? { Tagging } : {}),
    }),
  );
  try {
    const partSize = Math.min(MAX_PART, Math.max(MIN_PART, input.MultipartThresholdBytes, Math.ceil(version.size / MAX_PARTS)));
    const ranges = Array.from({ length: Math.ceil(version.size / partSize) }, (_, i) => [i * partSize, Math.min(version.size, (i + 1) * partSize) - 1] as const);
    const parts = await Promise.all(
      ranges.map(async ([start, end], i) => {
        const part = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: i + 1, CopySource, CopySourceRange: `bytes=${start}-${end}`, ...owners }));
        return { PartNumber: i + 1, ETag: part.CopyPartResult!.ETag! };
      }),
    );
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts }, ExpectedBucketOwner: input.ExpectedBucketOwner }));
    return { copyVersionId: done.VersionId ?? 'null', copyETag: done.ETag ?? '' };
  } catch (error) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId, ExpectedBucketOwner: input.ExpectedBucketOwner })).catch(() => undefined);
    throw error;
  }
}

export interface VerifyCopyInput {
  readonly SourceBucket: string;
  readonly DestinationBucket: string;
  readonly DestinationPrefix: string;
  readonly ExpectedBucketOwner: string;
}

/**
 * Throws unless every current source object's newest version is, by the copy record, the archive's current
 * version of that key: counts and bytes alone could pass with an older version current.
 */
export async function verifyCopy(s3: S3Client, input: VerifyCopyInput): Promise<string> {
  const owner = input.ExpectedBucketOwner;
  const [source, copies, record] = await Promise.all([
    listVersions(s3, input.SourceBucket, owner),
    listVersions(s3, input.DestinationBucket, owner, input.DestinationPrefix),
    loadRecord(s3, input.DestinationBucket, `${input.DestinationPrefix}${COPY_RECORD}`, owner),
  ]);
  const current = new Map(copies.filter((c) => c.latest).map((c) => [c.key.slice(input.DestinationPrefix.length), c]));
  const latest = source.filter((v) => v.latest);
  const missing = latest.filter((v) => {
    const copy = record[identity(v)];
    const now = current.get(v.key);
    return !copy || !now || now.versionId !== copy.copyVersionId || now.etag !== copy.copyETag;
  });
  const bytes = latest.reduce((sum, v) => sum + v.size, 0);
  if (missing.length) {
    const restore = missing.filter((v) => v.restore).length;
    throw Object.assign(
      new Error(`the archive's current copy is not the source's newest version for ${missing.length} of ${latest.length} objects, e.g. ${missing[0]!.key}${restore ? `; ${restore} need a restore first` : ''}: not deleting`),
      { name: 'CopyNotVerified' },
    );
  }
  return `verified: ${latest.length} objects, ${bytes} bytes in ${input.DestinationBucket}/${input.DestinationPrefix}, each the newest version`;
}

/** Deletes every version and delete marker, a thousand per request. */
export async function emptyBucket(s3: S3Client, input: { readonly Bucket: string; readonly ExpectedBucketOwner: string }): Promise<string> {
  let versions = 0;
  let markers = 0;
  for await (const page of objectVersions(s3, input.Bucket, input.ExpectedBucketOwner)) {
    const objects = [
      ...(page.Versions ?? []).map((v) => ({ Key: v.Key!, VersionId: v.VersionId })),
      ...(page.DeleteMarkers ?? []).map((m) => ({ Key: m.Key!, VersionId: m.VersionId })),
    ];
    for (let i = 0; i < objects.length; i += 1000) {
      const batch = objects.slice(i, i + 1000);
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: input.Bucket, Delete: { Objects: batch, Quiet: true }, ExpectedBucketOwner: input.ExpectedBucketOwner }));
      if (result.Errors?.length) {
        const first = result.Errors[0]!;
        throw Object.assign(new Error(`${result.Errors.length} object(s) not deleted, e.g. ${first.Key}: ${first.Code} ${first.Message}`), { name: first.Code ?? 'DeleteObjectsFailed' });
      }
    }
    versions += (page.Versions ?? []).length;
    markers += (page.DeleteMarkers ?? []).length;
  }
  return `deleted ${versions} version(s) and ${markers} delete marker(s)`;
}
