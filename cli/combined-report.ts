/**
 * One view over many accounts' reports (`reports/<accountId>.json` in a bucket, or files in a folder): what was
 * planned, done, failed, kept and flagged in each account, and what is left.
 */
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DepartureReport } from '../lambda/engine/report';

export type CombinedFormat = 'table' | 'md' | 'csv' | 'json';
export const COMBINED_FORMATS: readonly CombinedFormat[] = ['table', 'md', 'csv', 'json'];

export interface AccountRow {
  readonly account: string;
  readonly mode: string;
  readonly planned: number;
  readonly done: number;
  readonly failed: number;
  readonly preserved: number;
  readonly flagged: number;
  /** Actions that still have to run: failed, or planned and not run. */
  readonly left: readonly string[];
}

export function rowOf(report: DepartureReport): AccountRow {
  const acting = report.actions.filter((a) => a.action === 'delete' || a.action === 'preserve');
  return {
    account: report.accountId,
    mode: report.mode,
    planned: acting.filter((a) => a.status !== 'skipped').length,
    done: report.summary.done,
    failed: report.summary.failed,
    preserved: report.summary.preserve,
    flagged: report.summary.flag,
    left: acting.filter((a) => a.status === 'failed' || a.status === 'planned').map((a) => `${a.resource} ${a.name}`),
  };
}

/** Every `*.json` report in a folder, by account id. */
export function reportsFromDir(dir: string): DepartureReport[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => parseReport(readFileSync(path.join(dir, file), 'utf8'), path.join(dir, file)));
}

/** Every report under `prefix` in a bucket (the rollout's reports bucket). */
export async function reportsFromBucket(s3: S3Client, Bucket: string, Prefix = 'reports/'): Promise<DepartureReport[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket, Prefix })) {
    keys.push(...(page.Contents ?? []).map((o) => o.Key!).filter((key) => key.endsWith('.json')));
  }
  return Promise.all(
    keys.sort().map(async (Key) => parseReport(await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString(), `s3://${Bucket}/${Key}`)),
  );
}

function parseReport(text: string, where: string): DepartureReport {
  let report: DepartureReport;
  try {
    report = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message})`);
  }
  if (report?.tool !== 'ctl-departure' || !report.accountId || !Array.isArray(report.actions)) throw new Error(`${where}: not a ctl-departure report`);
  return report;
}

const COLUMNS = ['account', 'mode', 'planned', 'done', 'failed', 'preserved', 'flagged', 'left'] as const;

export function formatCombined(reports: readonly DepartureReport[], format: CombinedFormat): string {
  const rows = reports.map(rowOf).sort((a, b) => a.account.localeCompare(b.account));
  if (format === 'json') return JSON.stringify(rows, null, 2);
  const cells = (row: AccountRow) => [row.account, row.mode, row.planned, row.done, row.failed, row.preserved, row.flagged, leftText(row)].map(String);
  const total = ['total', '', ...(['planned', 'done', 'failed', 'preserved', 'flagged'] as const).map((k) => String(rows.reduce((sum, r) => sum + r[k], 0))), String(rows.reduce((sum, r) => sum + r.left.length, 0))];
  if (format === 'csv') return [COLUMNS.join(','), ...rows.map((r) => cells(r).map(csv).join(','))].join('\n');
  const body = [...rows.map(cells), total];
  if (format === 'md') {
    return [`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`, ...body.map((c) => `| ${c.join(' | ')} |`)].join('\n');
  }
  const widths = COLUMNS.map((name, i) => Math.max(name.length, ...body.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(COLUMNS), ...body.map(line)].join('\n');
}

const leftText = (row: AccountRow) => (row.left.length ? `${row.left.length}: ${row.left.slice(0, 3).join(', ')}${row.left.length > 3 ? ', ...' : ''}` : '0');
const csv = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
