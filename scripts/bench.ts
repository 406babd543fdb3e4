/**
 * `npm run bench [N]`: seeds moto with N provider roles, each with its own provider policy attached (default
 * 500), runs plan and apply with the engine, and prints wall times and the AWS calls made per operation next
 * to the fewest calls this account needs. Figures only: nothing here asserts a time.
 */
import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CallCounter, createClients } from '../lambda/engine/aws';
import { forEachBounded } from '../lambda/engine/concurrency';
import { DEFAULT_CONFIG } from '../lambda/engine/config';
import type { Mode } from '../lambda/engine/report';
import { runDeparture } from '../lambda/engine/run';
import { motoEnv, startMoto } from '../test/support/moto';

/** Entities per GetAccountAuthorizationDetails page: AWS's MaxItems ceiling, and our strict launcher's. */
const AWS_PAGE = 1000;
const LAUNCHER_PAGE = 100;

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 500);
  if (!Number.isInteger(n) || n < 1) throw new Error(`usage: npm run bench [N], with N a whole number of roles (got ${process.argv[2]})`);
  const moto = await startMoto();
  Object.assign(process.env, motoEnv(moto.endpoint), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  try {
    const iam = new IAMClient({ region: 'us-east-1' });
    const seedStart = Date.now();
    await forEachBounded(Array.from({ length: n }, (_, i) => `CTLBench${String(i).padStart(5, '0')}`), 8, async (name) => {
      await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}' }));
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::589942003651:root"},"Action":"sts:AssumeRole"}]}' }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: `arn:aws:iam::123456789012:policy/${name}` }));
    });
    console.log(`Seeded ${n} provider roles and ${n} provider policies in ${((Date.now() - seedStart) / 1000).toFixed(1)} s.\n`);

    const entities = 2 * n;
    // Fewest calls: one identity call, the discovery pages, and per role a detach and a delete, per policy a delete.
    const minimum: Record<string, number> = {
      GetCallerIdentity: 1,
      GetAccountAuthorizationDetails: Math.ceil(entities / LAUNCHER_PAGE),
      DetachRolePolicy: n,
      DeleteRole: n,
      DeletePolicy: n,
    };
    for (const mode of ['plan', 'apply'] as Mode[]) {
      const calls = new CallCounter();
      const started = process.hrtime.bigint();
      const report = await runDeparture({ mode, config: DEFAULT_CONFIG, clients: createClients({ callCounter: calls }) });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(`${mode}: ${seconds.toFixed(2)} s wall, ${report.summary.delete} actions (${report.summary.done} done, ${report.summary.failed} failed), ${calls.total} calls, ${calls.retries} retries`);
      console.log(`  ${'operation'.padEnd(32)} ${'calls'.padStart(6)} ${'minimum'.padStart(8)}`);
      const operations = new Set([...calls.calls.keys(), ...Object.keys(minimum).filter((op) => mode === 'apply' || !/^(Detach|Delete)/.test(op))]);
      for (const operation of [...operations].sort()) {
        const least = mode === 'plan' && /^(Detach|Delete)/.test(operation) ? 0 : minimum[operation] ?? 0;
        console.log(`  ${operation.padEnd(32)} ${String(calls.calls.get(operation) ?? 0).padStart(6)} ${String(least).padStart(8)}`);
      }
      console.log();
    }
    console.log(`Discovery pages are counted at the launcher's ${LAUNCHER_PAGE} entities a page; real AWS returns up to ${AWS_PAGE}, so ${Math.ceil(entities / AWS_PAGE)} page(s) there.`);
  } finally {
    await moto.stop();
  }
}

main().catch((error) => {
  console.error(`bench: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
