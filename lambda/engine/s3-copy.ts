/**
 * The S3 steps that are many API calls each: copy a bucket into an archive bucket (server-side, resumable),
 * verify the copy, and empty a bucket of every version and delete marker. Each returns a one-line note for the
 * report; a failure throws, which stops the bucket's later steps (a delete never follows an incomplete copy).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCopyCommand,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { forEachBounded } from './concurrency';
import { ARCHIVE_CLASSES, objectVersions, readContents } from './discover-buckets';

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
}

interface Version {
  readonly key: string;
  readonly versionId?: string;
  readonly size: number;
  readonly etag: string;
  readonly storageClass: string;
  readonly lastModified: number;
  /** The current version of its key (false for noncurrent versions). */
  readonly latest: boolean;
}

/** Objects copied at once: each copy is one server-side request, so this bounds S3 request pressure. */
const COPY_CONCURRENCY = 16;
/** S3's limits for a multipart upload. */
const MIN_PART = 5 * 1024 ** 2;
const MAX_PART = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;

async function listVersions(s3: S3Client, bucket: string, prefix?: string): Promise<Version[]> {
  const versions: Version[] = [];
  for await (const page of objectVersions(s3, bucket, prefix)) {
    for (const v of page.Versions ?? []) {
      versions.push({
        key: v.Key!,
        versionId: v.VersionId && v.VersionId !== 'null' ? v.VersionId : undefined,
        size: v.Size ?? 0,
        etag: v.ETag ?? '',
        storageClass: v.StorageClass ?? 'STANDARD',
        lastModified: v.LastModified?.getTime() ?? 0,
        latest: !!v.IsLatest,
      });
    }
  }
  return versions;
}

/**
 * A copy already in the archive: same size, and the same ETag, or a multipart ETag (`...-N`), which a multipart
 * copy gives whatever the source's was.
 */
const sameObject = (source: Version, copy: Version) => copy.size === source.size && (copy.etag === source.etag || /-\d+"?$/.test(copy.etag));

export async function copyObjects(s3: S3Client, input: CopyObjectsInput): Promise<string> {
  const [source, archived] = await Promise.all([
    listVersions(s3, input.SourceBucket),
    listVersions(s3, input.DestinationBucket, input.DestinationPrefix),
  ]);
  const byKey = new Map<string, Version[]>();
  for (const version of source) {
    if (!input.Versions && !version.latest) continue;
    byKey.set(version.key, [...(byKey.get(version.key) ?? []), version]);
  }
  const copies = new Map<string, Version[]>();
  for (const copy of archived) {
    const key = copy.key.slice(input.DestinationPrefix.length);
    copies.set(key, [...(copies.get(key) ?? []), copy]);
  }
  let copied = 0;
  let bytes = 0;
  let present = 0;
  const needRestore: string[] = [];
  // Keys in parallel; the versions of one key in order, oldest first, so the newest copy ends up current.
  await forEachBounded([...byKey], COPY_CONCURRENCY, async ([key, versions]) => {
    const available = [...(copies.get(key) ?? [])];
    // S3 lists a key's versions newest first; reversed, then sorted stably by time, they run oldest first even
    // when two share a timestamp.
    for (const version of [...versions].reverse().sort((a, b) => a.lastModified - b.lastModified)) {
      const match = available.findIndex((copy) => sameObject(version, copy));
      if (match >= 0) {
        available.splice(match, 1);
        present++;
        continue;
      }
      if (ARCHIVE_CLASSES.has(version.storageClass)) {
        needRestore.push(key);
        continue;
      }
      await copyOne(s3, input, version);
      copied++;
      bytes += version.size;
    }
  });
  const restore = needRestore.length ? `; ${needRestore.length} need a restore first: ${needRestore.slice(0, 5).join(', ')}${needRestore.length > 5 ? ', ...' : ''}` : '';
  return `copied ${copied} (${bytes} bytes), ${present} already in the archive${restore}`;
}

const copySource = (bucket: string, version: Version) =>
  `${bucket}/${version.key.split('/').map(encodeURIComponent).join('/')}${version.versionId ? `?versionId=${encodeURIComponent(version.versionId)}` : ''}`;

async function copyOne(s3: S3Client, input: CopyObjectsInput, version: Version): Promise<void> {
  const Bucket = input.DestinationBucket;
  const Key = `${input.DestinationPrefix}${version.key}`;
  const CopySource = copySource(input.SourceBucket, version);
  const StorageClass = input.StorageClass as StorageClass;
  if (version.size <= input.MultipartThresholdBytes) {
    // COPY directives keep the metadata, content type and tags as they are.
    await s3.send(new CopyObjectCommand({ Bucket, Key, CopySource, StorageClass, MetadataDirective: 'COPY', TaggingDirective: 'COPY' }));
    return;
  }
  // A multipart upload starts empty: metadata, content type and tags are read and set explicitly.
  const source = { Bucket: input.SourceBucket, Key: version.key, VersionId: version.versionId };
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
      ...(Tagging ? { Tagging } : {}),
    }),
  );
  try {
    const partSize = Math.min(MAX_PART, Math.max(MIN_PART, input.MultipartThresholdBytes, Math.ceil(version.size / MAX_PARTS)));
    const ranges = Array.from({ length: Math.ceil(version.size / partSize) }, (_, i) => [i * partSize, Math.min(version.size, (i + 1) * partSize) - 1] as const);
    const parts = await Promise.all(
      ranges.map(async ([start, end], i) => {
        const part = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: i + 1, CopySource, CopySourceRange: `bytes=${start}-${end}` }));
        return { PartNumber: i + 1, ETag: part.CopyPartResult!.ETag! };
      }),
    );
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
  } catch (error) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
    throw error;
  }
}

export interface VerifyCopyInput {
  readonly SourceBucket: string;
  readonly DestinationBucket: string;
  readonly DestinationPrefix: string;
}

/** Throws unless the archive holds as many current objects, of as many bytes, as the source. */
export async function verifyCopy(s3: S3Client, input: VerifyCopyInput): Promise<string> {
  const [source, copy] = await Promise.all([readContents(s3, input.SourceBucket), readContents(s3, input.DestinationBucket, input.DestinationPrefix)]);
  if (copy.objects !== source.objects || copy.bytes !== source.bytes) {
    throw Object.assign(
      new Error(`the archive holds ${copy.objects} of ${source.objects} objects and ${copy.bytes} of ${source.bytes} bytes${source.needRestore.length ? `; ${source.needRestore.length} need a restore first` : ''}: not deleting`),
      { name: 'CopyNotVerified' },
    );
  }
  return `verified: ${copy.objects} objects, ${copy.bytes} bytes in ${input.DestinationBucket}/${input.DestinationPrefix}`;
}

/** Deletes every version and delete marker, a thousand per request. */
export async function emptyBucket(s3: S3Client, input: { readonly Bucket: string }): Promise<string> {
  let versions = 0;
  let markers = 0;
  for await (const page of objectVersions(s3, input.Bucket)) {
    const objects = [
      ...(page.Versions ?? []).map((v) => ({ Key: v.Key!, VersionId: v.VersionId })),
      ...(page.DeleteMarkers ?? []).map((m) => ({ Key: m.Key!, VersionId: m.VersionId })),
    ];
    for (let i = 0; i < objects.length; i += 1000) {
      const batch = objects.slice(i, i + 1000);
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: input.Bucket, Delete: { Objects: batch, Quiet: true } }));
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
