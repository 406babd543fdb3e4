/**
 * Undo, end to end against moto: an account with every kind and edge is applied, then restored through the CLI, and
 * its whole IAM description (GetAccountAuthorizationDetails, role details, tags, instance profiles, SAML and OIDC
 * providers, the provider buckets' settings) must equal the original's but for unique ids, version ids and dates.
 */
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../cli/main';
import type { RestoreItem } from '../cli/restore/model';
import type { RestoreReport } from '../cli/restore/report';
import { namedBy, readRestoreState } from '../cli/restore/state';
import { createClients } from '../lambda/engine/aws';
import { resolveConfig } from '../lambda/engine/config';
import type { DepartureReport } from '../lambda/engine/report';
import { runDeparture } from '../lambda/engine/run';
import { describeAccount } from './support/account-description';
import { withMirroredBackups } from './support/backup-mirror';
import { motoSuite } from './support/moto-suite';
import { ACCOUNT, PROVIDER_BUCKETS, seedRestoreAccount } from './support/restore-account';

motoSuite();
const CONFIG = resolveConfig({ buckets: { mode: 'archive' } });
let iam: IAMClient;
let s3: S3Client;
beforeAll(() => {
  iam = new IAMClient({ region: 'us-east-1' });
  s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
});

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const terminal = { isTTY: false, ask: () => Promise.reject(new Error('asked without a terminal')) };
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t), terminal, colour: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Seeds, describes, applies; `mirrored` is the apply report with backups the test made from the account before. */
async function departure() {
  await seedRestoreAccount(iam, s3);
  const original = await describeAccount(iam, s3, PROVIDER_BUCKETS);
  const clients = createClients({ maxAttempts: 2 });
  const planned = await runDeparture({ mode: 'plan', config: CONFIG, clients });
  const before = await readRestoreState(clients, ACCOUNT, 'aws', namedBy(planned.actions));
  const applied = await runDeparture({ mode: 'apply', config: CONFIG, clients });
  expect(applied.summary.failed).toBe(0);
  return { original, applied, mirrored: withMirroredBackups(applied, before) };
}

const reportFile = (report: DepartureReport) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ctl-restore-')), `${report.accountId}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  return file;
};
const decisions = (report: RestoreReport) => report.items.map((i: RestoreItem) => `${i.decision} ${i.phase} ${i.name}`);

/** Plan, apply, compare; then a second restore changes nothing. */
async function roundTrip(original: unknown, report: DepartureReport) {
  const file = reportFile(report);
  const departed = await describeAccount(iam, s3, PROVIDER_BUCKETS);
  expect(departed).not.toEqual(original);

  const plan = await cli('restore', '--from', file, '--json');
  expect(plan).toMatchObject({ code: 0, err: '' });
  const planned = JSON.parse(plan.out) as RestoreReport;
  expect(planned.summary).toMatchObject({ conflict: 0, needs: 0, cannot: 0, failed: 0 });
  expect(decisions(planned)).toEqual(expect.arrayContaining([
    'restore iam:saml-provider CTLSaml',
    'restore iam:oidc-provider auth.ctl.io/tenant',
    'restore iam:policy CTLOpsPolicy',
    'restore iam:group CTLOperators',
    'restore iam:user CTLSupport',
    'restore iam:group-membership administrators-user in group CTLOperators',
    'restore iam:role CTLChainRole',
    'restore iam:instance-profile CTLWebRole in instance profile web-server',
    'restore iam:policy-attachment CTLCustomerPolicy on user bob',
    'restore iam:tags tags of role CTLCAMRole',
    `restore s3:bucket config-bucket-${ACCOUNT}`,
  ]));
  expect(await describeAccount(iam, s3, PROVIDER_BUCKETS)).toEqual(departed);

  const restored = await cli('restore', '--from', file, '--apply', '--json');
  expect(restored).toMatchObject({ code: 0, err: '' });
  const outcome = JSON.parse(restored.out) as RestoreReport;
  expect(outcome.summary).toMatchObject({ failed: 0, done: outcome.summary.restore });
  expect(await describeAccount(iam, s3, PROVIDER_BUCKETS)).toEqual(original);

  const again = await cli('restore', '--from', file, '--apply', '--json');
  expect(again.code).toBe(0);
  const second = JSON.parse(again.out) as RestoreReport;
  expect(second.summary).toMatchObject({ restore: 0, conflict: 0, needs: 0, steps: 0 });
  expect(second.items.every((i) => i.decision === 'same')).toBe(true);
  expect(await describeAccount(iam, s3, PROVIDER_BUCKETS)).toEqual(original);
}

test('[needs the backup branch] apply records a backup of every action that changed something, and restore from them gives the account back', async () => {
  const { original, applied } = await departure();
  const unbacked = applied.actions.filter((a) => (a.action === 'delete' || a.action === 'preserve') && a.steps.some((s) => s.status === 'done') && !a.backup);
  if (unbacked.length) {
    throw new Error(`apply recorded no backup for ${unbacked.length} action(s) (${unbacked.map((a) => `${a.resource} ${a.name}`).join(', ')}): backup capture is the other half of issue 13 (branch backup); restore cannot work without it`);
  }
  await roundTrip(original, applied);
});

test('restore from backups in the documented format gives the account back, whole; a second restore changes nothing', async () => {
  const { original, mirrored } = await departure();
  await roundTrip(original, mirrored);
});

test('--only restores those items alone, saying what each needs; the rest follows later', async () => {
  const { mirrored } = await departure();
  const file = reportFile(mirrored);
  const chain = await cli('restore', '--from', file, '--only', 'CTLChainRole', '--json');
  expect(chain.code).toBe(0);
  expect(JSON.parse(chain.out).items).toEqual([
    expect.objectContaining({ decision: 'needs', name: 'CTLChainRole', reason: 'cannot be created: role CTLOpsRole (its trust policy names it), neither there nor restored by this run (restore it too: --only CTLOpsRole)' }),
  ]);

  const ops = await cli('restore', '--from', file, '--only', 'CTLOpsRole', '--only', 'CTLBoundary', '--only', 'CTLOpsPolicy', '--apply', '--json');
  expect(ops.code).toBe(0);
  const report = JSON.parse(ops.out) as RestoreReport;
  expect(report.items.filter((i) => i.status === 'done').map((i) => `${i.phase} ${i.name}`)).toEqual([
    'iam:policy CTLBoundary',
    'iam:policy CTLOpsPolicy',
    'iam:role CTLOpsRole',
    'iam:instance-profile CTLOpsRole',
  ]);
  // The policy's other holders were not selected: each says what it needs and stays as it is.
  expect(report.items.filter((i) => i.phase === 'iam:policy-attachment').map((i) => `${i.decision} ${i.name}`).sort()).toEqual([
    'needs CTLOpsPolicy on group CTLOperators',
    'needs CTLOpsPolicy on user CTLSupport',
  ]);
  const role = (await iam.send(new GetRoleCommand({ RoleName: 'CTLOpsRole' }))).Role!;
  expect(role).toMatchObject({ Path: '/ops/', Description: 'provider operations', MaxSessionDuration: 14400 });
  await expect(iam.send(new GetRoleCommand({ RoleName: 'CTLChainRole' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });

  const later = await cli('restore', '--from', file, '--only', 'CTLChainRole', '--apply', '--json');
  expect(later.code).toBe(0);
  expect(JSON.parse(later.out).items.map((i: RestoreItem) => `${i.decision} ${i.status}`)).toEqual(['restore done']);
});

test('a name taken since by something different is a conflict: reported, never overwritten, the rest restored', async () => {
  const { mirrored } = await departure();
  const customers = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  await iam.send(new CreateRoleCommand({ RoleName: 'CTLDeveloperRole', Path: '/customer/', AssumeRolePolicyDocument: customers }));
  const result = await cli('restore', '--from', reportFile(mirrored), '--apply', '--json');
  expect(result.code).toBe(0);
  const report = JSON.parse(result.out) as RestoreReport;
  expect(report.items.find((i) => i.phase === 'iam:role' && i.name === 'CTLDeveloperRole')).toMatchObject({
    decision: 'conflict',
    reason: 'the name is taken by a role with another path /customer/ (backed up: /), trust policy: not overwritten',
    steps: [],
  });
  expect(report.summary).toMatchObject({ conflict: 2, failed: 0 });
  expect((await iam.send(new GetRoleCommand({ RoleName: 'CTLDeveloperRole' }))).Role?.Path).toBe('/customer/');
  // Its instance profile is recreated, without the role that is not the one backed up; the rest is back.
  expect(report.items.filter((i) => i.decision === 'conflict' || i.decision === 'needs').map((i) => `${i.decision} ${i.phase} ${i.name}`)).toEqual([
    'conflict iam:role CTLDeveloperRole',
    'conflict iam:instance-profile CTLDeveloperRole',
  ]);
  expect(report.items.find((i) => i.phase === 'iam:instance-profile' && i.name === 'CTLDeveloperRole')!.notes).toEqual([
    'conflict: role CTLDeveloperRole (to put it in the profile) is not the one backed up (its name is taken by something different): not used',
  ]);
  expect((await iam.send(new GetRoleCommand({ RoleName: 'CTLOpsRole' }))).Role?.Path).toBe('/ops/');
});
