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

test('a file that is not a report is named', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ctl-reports-'));
  writeFileSync(path.join(dir, 'notes.json'), '{"hello": 1}');
  expect(await cli('report', '--dir', dir)).toEqual({ code: 2, out: '', err: `ctl-departure: report: ${path.join(dir, 'notes.json')}: not a ctl-departure report` });
});
