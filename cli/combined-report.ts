/**
 * One view over many accounts' reports (`reports/<accountId>.json` in a bucket, or files in a folder): what was
 * planned, done, failed, kept and flagged in each account, and what is left. A report that is not well formed or
 * not stored under its own account id is not counted: its row says `invalid` and why (report-check.ts).
 */
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DepartureReport } from '../lambda/engine/report';
import { reportProblem } from './report-check';
import { printable } from './format';
import { readinessCell, readinessSection } from './readiness';

export type CombinedFormat = 'table' | 'md' | 'csv' | 'json';
export const COMBINED_FORMATS: readonly CombinedFormat[] = ['table', 'md', 'csv', 'json'];

/** One stored report as read: counted, or refused with the reason. */
export type StoredReport =
  | { readonly source: string; readonly report: DepartureReport; readonly invalid?: undefined }
  | { readonly source: string; readonly account: string; readonly invalid: string };

export interface AccountRow {
  readonly account: string;
  /** plan or apply; `invalid` for a report that is not counted. */
  readonly mode: string;
  readonly planned: number;
  readonly done: number;
  readonly failed: number;
  readonly preserved: number;
  readonly flagged: number;
  /** Actions that still have to run: failed, or planned and not run. */
  readonly left: readonly string[];
  /** Why the report is not counted. */
  readonly invalid?: string;
  /** Readiness checks that need attention (`?`: unknown), or `ok`; absent when the report carries none. */
  readonly readiness?: string;
}

export function rowOf(stored: StoredReport): AccountRow {
  if (stored.invalid !== undefined) {
    return { account: stored.account, mode: 'invalid', planned: 0, done: 0, failed: 0, preserved: 0, flagged: 0, left: [], invalid: `${stored.source}: ${stored.invalid}` };
  }
  const { report } = stored;
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
    ...(report.readiness ? { readiness: readinessCell(report) } : {}),
  };
}

/** True when every report was counted and no action failed: what `report` exits 0 on. */
export function allSucceeded(reports: readonly StoredReport[]): boolean {
  return reports.every((r) => r.invalid === undefined && r.report.summary.failed === 0);
}

/** Every `*.json` report in a folder; `<accountId>.json` names the account each must be. */
export function reportsFromDir(dir: string): StoredReport[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => readReport(readFileSync(path.join(dir, file), 'utf8'), path.join(dir, file), file.slice(0, -'.json'.length)));
}

/** Every report under `prefix` in a bucket (the rollout's reports bucket); `<prefix><accountId>.json` names the account. */
export async function reportsFromBucket(s3: S3Client, Bucket: string, Prefix = 'reports/'): Promise<StoredReport[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket, Prefix })) {
    keys.push(...(page.Contents ?? []).map((o) => o.Key!).filter((key) => key.endsWith('.json')));
  }
  return Promise.all(
    keys.sort().map(async (Key) => {
      const text = await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
      return readReport(text, `s3://${Bucket}/${Key}`, Key.slice(Prefix.length, -'.json'.length));
    }),
  );
}

/** Parses and checks one stored report; `account` is the account id its file or key name carries. */
function readReport(text: string, source: string, account: string): StoredReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { source, account, invalid: `not valid JSON (${(error as Error).message})` };
  }
  const invalid = reportProblem(value, path.basename(source), account);
  return invalid === undefined ? { source, report: value as DepartureReport } : { source, account, invalid };
}

const COLUMNS = ['account', 'mode', 'planned', 'done', 'failed', 'preserved', 'flagged', 'left'] as const;

export function formatCombined(reports: readonly StoredReport[], format: CombinedFormat): string {
  const table = formatTable(reports, format);
  // Each account's readiness checks that are not ok, below the table (JSON rows carry them as `readiness`).
  return format === 'table' || format === 'md' ? table + readinessSection(reports.map((r) => (r.invalid === undefined ? r.report : undefined))) : table;
}

function formatTable(reports: readonly StoredReport[], format: CombinedFormat): string {
  const rows = reports.map(rowOf).sort((a, b) => a.account.localeCompare(b.account));
  if (format === 'json') return JSON.stringify(rows, null, 2);
  // A report not counted has no counts: "-" in a table, an empty cell in CSV.
  const none = format === 'csv' ? '' : '-';
  const counts = (row: AccountRow) => (row.invalid !== undefined ? [none, none, none, none, none] : [row.planned, row.done, row.failed, row.preserved, row.flagged]);
  // Account (a file name), names and reasons come from the reports: anyone's to write, so never control characters.
  const cells = (row: AccountRow) => [row.account, row.mode, ...counts(row), leftText(row)].map((cell) => printable(String(cell)));
  const total = ['total', '', ...(['planned', 'done', 'failed', 'preserved', 'flagged'] as const).map((k) => String(rows.reduce((sum, r) => sum + r[k], 0))), String(rows.reduce((sum, r) => sum + r.left.length, 0))];
  if (format === 'csv') return [COLUMNS.join(','), ...rows.map((r) => cells(r).map(csv).join(','))].join('\n');
  const body = [...rows.map(cells), total];
  if (format === 'md') {
    return [`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`, ...body.map((c) => `| ${c.map((cell) => cell.replace(/[|\\`*_<>[\]]/g, '\\$&')).join(' | ')} |`)].join('\n');
  }
  const widths = COLUMNS.map((name, i) => Math.max(name.length, ...body.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(COLUMNS), ...body.map(line)].join('\n');
}

const leftText = (row: AccountRow) => (row.invalid !== undefined ? `not counted: ${row.invalid}` : row.left.length ? `${row.left.length}: ${row.left.slice(0, 3).join(', ')}${row.left.length > 3 ? ', ...' : ''}` : '0');
/**
 * One CSV cell that a spreadsheet reads as text: a cell starting with `=`, `+`, `-`, `@`, tab or carriage return
 * would be run as a formula, so it gets a leading `'` and quotes (OWASP, "CSV Injection"); quotes are doubled.
 */
const csv = (value: string) => {
  const text = /^[=+\-@\t\r\0]/.test(value) ? `'${value}` : value;
  return /[",\n\r']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
