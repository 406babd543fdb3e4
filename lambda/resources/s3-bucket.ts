/**
 * The provider's S3 buckets (`config-bucket-<id>`, `ctlaudit-<id>` by default).
 * - Found by: HeadBucket and the bucket's settings (engine/discover-buckets.ts); contents only to copy or delete.
 * - In every mode: bucket-policy grants to the provider go (engine/policy-rewrite.ts, shared with the sweep); services that
 *   still deliver into the bucket are named in the reason.
 * - keep: nothing else. archive: public access blocked, default encryption, an archive tag, and a lifecycle rule
 *   to `storageClass`, merged with the rules already there. copy: server-side copy into `archiveBucket` under
 *   `<bucket>/` (engine/s3-copy.ts). delete: every version and delete marker, then the bucket, only after a copy
 *   verified in this run or an earlier one, or with `deleteWithoutArchive`.
 * - Backed up from discovery, which reads every setting a step may replace (policy, lifecycle, tags, public access
 *   block, encryption) just before the steps that replace them are planned.
 */
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { providerAccounts, rewritePolicy } from '../engine/policy-rewrite';
import { tagList, type BucketBackup } from '../engine/backup';
import type { Bucket, BucketContents } from '../engine/inventory';
import { step, type Action, type Step } from '../engine/model';
import { s3Arn, type Permission } from '../engine/permissions';
import { BATCH_MANIFEST_PREFIX } from '../engine/s3-batch';
import type { PlanContext, ResourceKind, Verdict } from './kind';

/** The tag an archived bucket carries, and the id of the lifecycle rule the engine adds. */
export const ARCHIVE_TAG = 'ctl-departure:archived';
export const ARCHIVE_RULE_ID = 'ctl-departure-archive';

const size = (bytes: number) => (bytes < 1024 ** 2 ? `${bytes} bytes` : bytes < 1024 ** 3 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / 1024 ** 3).toFixed(2)} GiB`);
const contentsSummary = (contents: BucketContents) => `${contents.objects} objects, ${size(contents.bytes)}`;

/** A copy counts as verified when the archive holds as many current objects, of as many bytes, as the bucket. */
export function copyVerified(bucket: Bucket): boolean {
  return !!bucket.contents && !!bucket.copy && bucket.copy.objects === bucket.contents.objects && bucket.copy.bytes === bucket.contents.bytes;
}

/** Every S3 step names this account as the bucket's owner: a bucket of another account answers 403. */
const owned = (bucket: string, context: PlanContext) => ({ Bucket: bucket, ExpectedBucketOwner: context.inventory.accountId });

function policyNotes(bucket: Bucket, context: PlanContext): { steps: Step[]; notes: string[] } {
  const rewrite = rewritePolicy(bucket.policy, providerAccounts(context.config.providerAccountIds));
  const notes: string[] = [];
  if (rewrite.removed.length) notes.push(`policy loses ${rewrite.removed.join('; ')}`);
  if (rewrite.deliveries.length) notes.push(`still written to by ${rewrite.deliveries.join('; ')}`);
  const steps =
    rewrite.policy === undefined
      ? []
      : rewrite.policy === null
        ? [step('DeleteBucketPolicy', owned(bucket.name, context), 's3')]
        : [step('PutBucketPolicy', { ...owned(bucket.name, context), Policy: rewrite.policy }, 's3')];
  return { steps, notes };
}

/** What the copy needs of KMS: the source's key to read, the archive's to write. The stack grants neither. */
function kmsNotes(bucket: Bucket, context: PlanContext): string[] {
  const copies = !!context.config.buckets.archiveBucket && (context.config.buckets.mode === 'copy' || context.config.buckets.mode === 'delete');
  if (!copies) return [];
  return [
    ...(bucket.kmsKey ? [`SSE-KMS key ${bucket.kmsKey} (maybe the provider's): the copy needs kms:Decrypt on it, not granted by the stack`] : []),
    ...(bucket.archive?.kmsKey ? [`archive SSE-KMS key ${bucket.archive.kmsKey}: the copy needs kms:GenerateDataKey and kms:Decrypt on it, not granted by the stack`] : []),
  ];
}

/** Why a delete must wait: something still delivers into the bucket, or may (a region unread, an organization trail). */
function writersBlocking(bucket: Bucket, context: PlanContext): string | undefined {
  const found = context.inventory.bucketWriters;
  if (!found) return 'who writes into it was not read';
  const writers = found.writers.filter((w) => w.bucket === bucket.name).map((w) => w.writer);
  if (writers.length) return `still written to by ${writers.join(', ')}: stop and remove them first`;
  if (found.unreadable.length) return `writers could not be read in every region (${found.unreadable.join(', ')})`;
  return undefined;
}

function decide(bucket: Bucket, context: PlanContext): Verdict {
  const settings = context.config.buckets;
  if (bucket.error) return { action: 'flag', reason: `cannot be read, nothing done: ${bucket.error}` };
  if (!bucket.exists) return { action: 'skip', reason: 'does not exist' };
  if (context.config.exclude.includes(bucket.name)) return { action: 'skip', reason: 'excluded by config' };
  const { notes } = policyNotes(bucket, context);
  const restore = bucket.contents?.needRestore.length ? [`${bucket.contents.needRestore.length} object(s) in an archive class need a restore before they can be copied: ${bucket.contents.needRestore.slice(0, 5).join(', ')}${bucket.contents.needRestore.length > 5 ? ', ...' : ''}`] : [];
  const why = (head: string) => [head, ...notes, ...restore, ...kmsNotes(bucket, context)].join('; ');
  const copies = settings.mode === 'copy' || (settings.mode === 'delete' && !!settings.archiveBucket);
  if (copies && settings.copyVersions && bucket.archive?.versioning !== 'Enabled') {
    return { action: 'flag', reason: why(`not copied: copyVersions needs a versioned archive bucket; enable versioning on ${settings.archiveBucket}`) };
  }
  if (copies && settings.copyVersions && needsBatch(bucket, context)) {
    return { action: 'flag', reason: why('too large for one run with copyVersions: a batch job copies in no set order, an older version could end up current') };
  }
  if (settings.mode === 'delete') {
    const blocked = writersBlocking(bucket, context);
    // The name is predictable: deleted while logs still go there, another account could create it and receive them.
    if (blocked) return { action: 'flag', reason: why(`not deleted: ${blocked} (another account could recreate the name and receive the logs)`) };
  }
  // The job runs in this account as the role it is handed; the stack may only hand it a role of this account.
  const batchRoleAccount = settings.batchRoleArn?.split(':')[4];
  if (copies && needsBatch(bucket, context) && batchRoleAccount && batchRoleAccount !== context.inventory.accountId) {
    return {
      action: 'flag',
      reason: why(`too large for one run, and buckets.batchRoleArn is a role of account ${batchRoleAccount}, not of this account ${context.inventory.accountId}: name a role of this account for S3 Batch Operations`),
    };
  }
  switch (settings.mode) {
    case 'keep':
      return { action: 'preserve', reason: why('provider bucket kept (buckets.mode keep)') };
    case 'archive':
      return {
        action: 'preserve',
        reason: why(
          `provider bucket archived in place to ${settings.storageClass} after ${settings.transitionDays} day(s); ${
            bucket.transitionMinimumSize === 'all_storage_classes_128K' || !bucket.transitionMinimumSize
              ? 'objects under 128 KB (most Config and CloudTrail files) stay: S3 does not transition them by default, a setting kept'
              : `the bucket's TransitionDefaultMinimumObjectSize ${bucket.transitionMinimumSize} is kept`
          }`,
        ),
      };
    case 'copy':
      return {
        action: 'preserve',
        reason: why(
          copyVerified(bucket)
            ? `copy in ${settings.archiveBucket}/${bucket.name}/ verified: ${contentsSummary(bucket.copy!)}`
            : `copy ${contentsSummary(bucket.contents!)} into ${settings.archiveBucket}/${bucket.name}/ as ${settings.storageClass}${bucket.copy?.objects ? ` (${bucket.copy.objects} already there)` : ''}${needsBatch(bucket, context) ? ' by an S3 Batch Operations job (more than one run can copy)' : ''}`,
        ),
      };
    case 'delete': {
      if (settings.archiveBucket) {
        return { action: 'delete', reason: why(`deleted after its copy into ${settings.archiveBucket}/${bucket.name}/ is verified (${contentsSummary(bucket.contents!)})`) };
      }
      if (settings.deleteWithoutArchive) return { action: 'delete', reason: why(`deleted without an archive (deleteWithoutArchive): ${contentsSummary(bucket.contents!)}`) };
      return { action: 'flag', reason: why('not deleted: no verified copy; set buckets.archiveBucket to copy it first, or deleteWithoutArchive') };
    }
  }
}

function archiveSteps(bucket: Bucket, context: PlanContext): Step[] {
  const settings = context.config.buckets;
  const Bucket = bucket.name;
  const ExpectedBucketOwner = context.inventory.accountId;
  const steps: Step[] = [];
  if (!bucket.publicAccessBlocked) {
    steps.push(step('PutPublicAccessBlock', { Bucket, ExpectedBucketOwner, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }, 's3'));
  }
  if (!bucket.encrypted) {
    steps.push(step('PutBucketEncryption', { Bucket, ExpectedBucketOwner, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }, 's3'));
  }
  if (!(ARCHIVE_TAG in bucket.tags)) {
    const TagSet = Object.entries({ ...bucket.tags, [ARCHIVE_TAG]: `${context.inventory.readAt.slice(0, 10)} by ctl-departure` }).map(([Key, Value]) => ({ Key, Value }));
    steps.push(step('PutBucketTagging', { Bucket, ExpectedBucketOwner, Tagging: { TagSet } }, 's3'));
  }
  if (!bucket.lifecycleRules.some((rule) => rule.ID === ARCHIVE_RULE_ID)) {
    const rule: LifecycleRule = {
      ID: ARCHIVE_RULE_ID,
      Status: 'Enabled',
      Filter: { Prefix: '' },
      Transitions: [{ Days: settings.transitionDays, StorageClass: settings.storageClass as never }],
      NoncurrentVersionTransitions: [{ NoncurrentDays: settings.transitionDays, StorageClass: settings.storageClass as never }],
    };
    // PutBucketLifecycleConfiguration replaces the whole configuration: the rules already there go back in, and the
    // bucket's minimum object size for transitions (S3 would otherwise reset it to its default).
    const minimum = bucket.transitionMinimumSize ? { TransitionDefaultMinimumObjectSize: bucket.transitionMinimumSize } : {};
    steps.push(step('PutBucketLifecycleConfiguration', { Bucket, ExpectedBucketOwner, ...minimum, LifecycleConfiguration: { Rules: [...bucket.lifecycleRules, rule] } }, 's3'));
  }
  return steps;
}

/** More than one run can copy: S3 Batch Operations does it. */
export function needsBatch(bucket: Bucket, context: PlanContext): boolean {
  const settings = context.config.buckets;
  return !!bucket.contents && (bucket.contents.objects > settings.batchThresholdObjects || bucket.contents.bytes > settings.batchThresholdBytes);
}

function copyStep(bucket: Bucket, context: PlanContext): Step[] {
  const settings = context.config.buckets;
  if (!bucket.contents?.objects) return [];
  // Equal counts and bytes do not prove the copy current (a source rewritten at the same size): the copy step
  // checks every version against its record, and copies nothing when all are there.
  if (needsBatch(bucket, context)) {
    if (copyVerified(bucket)) return [];
    return [
      step(
        'StartBatchCopy',
        {
          AccountId: context.inventory.accountId,
          SourceBucket: bucket.name,
          DestinationBucket: settings.archiveBucket,
          DestinationPrefix: `${bucket.name}/`,
          StorageClass: settings.storageClass,
          Versions: settings.copyVersions,
          ...(settings.batchRoleArn ? { RoleArn: settings.batchRoleArn } : {}),
        },
        's3',
      ),
    ];
  }
  return [
    step(
      'CopyObjects',
      {
        SourceBucket: bucket.name,
        DestinationBucket: settings.archiveBucket,
        DestinationPrefix: `${bucket.name}/`,
        StorageClass: settings.storageClass,
        Versions: settings.copyVersions,
        MultipartThresholdBytes: settings.multipartThresholdBytes,
        ExpectedBucketOwner: context.inventory.accountId,
      },
      's3',
    ),
  ];
}

function steps(bucket: Bucket, verdict: Verdict, context: PlanContext): Step[] {
  const settings = context.config.buckets;
  const { steps: policy } = policyNotes(bucket, context);
  switch (settings.mode) {
    case 'keep':
      return policy;
    case 'archive':
      return [...policy, ...archiveSteps(bucket, context)];
    case 'copy':
      return [...policy, ...copyStep(bucket, context)];
    case 'delete': {
      if (verdict.action !== 'delete') return [];
      const verify = settings.archiveBucket
        ? [...copyStep(bucket, context), step('VerifyCopy', { SourceBucket: bucket.name, DestinationBucket: settings.archiveBucket, DestinationPrefix: `${bucket.name}/`, ExpectedBucketOwner: context.inventory.accountId }, 's3')]
        : [];
      const empty = bucket.contents!.versions + bucket.contents!.deleteMarkers > 0 ? [step('EmptyBucket', owned(bucket.name, context), 's3')] : [];
      return [...verify, ...empty, step('DeleteBucket', owned(bucket.name, context), 's3')];
    }
  }
}

/** Every setting the bucket had, whatever this mode replaces: a field left out means the bucket had none. */
async function backup(bucket: Bucket, action: Action): Promise<BucketBackup> {
  const tags = tagList(bucket.tags);
  return {
    Bucket: bucket.name,
    Policy: bucket.policy,
    LifecycleRules: bucket.lifecycleRules.length ? (bucket.lifecycleRules as unknown as BucketBackup['LifecycleRules']) : undefined,
    TransitionDefaultMinimumObjectSize: bucket.transitionMinimumSize,
    Tags: tags.length ? tags : undefined,
    PublicAccessBlockConfiguration: bucket.publicAccessBlock as BucketBackup['PublicAccessBlockConfiguration'],
    ServerSideEncryptionConfiguration: bucket.encryption as BucketBackup['ServerSideEncryptionConfiguration'],
    deleted: action.action === 'delete' || undefined,
  };
}

export const S3Bucket: ResourceKind<Bucket> = {
  type: 's3:bucket',
  dependsOn: [],
  list: (inventory) => inventory.buckets,
  describe: (bucket) => ({ name: bucket.name, arn: bucket.arn }),
  decide,
  steps,
  backup,
  permissions: [
    {
      sid: 'ReadProviderBuckets',
      actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketPolicy', 's3:GetBucketVersioning', 's3:GetLifecycleConfiguration', 's3:GetBucketPublicAccessBlock', 's3:GetEncryptionConfiguration', 's3:GetBucketTagging'],
      resources: [s3Arn('{bucket}')],
      reason: 'The provider buckets by name.',
    },
    {
      sid: 'ChangeProviderBuckets',
      actions: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketPublicAccessBlock', 's3:PutEncryptionConfiguration', 's3:PutBucketTagging', 's3:PutLifecycleConfiguration', 's3:DeleteBucket'],
      resources: [s3Arn('{bucket}')],
      reason: 'The provider buckets by name.',
    },
    {
      sid: 'ProviderObjects',
      // No s3:DeleteObject: emptying a bucket names every version (a "null" one too), which is s3:DeleteObjectVersion.
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:DeleteObjectVersion'],
      resources: [s3Arn('{bucket}/*')],
      reason: 'Copy reads every object of a provider bucket, delete removes every version: the bucket is named, its keys are not known in advance.',
    },
    {
      sid: 'WriteArchive',
      // GetObject: the copy record (what each copy was copied from) lives under the same prefix.
      actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload', 's3:GetObject'],
      resources: [s3Arn('{archiveBucket}/{bucket}/*')],
      reason: 'Copy writes every object of a provider bucket under its own prefix in the archive bucket.',
      feature: 'archiveBucket',
    },
    {
      sid: 'ListArchive',
      actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketVersioning', 's3:GetEncryptionConfiguration'],
      resources: [s3Arn('{archiveBucket}')],
      reason: 'Copy resumes and verifies by listing what the archive already holds.',
      feature: 'archiveBucket',
    },
    {
      sid: 'WriteBatchManifests',
      actions: ['s3:PutObject'],
      resources: [s3Arn(`{archiveBucket}/${BATCH_MANIFEST_PREFIX}*`)],
      reason: 'A batch copy job reads its manifest from this prefix of the archive bucket.',
      feature: 'batchRole',
    },
    {
      sid: 'StartBatchCopyJobs',
      actions: ['s3:CreateJob'],
      resources: ['*'],
      // Only copy jobs: CreateJob could otherwise start any operation (delete, restore, Lambda) on any bucket.
      conditions: { StringEquals: { 's3:RequestJobOperation': ['S3PutObjectCopy'] } },
      reason: 'S3 Batch Operations authorizes CreateJob on "*" only; the job can only assume the one role the function may pass.',
      feature: 'batchRole',
    },
    {
      sid: 'FindRunningBatchJobs',
      actions: ['s3:ListJobs'],
      resources: ['*'],
      reason: 'ListJobs is authorized on "*" only: a re-run finds a copy job still running instead of starting a second.',
      feature: 'batchRole',
    },
    {
      sid: 'PassBatchRole',
      actions: ['iam:PassRole'],
      resources: ['{batchRoleArn}'],
      conditions: { StringEquals: { 'iam:PassedToService': ['batchoperations.s3.amazonaws.com'] } },
      reason: 'The one role the batch copy job assumes.',
      feature: 'batchRole',
    },
  ] satisfies Permission[],
};
