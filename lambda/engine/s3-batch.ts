/**
 * Copies a bucket too large for one run with S3 Batch Operations: the engine writes a CSV manifest of the objects
 * into the archive bucket and starts an S3PutObjectCopy job; S3 does the copying and writes a completion report
 * next to the manifest. Objects that need a restore are left out and reported; objects over 5 GiB (beyond what
 * the job's copy supports) are left out too, for the engine's own multipart copy on a later run.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateJobCommand, DescribeJobCommand, ListJobsCommand, type JobDescriptor } from '@aws-sdk/client-s3-control';
import type { AwsClients } from './aws';
import { needsRestore, objectVersions } from './discover-buckets';

export interface BatchCopyInput {
  readonly AccountId: string;
  readonly SourceBucket: string;
  readonly DestinationBucket: string;
  readonly DestinationPrefix: string;
  readonly StorageClass: string;
  /** Never planned true (the plan flags it): a job copies in no set order, an older version could end up current. */
  readonly Versions: boolean;
  readonly RoleArn?: string;
}

/** The largest object an S3PutObjectCopy job copies. */
const BATCH_COPY_LIMIT = 5 * 1024 ** 3;
/** Marks our jobs, so a re-run finds a job still running instead of starting a second one. */
export const jobDescription = (bucket: string) => `ctl-departure copy ${bucket}`;

/** Where in the archive bucket the engine writes a batch job's manifest (the stack lets it write only here). */
export const BATCH_MANIFEST_PREFIX = 'ctl-departure/manifests/';

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export async function startBatchCopy(clients: AwsClients, input: BatchCopyInput): Promise<string> {
  if (!input.RoleArn) {
    throw Object.assign(new Error(`${input.SourceBucket} is too large for one run and no buckets.batchRoleArn is set: name the role S3 Batch Operations assumes`), { name: 'BatchRoleMissing' });
  }
  const running = await clients.s3control.send(new ListJobsCommand({ AccountId: input.AccountId, JobStatuses: ['Active', 'New', 'Preparing', 'Ready', 'Suspended'] }));
  const existing = (running.Jobs ?? []).find((job) => job.Description === jobDescription(input.SourceBucket));
  if (existing) return `S3 Batch Operations job ${existing.JobId} is still ${existing.Status}: see ctl-departure status --job ${existing.JobId}`;

  const lines: string[] = [];
  let skipped = 0;
  for await (const page of objectVersions(clients.s3, input.SourceBucket, input.AccountId)) {
    for (const version of page.Versions ?? []) {
      if (!version.IsLatest) continue;
      if (needsRestore(version) || (version.Size ?? 0) > BATCH_COPY_LIMIT) {
        skipped++;
        continue;
      }
      // Keys are URL-encoded in a manifest, as S3 Batch Operations expects.
      const fields = [input.SourceBucket, encodeURIComponent(version.Key!)];
      lines.push(fields.map(csvField).join(','));
    }
  }
  const manifestKey = `${BATCH_MANIFEST_PREFIX}${input.SourceBucket}-${Date.now()}.csv`;
  const manifest = await clients.s3.send(new PutObjectCommand({ Bucket: input.DestinationBucket, Key: manifestKey, Body: `${lines.join('\n')}\n`, ContentType: 'text/csv', ExpectedBucketOwner: input.AccountId }));
  // The batch role's partition is the run's: an S3 ARN in China or GovCloud is not `arn:aws:`.
  const archiveArn = `arn:${input.RoleArn.split(':')[1] ?? 'aws'}:s3:::${input.DestinationBucket}`;
  const { JobId } = await clients.s3control.send(
    new CreateJobCommand({
      AccountId: input.AccountId,
      ConfirmationRequired: false,
      Priority: 10,
      RoleArn: input.RoleArn,
      Description: jobDescription(input.SourceBucket),
      // At most 64 characters (the model's NonEmptyMaxLength64String): one token per manifest.
      ClientRequestToken: createHash('sha256').update(manifestKey).digest('hex'),
      Operation: {
        S3PutObjectCopy: {
          TargetResource: archiveArn,
          TargetKeyPrefix: input.DestinationPrefix.replace(/\/$/, ''),
          StorageClass: input.StorageClass as never,
          MetadataDirective: 'COPY',
        },
      },
      Manifest: {
        Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
        Location: { ObjectArn: `${archiveArn}/${manifestKey}`, ETag: manifest.ETag!.replace(/"/g, '') },
      },
      Report: { Bucket: archiveArn, Prefix: 'ctl-departure/reports', Format: 'Report_CSV_20180820', Enabled: true, ReportScope: 'AllTasks' },
    }),
  );
  return `S3 Batch Operations job ${JobId} started for ${lines.length} objects (manifest s3://${input.DestinationBucket}/${manifestKey})${skipped ? `; ${skipped} left for the engine (restore needed or over 5 GiB)` : ''}: see ctl-departure status --job ${JobId}`;
}

/** One line about a job, for `ctl-departure status`. */
export function describeJob(job: JobDescriptor): string {
  const progress = job.ProgressSummary;
  const total = progress?.TotalNumberOfTasks ?? 0;
  const done = (progress?.NumberOfTasksSucceeded ?? 0) + (progress?.NumberOfTasksFailed ?? 0);
  return `job ${job.JobId} ${job.Status}: ${progress?.NumberOfTasksSucceeded ?? 0} copied, ${progress?.NumberOfTasksFailed ?? 0} failed of ${total} (${total ? Math.floor((100 * done) / total) : 0}%)${job.FailureReasons?.length ? `; ${job.FailureReasons.map((f) => f.FailureReason).join('; ')}` : ''}`;
}

export async function jobStatus(clients: AwsClients, accountId: string, jobId: string): Promise<string> {
  const { Job } = await clients.s3control.send(new DescribeJobCommand({ AccountId: accountId, JobId: jobId }));
  return describeJob(Job!);
}
