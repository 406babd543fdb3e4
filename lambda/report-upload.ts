/**
 * The rollout's copy of a member's report: `reports/<accountId>.json` in the reports bucket of the management account.
 * That bucket is often in another region than the stack instance, and the member does not own it.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Permission } from './engine/permissions';
import type { DepartureReport } from './engine/report';

/** Saving the report into the rollout's reports bucket: this account's own key, with PutObject alone. */
export const REPORT_PERMISSIONS: readonly Permission[] = [
  {
    sid: 'WriteOwnReport',
    actions: ['s3:PutObject'],
    resources: ['arn:{partition}:s3:::{reportBucket}/reports/{account}.json'],
    reason: "One key: this account's report.",
    feature: 'reportBucket',
  },
];

/**
 * An S3 client for the report alone. It follows S3's region redirects (a 301 naming the bucket's region is retried
 * there), because the reports bucket lives wherever the management account created it. The engine's own clients
 * (lambda/engine/aws.ts) are left as they are: provider buckets are the run's own concern.
 */
export function reportClient(): S3Client {
  return new S3Client({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    retryMode: 'adaptive',
    maxAttempts: Number(process.env.AWS_MAX_ATTEMPTS) || 10,
    forcePathStyle: true,
    followRegionRedirects: true,
  });
}

/**
 * Writes the report with `s3:PutObject` only. No ACL: `bucket-owner-full-control` would need `s3:PutObjectAcl`,
 * which the role does not have, and the reports bucket enforces bucket-owner ownership anyway, so the management
 * account owns every object written there. No `ExpectedBucketOwner`: the management account's id is not known here.
 */
export async function saveReportToBucket(s3: S3Client, bucket: string, report: DepartureReport): Promise<string> {
  const Key = `reports/${report.accountId}.json`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: JSON.stringify(report), ContentType: 'application/json' }));
  return `s3://${bucket}/${Key}`;
}
