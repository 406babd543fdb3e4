/**
 * `npm run bench:copy [N]`: a moto bucket of N objects (default 5,000) is copied into an archive bucket twice in
 * one run: by the engine (a departure in buckets copy mode), and by `aws s3 sync` of the AWS CLI between the same
 * buckets. Prints both wall times and their ratio. Figures only: nothing here asserts a time.
 */
import { CreateBucketCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { CallCounter, createClients } from '../lambda/engine/aws';
import { forEachBounded } from '../lambda/engine/concurrency';
import { resolveConfig } from '../lambda/engine/config';
import { runDeparture } from '../lambda/engine/run';
import { motoEnv, startMoto } from '../test/support/moto';

const SOURCE = 'config-bucket-123456789012';

async function count(s3: S3Client, Bucket: string, Prefix: string): Promise<number> {
  let total = 0;
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken }));
    total += page.KeyCount ?? 0;
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return total;
}

/** Runs a command without blocking this process's event loop (the moto server's client sockets stay served). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  if (!Number.isInteger(n) || n < 1) throw new Error(`usage: npm run bench:copy [N], with N a whole number of objects (got ${process.argv[2]})`);
  const moto = await startMoto();
  const env = { ...motoEnv(moto.endpoint), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  Object.assign(process.env, env);
  try {
    const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
    for (const Bucket of [SOURCE, 'archive-engine', 'archive-sync']) await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'archive-engine', VersioningConfiguration: { Status: 'Enabled' } }));
    const seeding = Date.now();
    await forEachBounded(Array.from({ length: n }, (_, i) => i), 16, async (i) => {
      await s3.send(new PutObjectCommand({ Bucket: SOURCE, Key: `AWSLogs/123456789012/Config/us-east-1/${String(i).padStart(6, '0')}.json.gz`, Body: `{"configurationItem":${i}}`, ContentType: 'application/json' }));
    });
    console.log(`Seeded ${SOURCE} with ${n} objects in ${((Date.now() - seeding) / 1000).toFixed(1)} s.\n`);

    console.log('Copying with the engine...');
    const calls = new CallCounter();
    const clients = createClients({ callCounter: calls });
    const engineStart = process.hrtime.bigint();
    const report = await runDeparture({
      mode: 'apply',
      config: resolveConfig({ buckets: { mode: 'copy', names: [SOURCE], archiveBucket: 'archive-engine', storageClass: 'STANDARD' } }),
      clients,
    });
    const engineSeconds = Number(process.hrtime.bigint() - engineStart) / 1e9;
    // Idle keep-alive sockets of ours would hold moto's server threads while the AWS CLI runs.
    for (const client of Object.values(clients)) if (typeof client !== 'function') client.destroy();
    const step = report.actions.find((a) => a.resource === 's3:bucket')?.steps.find((s) => s.call === 'CopyObjects');
    if (step?.status !== 'done') throw new Error(`the engine's copy did not finish: ${step?.error ?? 'no copy step'}`);

    console.log(`  ${engineSeconds.toFixed(2)} s. Copying with aws s3 sync...`);
    const syncStart = process.hrtime.bigint();
    const sync = await run('aws', ['s3', 'sync', `s3://${SOURCE}`, `s3://archive-sync/${SOURCE}/`, '--endpoint-url', moto.endpoint, '--only-show-errors'], { ...process.env, ...env });
    const syncSeconds = Number(process.hrtime.bigint() - syncStart) / 1e9;
    if (sync.status !== 0) throw new Error(`aws s3 sync failed (${sync.status}): ${sync.stderr.trim().split('\n').slice(-3).join(' / ')}`);

    const [engineCopies, syncCopies] = await Promise.all([count(s3, 'archive-engine', `${SOURCE}/`), count(s3, 'archive-sync', `${SOURCE}/`)]);
    console.log(`engine (ctl-departure, copy mode): ${engineSeconds.toFixed(2)} s for ${engineCopies} objects, ${calls.calls.get('CopyObject') ?? 0} CopyObject calls (${step.note})`);
    console.log(`aws s3 sync (AWS CLI):             ${syncSeconds.toFixed(2)} s for ${syncCopies} objects`);
    console.log(`ratio engine / sync:               ${(engineSeconds / syncSeconds).toFixed(2)}`);
  } finally {
    await moto.stop();
  }
}

main().catch((error) => {
  console.error(`bench:copy: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
