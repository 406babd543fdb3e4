/** The provider's buckets against moto: every mode, versioned buckets, resumed and multipart copies, refusals. */
import { configBucketPolicy } from './fixtures/config-bucket-policy';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  RestoreObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CloudTrailClient, CreateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, PutConfigurationRecorderCommand, PutDeliveryChannelCommand } from '@aws-sdk/client-config-service';
import type { MiddlewareStack } from '@smithy/types';
import { createClients, type AwsClients } from '../lambda/engine/aws';
import { resolveConfig } from '../lambda/engine/config';
import { runDeparture } from '../lambda/engine/run';
import { jobStatus } from '../lambda/engine/s3-batch';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { run } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';

const ACCOUNT = '123456789012';
const CONFIG_BUCKET = `config-bucket-${ACCOUNT}`;
const AUDIT_BUCKET = `ctlaudit-${ACCOUNT}`;
const ARCHIVE = 'customer-archive';
motoSuite();
let s3: S3Client;
beforeAll(() => {
  s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
});

async function seed(options: { versioned?: boolean; objects?: number } = {}) {
  for (const Bucket of [CONFIG_BUCKET, AUDIT_BUCKET, ARCHIVE]) await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: ARCHIVE, VersioningConfiguration: { Status: 'Enabled' } }));
  if (options.versioned) await s3.send(new PutBucketVersioningCommand({ Bucket: CONFIG_BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
  for (let i = 0; i < (options.objects ?? 3); i++) {
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: `AWSLogs/${ACCOUNT}/Config/item-${i}.json`, Body: `{"item":${i}}`, ContentType: 'application/json', Metadata: { origin: 'aws-config' }, Tagging: 'kind=snapshot' }));
  }
  await s3.send(new PutBucketPolicyCommand({ Bucket: CONFIG_BUCKET, Policy: configBucketPolicy(CONFIG_BUCKET) }));
}

const bucketAction = (report: Awaited<ReturnType<typeof run>>['report'], name: string) => report.actions.find((a) => a.resource === 's3:bucket' && a.name === name)!;
/** The copies in the archive, less the engine's copy record that sits beside them. */
const archivedVersions = async (prefix = `${CONFIG_BUCKET}/`) =>
  ((await s3.send(new ListObjectVersionsCommand({ Bucket: ARCHIVE, Prefix: prefix }))).Versions ?? []).filter((v) => v.Key !== `${prefix}.ctl-departure-copied.json`);
const archived = async (prefix = `${CONFIG_BUCKET}/`) => (await archivedVersions(prefix)).map((v) => v.Key!.slice(prefix.length)).sort();

test('a bucket that does not exist is reported, not an error', async () => {
  const { report } = await run('apply');
  expect(bucketAction(report, CONFIG_BUCKET)).toMatchObject({ action: 'skip', reason: 'does not exist', status: 'skipped' });
  expect(report.summary.failed).toBe(0);
});

test('keep: only the provider leaves the bucket policy; the plan says what goes and who still writes', async () => {
  await seed();
  const planned = await run('plan');
  expect(bucketAction(planned.report, CONFIG_BUCKET).reason).toBe(
    'provider bucket kept (buckets.mode keep); policy loses statement ProviderRead for arn:aws:iam::589942003651:root; still written to by config.amazonaws.com (s3:PutObject)',
  );
  await run('apply');
  const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: CONFIG_BUCKET }))).Policy!);
  expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['ConfigWrite']);
  expect((await run('apply')).calls.mutating).toBe(0);
});

test('archive: blocked, encrypted, tagged, and a lifecycle rule merged with the rules already there', async () => {
  await seed();
  const existing = { ID: 'expire-temp', Status: 'Enabled' as const, Filter: { Prefix: 'tmp/' }, Expiration: { Days: 7 } };
  await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: CONFIG_BUCKET, LifecycleConfiguration: { Rules: [existing] } }));
  const { report } = await run('apply', { buckets: { mode: 'archive', transitionDays: 30 } });
  expect(bucketAction(report, CONFIG_BUCKET)).toMatchObject({ action: 'preserve', status: 'done' });
  const rules = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: CONFIG_BUCKET }))).Rules!;
  expect(rules.map((r) => r.ID)).toEqual(['expire-temp', 'ctl-departure-archive']);
  expect(rules[1]).toMatchObject({ Status: 'Enabled', Transitions: [{ Days: 30, StorageClass: 'DEEP_ARCHIVE' }], NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'DEEP_ARCHIVE' }] });
  expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: CONFIG_BUCKET }))).PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true, RestrictPublicBuckets: true });
  expect((await s3.send(new GetBucketTaggingCommand({ Bucket: CONFIG_BUCKET }))).TagSet).toEqual([{ Key: 'ctl-departure:archived', Value: expect.stringMatching(/^\d{4}-\d\d-\d\d by ctl-departure$/) }]);
  // In place, and idempotent: a second run changes nothing.
  expect((await run('apply', { buckets: { mode: 'archive', transitionDays: 30 } })).calls.mutating).toBe(0);
});

test('copy: every object server-side under <bucket>/, keeping metadata, content type and tags, in the storage class', async () => {
  await seed();
  const { report } = await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE, storageClass: 'STANDARD_IA' } });
  expect(bucketAction(report, CONFIG_BUCKET).steps.find((s) => s.call === 'CopyObjects')).toMatchObject({ status: 'done', note: 'copied 3 (30 bytes), 0 already in the archive' });
  expect(await archived()).toEqual([0, 1, 2].map((i) => `AWSLogs/${ACCOUNT}/Config/item-${i}.json`));
  const key = `${CONFIG_BUCKET}/AWSLogs/${ACCOUNT}/Config/item-0.json`;
  expect(await s3.send(new HeadObjectCommand({ Bucket: ARCHIVE, Key: key }))).toMatchObject({ ContentType: 'application/json', Metadata: { origin: 'aws-config' }, StorageClass: 'STANDARD_IA' });
  expect((await s3.send(new GetObjectTaggingCommand({ Bucket: ARCHIVE, Key: key }))).TagSet).toEqual([{ Key: 'kind', Value: 'snapshot' }]);
  // The copy is verified by the next plan: nothing left to copy.
  const again = await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE } });
  expect(bucketAction(again.report, CONFIG_BUCKET).reason).toMatch(/verified: 3 objects/);
  expect(again.calls.mutating).toBe(0);
});

test('copy resumes: objects already in the archive are not copied again', async () => {
  await seed({ objects: 5 });
  const crashed = await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE } }, { crashAfterS3Copies: 2 });
  expect(await archived()).toHaveLength(2);
  expect(bucketAction(crashed.report, CONFIG_BUCKET).status).toBe('failed');
  const resumed = await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE } });
  expect(bucketAction(resumed.report, CONFIG_BUCKET).steps.at(-1)!.note).toBe('copied 3 (30 bytes), 2 already in the archive');
  expect(resumed.calls.calls.get('CopyObject')).toBe(3);
});

test('copy of an object over the multipart threshold goes by UploadPartCopy and keeps its metadata and tags', async () => {
  await seed({ objects: 0 });
  const big = Buffer.alloc(12 * 1024 ** 2, 7);
  await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: 'big/snapshot.bin', Body: big, ContentType: 'application/octet-stream', Metadata: { origin: 'aws-config' }, Tagging: 'kind=big' }));
  const { report, calls } = await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE, storageClass: 'STANDARD_IA', multipartThresholdBytes: 5 * 1024 ** 2 } });
  expect(bucketAction(report, CONFIG_BUCKET).status).toBe('done');
  expect(calls.calls.get('UploadPartCopy')).toBe(3);
  expect(calls.calls.get('CopyObject')).toBeUndefined();
  const copy = await s3.send(new HeadObjectCommand({ Bucket: ARCHIVE, Key: `${CONFIG_BUCKET}/big/snapshot.bin` }));
  expect(copy).toMatchObject({ ContentLength: big.length, ContentType: 'application/octet-stream', Metadata: { origin: 'aws-config' } });
  expect((await s3.send(new GetObjectTaggingCommand({ Bucket: ARCHIVE, Key: `${CONFIG_BUCKET}/big/snapshot.bin` }))).TagSet).toEqual([{ Key: 'kind', Value: 'big' }]);
});

test('copy of a versioned bucket with copyVersions copies every version, oldest first', async () => {
  await seed({ versioned: true, objects: 1 });
  const key = `AWSLogs/${ACCOUNT}/Config/item-0.json`;
  await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: key, Body: '{"item":0,"v":2}' }));
  await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE, copyVersions: true } });
  const versions = await archivedVersions();
  expect(versions).toHaveLength(2);
  expect(versions.find((v) => v.IsLatest)!.Size).toBe('{"item":0,"v":2}'.length);
});

describe('delete', () => {
  test('is refused without an archive or deleteWithoutArchive, and the bucket stays', async () => {
    await seed();
    const { report, calls } = await run('apply', { buckets: { mode: 'delete' } });
    expect(bucketAction(report, CONFIG_BUCKET)).toMatchObject({ action: 'flag', reason: expect.stringMatching(/not deleted: no verified copy/) });
    await expect(s3.send(new HeadBucketCommand({ Bucket: CONFIG_BUCKET }))).resolves.toBeDefined();
    expect(calls.calls.get('DeleteBucket')).toBeUndefined();
  });

  test('with an archive bucket: copies, verifies, then deletes every version and delete marker, then the bucket', async () => {
    await seed({ versioned: true });
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: `AWSLogs/${ACCOUNT}/Config/item-0.json`, Body: '{"item":0,"v":2}' }));
    const { report } = await run('apply', { buckets: { mode: 'delete', archiveBucket: ARCHIVE } });
    expect(bucketAction(report, CONFIG_BUCKET).steps.map((s) => `${s.call} ${s.status}`)).toEqual([
      'CopyObjects done',
      'VerifyCopy done',
      'EmptyBucket done',
      'DeleteBucket done',
    ]);
    await expect(s3.send(new HeadBucketCommand({ Bucket: CONFIG_BUCKET }))).rejects.toMatchObject({ name: 'NotFound' });
    expect(await archived()).toHaveLength(3);
  });

  test('deleteWithoutArchive deletes without a copy', async () => {
    await seed();
    const { report } = await run('apply', { buckets: { mode: 'delete', deleteWithoutArchive: true } });
    expect(bucketAction(report, AUDIT_BUCKET)).toMatchObject({ action: 'delete', status: 'done' });
    await expect(s3.send(new HeadBucketCommand({ Bucket: AUDIT_BUCKET }))).rejects.toMatchObject({ name: 'NotFound' });
  });
});

/** botocore's s3control model, as installed with moto: moto has no CreateJob, so requests are checked against it. */
const S3CONTROL = JSON.parse(gunzipSync(readFileSync(join(execFileSync(process.env.PYTHON ?? 'python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))']).toString().trim(), 'data/s3control/2018-08-20/service-2.json.gz'))).toString());

/** Every constraint of the model the value breaks: required members, unknown members, lengths, patterns, enums. */
function violations(value: unknown, shapeName: string, at = shapeName): string[] {
  const shape = S3CONTROL.shapes[shapeName];
  if (value === undefined || value === null) return [];
  switch (shape.type) {
    case 'structure': {
      const input = value as Record<string, unknown>;
      return [
        ...(shape.required ?? []).filter((m: string) => input[m] === undefined).map((m: string) => `${at}.${m}: required`),
        ...Object.keys(input).filter((m) => !(m in shape.members)).map((m) => `${at}.${m}: not in the model`),
        ...Object.entries(shape.members).flatMap(([m, ref]) => violations(input[m], (ref as { shape: string }).shape, `${at}.${m}`)),
      ];
    }
    case 'list':
      return [...((value as unknown[]).length < (shape.min ?? 0) || (value as unknown[]).length > (shape.max ?? Infinity) ? [`${at}: ${(value as unknown[]).length} entries`] : []), ...(value as unknown[]).flatMap((v, i) => violations(v, shape.member.shape, `${at}[${i}]`))];
    case 'string': {
      const text = String(value);
      return [
        ...(text.length < (shape.min ?? 0) || text.length > (shape.max ?? Infinity) ? [`${at}: length ${text.length} outside ${shape.min ?? 0}..${shape.max}`] : []),
        ...(shape.pattern && !new RegExp(shape.pattern, 'u').test(text) ? [`${at}: ${text} does not match ${shape.pattern}`] : []),
        ...(shape.enum && !shape.enum.includes(text) ? [`${at}: ${text} not one of ${shape.enum.join(', ')}`] : []),
      ];
    }
    case 'integer':
    case 'long':
      return (value as number) < (shape.min ?? -Infinity) || (value as number) > (shape.max ?? Infinity) ? [`${at}: ${value} out of range`] : [];
    default:
      return [];
  }
}

test('the model check catches what made CreateJob fail: a 68-character token (not vacuous)', () => {
  expect(violations({ AccountId: ACCOUNT, ClientRequestToken: `ctl-departure/manifests/config-bucket-${ACCOUNT}-1700000000000.csv` }, 'CreateJobRequest')).toEqual(
    expect.arrayContaining([expect.stringMatching(/^CreateJobRequest.ClientRequestToken: length 68 outside 1..64$/), 'CreateJobRequest.Operation: required']),
  );
});

describe('a bucket larger than one run can copy', () => {
  /** moto has no S3 Control CreateJob (HTTP 500): the request is captured and answered here, its shape checked. */
  function captureJobs(clients: AwsClients) {
    const sent: { operation: string; input: Record<string, any> }[] = [];
    (clients.s3control.middlewareStack as MiddlewareStack<object, object>).add(
      (_next, context) => async (args) => {
        const operation = String(context.commandName).replace(/Command$/, '');
        sent.push({ operation, input: args.input as Record<string, any> });
        const output =
          operation === 'CreateJob' ? { JobId: 'job-0001' }
          : operation === 'ListJobs' ? { Jobs: [] }
          : { Job: { JobId: 'job-0001', Status: 'Active', ProgressSummary: { TotalNumberOfTasks: 4, NumberOfTasksSucceeded: 3, NumberOfTasksFailed: 0 } } };
        return { output: { ...output, $metadata: {} }, response: {} } as never;
      },
      { step: 'initialize', name: 'fakeS3Control' },
    );
    return sent;
  }

  test('starts an S3 Batch Operations copy job with a generated manifest, and status shows its progress', async () => {
    await seed({ objects: 4 });
    const clients = createClients({ maxAttempts: 1 });
    const sent = captureJobs(clients);
    const config = resolveConfig({ buckets: { mode: 'copy', archiveBucket: ARCHIVE, batchThresholdObjects: 3, batchRoleArn: `arn:aws:iam::${ACCOUNT}:role/s3-batch-copy` } });
    const report = await runDeparture({ mode: 'apply', config, clients });
    const action = bucketAction(report, CONFIG_BUCKET);
    expect(action.reason).toMatch(/by an S3 Batch Operations job/);
    expect(action.steps.at(-1)).toMatchObject({ call: 'StartBatchCopy', status: 'done', note: expect.stringMatching(/^S3 Batch Operations job job-0001 started for 4 objects \(manifest s3:\/\/customer-archive\/ctl-departure\/manifests\/config-bucket-123456789012-\d+\.csv\): see ctl-departure status --job job-0001$/) });

    const job = sent.find((s) => s.operation === 'CreateJob')!.input;
    expect(job).toMatchObject({
      AccountId: ACCOUNT,
      ConfirmationRequired: false,
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/s3-batch-copy`,
      Description: `ctl-departure copy ${CONFIG_BUCKET}`,
      Operation: { S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${ARCHIVE}`, TargetKeyPrefix: CONFIG_BUCKET, StorageClass: 'DEEP_ARCHIVE', MetadataDirective: 'COPY' } },
      Manifest: { Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] }, Location: { ObjectArn: expect.stringMatching(new RegExp(`^arn:aws:s3:::${ARCHIVE}/ctl-departure/manifests/`)), ETag: expect.stringMatching(/^[0-9a-f]{32}$/) } },
      Report: { Bucket: `arn:aws:s3:::${ARCHIVE}`, Enabled: true, ReportScope: 'AllTasks', Format: 'Report_CSV_20180820' },
    });
    expect(violations(job, 'CreateJobRequest')).toEqual([]);
    // The manifest the job reads is in the archive bucket: one line per object, keys URL-encoded.
    const manifestKey = (job.Manifest.Location.ObjectArn as string).split(`${ARCHIVE}/`)[1]!;
    const manifest = await (await s3.send(new GetObjectCommand({ Bucket: ARCHIVE, Key: manifestKey }))).Body!.transformToString();
    expect(manifest.trim().split('\n')).toEqual([0, 1, 2, 3].map((i) => `${CONFIG_BUCKET},${encodeURIComponent(`AWSLogs/${ACCOUNT}/Config/item-${i}.json`)}`));
    expect(await jobStatus(clients, ACCOUNT, 'job-0001')).toBe('job job-0001 Active: 3 copied, 0 failed of 4 (75%)');
  });

  test('without a batch role the copy fails on its item, saying what to set', async () => {
    await seed({ objects: 4 });
    const { report } = await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE, batchThresholdObjects: 3 } });
    expect(bucketAction(report, CONFIG_BUCKET).steps.at(-1)!.error).toMatch(/^BatchRoleMissing: .*set buckets.batchRoleArn|no buckets.batchRoleArn is set/);
  });
});

test('objects in an archive class are listed as needing a restore, in the plan and in the copy, never skipped silently', async () => {
  await seed({ objects: 2 });
  await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: 'old/frozen.json', Body: '{}', StorageClass: 'DEEP_ARCHIVE' }));
  const config = { buckets: { mode: 'copy', archiveBucket: ARCHIVE, storageClass: 'STANDARD_IA' } };
  const planned = await run('plan', config);
  expect(bucketAction(planned.report, CONFIG_BUCKET).reason).toMatch(/1 object\(s\) in an archive class need a restore before they can be copied: old\/frozen\.json/);
  const applied = await run('apply', config);
  expect(bucketAction(applied.report, CONFIG_BUCKET).steps.at(-1)!.note).toBe('copied 2 (20 bytes), 0 already in the archive; 1 need a restore first: old/frozen.json');
  // And a delete that relies on this copy is refused: the copy is not complete.
  const deleting = await run('apply', { buckets: { mode: 'delete', archiveBucket: ARCHIVE } });
  expect(bucketAction(deleting.report, CONFIG_BUCKET).steps.find((s) => s.call === 'VerifyCopy')).toMatchObject({ status: 'failed', error: "CopyNotVerified: the archive's current copy is not the source's newest version for 1 of 3 objects, e.g. old/frozen.json; 1 need a restore first: not deleting" });
  await expect(s3.send(new HeadBucketCommand({ Bucket: CONFIG_BUCKET }))).resolves.toBeDefined();
});

describe('on real S3: regions, owners, failures that stay local', () => {
  /** An S3 client acting as another moto account (moto picks the account from this header). */
  function s3As(account: string, region = 'us-east-1'): S3Client {
    const client = new S3Client({ region, forcePathStyle: true });
    client.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
      return next(args);
    }, { step: 'build', name: 'motoAccount' });
    return client;
  }

  test('a provider bucket in another region is read and changed there (S3 redirects, the engine follows)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: AUDIT_BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await s3As(ACCOUNT, 'eu-west-1').send(new PutBucketPolicyCommand({
      Bucket: AUDIT_BUCKET,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ProviderRead', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::589942003651:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${AUDIT_BUCKET}/*` }] }),
    }));
    // The test's own us-east-1 client is redirected: the region rule of the launcher is in force.
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: AUDIT_BUCKET }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 301 } });
    const { report } = await run('apply');
    expect(bucketAction(report, AUDIT_BUCKET)).toMatchObject({ action: 'preserve', status: 'done' });
    await expect(s3As(ACCOUNT, 'eu-west-1').send(new GetBucketPolicyCommand({ Bucket: AUDIT_BUCKET }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
  });

  test("a bucket of that name in another account is one flagged item, never read or changed; the run goes on", async () => {
    await seed();
    // Someone else's bucket under the provider's predictable name.
    await s3.send(new CreateBucketCommand({ Bucket: 'ctl-placeholder' })); // the account exists in moto
    await s3.send(new DeleteBucketCommand({ Bucket: AUDIT_BUCKET }));
    await s3As('999999999999').send(new CreateBucketCommand({ Bucket: AUDIT_BUCKET }));
    await s3As('999999999999').send(new PutObjectCommand({ Bucket: AUDIT_BUCKET, Key: 'theirs.txt', Body: 'x' }));
    const { report, calls } = await run('apply', { buckets: { mode: 'delete', deleteWithoutArchive: true } });
    expect(bucketAction(report, AUDIT_BUCKET)).toMatchObject({ action: 'flag', status: 'skipped', reason: expect.stringMatching(/^cannot be read, nothing done: AccessDenied: HeadBucket answered 403: the bucket belongs to another account/) });
    // The customer's own provider bucket is still handled in the same run.
    expect(bucketAction(report, CONFIG_BUCKET)).toMatchObject({ action: 'delete', status: 'done' });
    expect(calls.calls.get('DeleteBucket')).toBe(1);
    await expect(s3As('999999999999').send(new HeadBucketCommand({ Bucket: AUDIT_BUCKET }))).resolves.toBeDefined();
  });

  test('an archive bucket that does not exist flags each provider bucket with the fix; nothing is copied', async () => {
    await seed();
    const { report } = await run('apply', { buckets: { mode: 'copy', archiveBucket: 'no-such-archive' } });
    expect(bucketAction(report, CONFIG_BUCKET)).toMatchObject({ action: 'flag', reason: expect.stringMatching(/archive bucket no-such-archive does not exist: create it \(versioned\) or fix buckets.archiveBucket/) });
    expect(report.summary.failed).toBe(0);
  });
});

describe('copies that resume correctly', () => {
  test('a multipart copy (new ETag) is recognised on the next run by its record, not copied again', async () => {
    await seed({ objects: 0 });
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: 'big.bin', Body: Buffer.alloc(11 * 1024 ** 2, 1) }));
    const config = { buckets: { mode: 'copy', archiveBucket: ARCHIVE, multipartThresholdBytes: 5 * 1024 ** 2 } };
    await run('apply', config);
    const [copy] = await archivedVersions();
    const [source] = (await s3.send(new ListObjectVersionsCommand({ Bucket: CONFIG_BUCKET }))).Versions!;
    expect(copy!.ETag).not.toBe(source!.ETag); // what made ETag comparison wrong
    const again = await run('apply', config);
    expect(again.calls.calls.get('UploadPartCopy')).toBeUndefined();
    expect(again.calls.mutating).toBe(0);
  });

  test('a source changed after its copy is copied again, even at the same size', async () => {
    await seed({ objects: 1 });
    const config = { buckets: { mode: 'copy', archiveBucket: ARCHIVE } };
    await run('apply', config);
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: `AWSLogs/${ACCOUNT}/Config/item-0.json`, Body: '{"item":9}' }));
    const { report } = await run('apply', config);
    expect(bucketAction(report, CONFIG_BUCKET).steps.at(-1)!.note).toBe('copied 1 (10 bytes), 0 already in the archive');
  });

  test('a noncurrent null version is copied as versionId=null, before the newer version, which stays current', async () => {
    await seed({ objects: 0 });
    const key = 'AWSLogs/old.json';
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: key, Body: 'null-version' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: CONFIG_BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: key, Body: 'newer' }));
    await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE, copyVersions: true, storageClass: 'STANDARD' } });
    const versions = await archivedVersions();
    const bodies = await Promise.all(versions.map(async (v) => [v.IsLatest, await (await s3.send(new GetObjectCommand({ Bucket: ARCHIVE, Key: v.Key, VersionId: v.VersionId }))).Body!.transformToString()]));
    expect(bodies.sort()).toEqual([[false, 'null-version'], [true, 'newer']]);
  });

  test('copyVersions into an unversioned archive bucket is refused in the plan', async () => {
    await seed();
    await s3.send(new PutBucketVersioningCommand({ Bucket: ARCHIVE, VersioningConfiguration: { Status: 'Suspended' } }));
    const { report, calls } = await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE, copyVersions: true } });
    expect(bucketAction(report, CONFIG_BUCKET)).toMatchObject({ action: 'flag', reason: expect.stringMatching(/^not copied: copyVersions needs a versioned archive bucket; enable versioning on customer-archive/) });
    expect(calls.calls.get('CopyObject')).toBeUndefined();
  });
});

describe('bucket-name takeover: no delete while anything writes to the bucket', () => {
  test('a trail of another region writing to ctlaudit-<id> blocks its delete, and the plan says so', async () => {
    await seed();
    const trails = new CloudTrailClient({ region: 'us-west-2' });
    await trails.send(new CreateTrailCommand({ Name: 'audit', S3BucketName: AUDIT_BUCKET }));
    const { report, calls } = await run('apply', { buckets: { mode: 'delete', deleteWithoutArchive: true } });
    expect(bucketAction(report, AUDIT_BUCKET)).toMatchObject({
      action: 'flag',
      reason: expect.stringMatching(/^not deleted: still written to by CloudTrail trail arn:aws:cloudtrail:us-west-2:123456789012:trail\/audit: stop and remove them first \(another account could recreate the name/),
    });
    await expect(s3.send(new HeadBucketCommand({ Bucket: AUDIT_BUCKET }))).resolves.toBeDefined();
    expect(bucketAction(report, CONFIG_BUCKET)).toMatchObject({ action: 'delete', status: 'done' });
    expect(calls.calls.get('DeleteBucket')).toBe(1);
  });

  test('a Config delivery channel of another region writing to a configured bucket name blocks its delete', async () => {
    const name = `acme-config-${ACCOUNT}`;
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    const config = new ConfigServiceClient({ region: 'eu-west-1' });
    await config.send(new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: 'default', roleARN: `arn:aws:iam::${ACCOUNT}:role/config` } }));
    await config.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: name } }));
    const { report } = await run('apply', { buckets: { mode: 'delete', deleteWithoutArchive: true, names: ['acme-config-{accountId}'] } });
    expect(bucketAction(report, name)).toMatchObject({ action: 'flag', reason: expect.stringMatching(/^not deleted: still written to by AWS Config delivery channel default \(eu-west-1\)/) });
    await expect(s3.send(new HeadBucketCommand({ Bucket: name }))).resolves.toBeDefined();
  });
});

test('archive: the lifecycle rewrite keeps the bucket\'s TransitionDefaultMinimumObjectSize and the plan says what stays', async () => {
  await seed();
  await s3.send(new PutBucketLifecycleConfigurationCommand({
    Bucket: CONFIG_BUCKET,
    TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
    LifecycleConfiguration: { Rules: [{ ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 7 } }] },
  }));
  const planned = await run('plan', { buckets: { mode: 'archive' } });
  expect(bucketAction(planned.report, CONFIG_BUCKET).reason).toMatch(/the bucket's TransitionDefaultMinimumObjectSize varies_by_storage_class is kept/);
  await run('apply', { buckets: { mode: 'archive' } });
  const after = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: CONFIG_BUCKET }));
  expect(after.TransitionDefaultMinimumObjectSize).toBe('varies_by_storage_class');
  expect(after.Rules!.map((r) => r.ID)).toEqual(['tmp', 'ctl-departure-archive']);
  // A bucket with S3's default says what it means for the provider's small files.
  expect(bucketAction((await run('plan', { buckets: { mode: 'archive' } })).report, AUDIT_BUCKET).reason).toMatch(/objects under 128 KB \(most Config and CloudTrail files\) stay: S3 does not transition them by default/);
});

describe('archived objects', () => {
  test('a restored DEEP_ARCHIVE object is copied; one not restored is listed', async () => {
    await seed({ objects: 0 });
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: 'old/restored.json', Body: '{"r":1}', StorageClass: 'DEEP_ARCHIVE' }));
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: 'old/frozen.json', Body: '{}', StorageClass: 'DEEP_ARCHIVE' }));
    await s3.send(new RestoreObjectCommand({ Bucket: CONFIG_BUCKET, Key: 'old/restored.json', RestoreRequest: { Days: 2 } }));
    const { report } = await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE, storageClass: 'STANDARD' } });
    expect(bucketAction(report, CONFIG_BUCKET).steps.at(-1)!.note).toBe('copied 1 (7 bytes), 0 already in the archive; 1 need a restore first: old/frozen.json');
    expect(await archived()).toEqual(['old/restored.json']);
  });

  test('an Intelligent-Tiering object in an archive access tier is listed; the rest of the copy goes on', async () => {
    await seed({ objects: 2 });
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: 'tiered/cold.json', Body: '{}', StorageClass: 'INTELLIGENT_TIERING' }));
    await post('/strict-moto/archive-tier', { bucket: CONFIG_BUCKET, key: 'tiered/cold.json' });
    const { report } = await run('apply', { buckets: { mode: 'copy', archiveBucket: ARCHIVE } });
    expect(bucketAction(report, CONFIG_BUCKET).steps.at(-1)).toMatchObject({
      status: 'done',
      note: 'copied 2 (20 bytes), 0 already in the archive; 1 in an archive access tier (InvalidObjectState), restore first: tiered/cold.json',
    });
  });
});

test('a re-run never leaves an older version current: a missing older copy is copied again before every newer one', async () => {
  await seed({ versioned: true, objects: 1 });
  const key = `AWSLogs/${ACCOUNT}/Config/item-0.json`;
  await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: key, Body: '{"item":0,"v":2}' }));
  const config = { buckets: { mode: 'copy', archiveBucket: ARCHIVE, copyVersions: true, storageClass: 'STANDARD' } };
  await run('apply', config);
  // Someone removes the archive's copy of the older version.
  const older = (await archivedVersions()).find((v) => !v.IsLatest)!;
  await s3.send(new DeleteObjectCommand({ Bucket: ARCHIVE, Key: older.Key, VersionId: older.VersionId }));
  const { report } = await run('apply', config);
  expect(bucketAction(report, CONFIG_BUCKET).steps.at(-1)!.note).toBe('copied 2 (26 bytes), 0 already in the archive');
  const current = await (await s3.send(new GetObjectCommand({ Bucket: ARCHIVE, Key: `${CONFIG_BUCKET}/${key}` }))).Body!.transformToString();
  expect(current).toBe('{"item":0,"v":2}');
  // Delete mode checks the same: the archive's current copy is the newest source version.
  const deleting = await run('apply', { buckets: { mode: 'delete', archiveBucket: ARCHIVE, copyVersions: true } });
  expect(bucketAction(deleting.report, CONFIG_BUCKET).steps.find((s) => s.call === 'VerifyCopy')).toMatchObject({ status: 'done' });
});

async function post(path: string, body: object): Promise<void> {
  const response = await fetch(`${process.env.AWS_ENDPOINT_URL}${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}
