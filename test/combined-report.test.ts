/** `ctl-departure report`: one table over several accounts' reports, from a folder or from the reports bucket. */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../cli/main';
import type { Action } from '../lambda/engine/model';
import { action as makeAction, report } from './support/reports';
import { motoSuite } from './support/moto-suite';

motoSuite();

const action = (name: string, decision: Action['action'], status: Action['status'], error?: string) =>
  makeAction(name, status, { decision, error, account: '111111111111' });

const REPORTS = [
  report('222222222222', 'apply', [action('CTLDeveloperRole', 'delete', 'done'), action('CTLCAMRole', 'preserve', 'done'), action('legacy', 'flag', 'skipped')]),
  report('111111111111', 'plan', [action('CTLDeveloperRole', 'delete', 'planned'), action('CTLCloudOptimization', 'delete', 'planned')]),
  report('333333333333', 'apply', [action('CTLDeveloperRole', 'delete', 'done'), action('CTLCloudOptimization', 'delete', 'failed', 'DeleteRole failed: denied')]),
];

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function reportDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ctl-reports-'));
  for (const r of REPORTS) writeFileSync(path.join(dir, `${r.accountId}.json`), JSON.stringify(r));
  return dir;
}

test('a folder of reports, as CSV: one row per account, sorted, with what is left; a failed account makes exit 1', async () => {
  const result = await cli('report', '--dir', reportDir(), '--format', 'csv');
  expect(result.out).toBe(
    [
      'account,mode,planned,done,failed,preserved,flagged,left',
      '111111111111,plan,2,0,0,0,0,"2: iam:role CTLDeveloperRole, iam:role CTLCloudOptimization"',
      '222222222222,apply,2,2,0,1,1,0',
      '333333333333,apply,2,1,1,0,0,1: iam:role CTLCloudOptimization',
    ].join('\n'),
  );
  expect(result.code).toBe(1);
});

test('as a table and as Markdown, with totals', async () => {
  const table = await cli('report', '--dir', reportDir());
  expect(table.out.split('\n')[0]).toMatch(/^account\s+mode\s+planned\s+done\s+failed\s+preserved\s+flagged\s+left$/);
  expect(table.out.split('\n').at(-1)).toMatch(/^total\s+6\s+3\s+1\s+1\s+1\s+3$/);
  const md = await cli('report', '--dir', reportDir(), '--format', 'md');
  expect(md.out.split('\n').slice(0, 2)).toEqual(['| account | mode | planned | done | failed | preserved | flagged | left |', '|---|---|---|---|---|---|---|---|']);
  expect(JSON.parse((await cli('report', '--dir', reportDir(), '--format', 'json')).out)).toHaveLength(3);
});

test('from the reports bucket (reports/<accountId>.json)', async () => {
  const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'departure-reports' }));
  for (const r of REPORTS) await s3.send(new PutObjectCommand({ Bucket: 'departure-reports', Key: `reports/${r.accountId}.json`, Body: JSON.stringify(r) }));
  const result = await cli('report', '--bucket', 'departure-reports', '--format', 'csv');
  expect(result.out.split('\n')).toHaveLength(4);
  expect(result.out).toMatch(/^333333333333,apply,2,1,1,0,0,1: iam:role CTLCloudOptimization$/m);
});

test.each([
  [['report'], 'ctl-departure: report needs exactly one of --bucket NAME or --dir DIR'],
  [['report', '--dir', '/tmp', '--bucket', 'b'], 'ctl-departure: report needs exactly one of --bucket NAME or --dir DIR'],
  [['report', '--dir', '/tmp', '--format', 'xml'], 'ctl-departure: --format must be one of table, md, csv, json, not "xml"'],
])('%j is refused with one line', async (args, message) => {
  expect(await cli(...args)).toEqual({ code: 2, out: '', err: message });
});

test('a file that is not a report is shown as invalid, not counted, and makes exit 1', async () => {
  const dir = reportDir();
  writeFileSync(path.join(dir, 'notes.json'), '{"hello": 1}');
  const result = await cli('report', '--dir', dir, '--format', 'csv');
  expect(result.out).toMatch(new RegExp(`^notes,invalid,,,,,,not counted: ${path.join(dir, 'notes.json')}: not a ctl-departure report$`, 'm'));
  expect(result.code).toBe(1);
});

/** Writes `reports` into a fresh folder, each under the given file name. */
function folderOf(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ctl-reports-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const clean = report('444444444444', 'apply', [action('CTLDeveloperRole', 'delete', 'done')]);
const failed = report('444444444444', 'apply', [action('CTLDeveloperRole', 'delete', 'failed', 'denied')]);

test.each([
  ['stored under another account\'s id', { '555555555555.json': clean }, '555555555555', 'accountId 444444444444 is not the account its name says (555555555555)'],
  ['named other than <accountId>.json', { 'latest.json': clean }, 'latest', 'named latest.json: a report is stored as <its accountId>.json (444444444444.json)'],
  ['that is not JSON', { '444444444444.json': '{"tool":' }, '444444444444', 'not valid JSON'],
  ['with a mode neither plan nor apply', { '444444444444.json': { ...clean, mode: 'done' } }, '444444444444', 'mode: "done" is not plan or apply'],
  ['with an action without steps', { '444444444444.json': { ...clean, actions: [{ ...clean.actions[0], steps: undefined }] } }, '444444444444', 'actions[0].steps: not a list'],
  ['with an unknown action status', { '444444444444.json': { ...clean, actions: [{ ...clean.actions[0], status: 'ok' }] } }, '444444444444', 'actions[0].status: "ok" is not one of planned, done, failed, skipped'],
  ['whose summary hides a failure', { '444444444444.json': { ...failed, summary: clean.summary } }, '444444444444', 'summary.done: 1 does not count its actions (0)'],
])('a report %s: invalid, not counted, the reason shown, exit 1', async (_what, files, account, reason) => {
  const dir = folderOf({ ...files, '111111111111.json': REPORTS[1] });
  const result = await cli('report', '--dir', dir, '--format', 'json');
  const rows = JSON.parse(result.out) as Array<{ account: string; mode: string; invalid?: string }>;
  expect(rows.find((r) => r.account === account)).toMatchObject({ mode: 'invalid', invalid: expect.stringContaining(reason) });
  expect(rows.find((r) => r.account === '111111111111')).toMatchObject({ mode: 'plan' });
  expect(result.code).toBe(1);
});

test('a report in the bucket under another account\'s key is invalid (the key names the account)', async () => {
  const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'departure-reports' }));
  await s3.send(new PutObjectCommand({ Bucket: 'departure-reports', Key: 'reports/111111111111.json', Body: JSON.stringify(REPORTS[1]) }));
  await s3.send(new PutObjectCommand({ Bucket: 'departure-reports', Key: 'reports/222222222222.json', Body: JSON.stringify(clean) }));
  const result = await cli('report', '--bucket', 'departure-reports', '--format', 'csv');
  expect(result.out).toMatch(/^222222222222,invalid,,,,,,not counted: s3:\/\/departure-reports\/reports\/222222222222\.json: accountId 444444444444 is not the account its name says \(222222222222\)/m);
  expect(result.out).toMatch(/^111111111111,plan,2,/m);
  expect(result.code).toBe(1);
});

test('well-formed reports under their own ids, none failed: exit 0', async () => {
  const result = await cli('report', '--dir', folderOf({ '111111111111.json': REPORTS[1], '222222222222.json': REPORTS[0] }));
  expect(result.code).toBe(0);
});

describe('what reports carry cannot run in a spreadsheet or drive a terminal', () => {
  const hostile = report('666666666666', 'plan', [action('=HYPERLINK("http://x","y")', 'delete', 'planned'), action(`CTL\u001b[2JRole`, 'delete', 'planned')]);
  /** A folder with a report whose action names are formulas and escapes, and a file whose name is a formula. */
  const folder = () => folderOf({ '666666666666.json': hostile, '=1+2.json': { hello: 1 }, '@SUM(A1).json': '{', '-2+3.json': clean, '+1.json': clean });

  test('CSV: a cell starting with = + - @ (or tab, CR) gets a leading quote and is quoted (OWASP CSV injection)', async () => {
    const csv = (await cli('report', '--dir', folder(), '--format', 'csv')).out.split('\n');
    const cellsOf = (account: string) => csv.find((line) => line.startsWith(account) || line.startsWith(`"'${account}`))!;
    expect(cellsOf('=1+2')).toMatch(/^"'=1\+2",invalid,,,,,,"?not counted: /);
    expect(cellsOf('@SUM(A1)')).toMatch(/^"'@SUM\(A1\)",invalid,,,,,,"?not counted: /);
    expect(cellsOf('-2+3')).toMatch(/^"'-2\+3",invalid,/);
    expect(cellsOf('+1')).toMatch(/^"'\+1",invalid,/);
    // No cell of any row starts with a formula character, quoted or not.
    for (const line of csv) for (const cell of line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
    expect(cellsOf('666666666666')).toBe('666666666666,plan,2,0,0,0,0,"2: iam:role =HYPERLINK(""http://x"",""y""), iam:role CTL\\u001b[2JRole"');
  });

  test('table and Markdown: control characters escaped; Markdown cells cannot break the table', async () => {
    const table = (await cli('report', '--dir', folder())).out;
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(table).toContain('CTL\\u001b[2JRole');
    const md = (await cli('report', '--dir', folderOf({ '666666666666.json': report('666666666666', 'plan', [action('CTL|Role', 'delete', 'planned')]) }), '--format', 'md')).out;
    expect(md.split('\n')[2]).toBe('| 666666666666 | plan | 1 | 0 | 0 | 0 | 0 | 1: iam:role CTL\\|Role |');
  });
});
