/**
 * The CloudFormation custom resource that runs a departure inside the account. Create and Update run the
 * engine in the mode the stack's `Mode` parameter gives (plan unless it says apply); Delete changes nothing.
 * Whatever happens (a bad parameter, an engine error, time running out) CloudFormation gets an answer, so a
 * stack never waits for its custom resource to time out.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describeError } from './engine/apply';
import { createClients } from './engine/aws';
import { ConfigError, resolveConfig, type DepartureConfig } from './engine/config';
import type { Inventory } from './engine/inventory';
import type { Action } from './engine/model';
import { buildReport, runDeparture, type RunOptions } from './engine/run';
import type { DepartureReport, Mode } from './engine/report';

/** Config key ← property name. Lists are comma-separated strings; an empty string is an empty list. */
export const PROPERTY_KEYS = {
  Prefixes: 'prefixes',
  KeepCamProvider: 'keepCamProvider',
  CamPolicyNames: 'camPolicyNames',
  RemoveTagKeys: 'removeTagKeys',
  Exclude: 'exclude',
  ProviderAccountIds: 'providerAccountIds',
  OidcUrlFragments: 'oidcUrlFragments',
} as const satisfies Record<string, keyof DepartureConfig>;

const BOOLEAN_KEYS = new Set<string>(['keepCamProvider']);

/** `buckets.<key>` ← property name; empty strings are left to the config's defaults. */
export const BUCKET_PROPERTY_KEYS = {
  BucketMode: 'mode',
  BucketNames: 'names',
  ArchiveBucket: 'archiveBucket',
  StorageClass: 'storageClass',
  TransitionDays: 'transitionDays',
  DeleteWithoutArchive: 'deleteWithoutArchive',
  BatchRoleArn: 'batchRoleArn',
} as const;

function bucketProperties(properties: Record<string, unknown>): Record<string, unknown> | undefined {
  const buckets: Record<string, unknown> = {};
  for (const [property, key] of Object.entries(BUCKET_PROPERTY_KEYS)) {
    const value = properties[property];
    if (typeof value !== 'string' || value === '') continue;
    buckets[key] =
      key === 'names' ? splitList(value, true) : key === 'transitionDays' ? Number(value) : key === 'deleteWithoutArchive' ? value === 'true' : value;
  }
  return Object.keys(buckets).length ? buckets : undefined;
}

/** Time kept back from the Lambda's own timeout to send a FAILED answer. */
export const ANSWER_MARGIN_MS = 15_000;

interface Response {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string | number>;
}

/** The handler's ties to the outside world, swapped by tests and by the rehearsal. */
export interface HandlerDependencies {
  readonly run: (options: RunOptions) => Promise<DepartureReport>;
  readonly clients: () => RunOptions['clients'];
  readonly send: (url: string, body: string) => Promise<void>;
  readonly log: (record: Record<string, unknown>) => void;
  /** Writes the full report to the rollout's reports bucket, as `reports/<accountId>.json`. */
  readonly saveReport: (clients: RunOptions['clients'], bucket: string, report: DepartureReport) => Promise<string>;
}

/** "a, b" → ["a", "b"]. Prefixes keep empty entries so that validation refuses them instead of dropping them. */
function splitList(value: string, dropEmpty: boolean): string[] {
  const entries = value.split(',').map((entry) => entry.trim());
  return dropEmpty ? entries.filter((entry) => entry !== '') : entries;
}

export function parseProperties(properties: Record<string, unknown>): { mode: Mode; config: DepartureConfig } {
  const mode = properties.Mode ?? 'plan';
  if (mode !== 'plan' && mode !== 'apply') {
    throw new ConfigError('Mode', `must be "plan" or "apply", not ${JSON.stringify(mode)}`);
  }
  const raw: Record<string, unknown> = {};
  for (const [property, key] of Object.entries(PROPERTY_KEYS)) {
    const value = properties[property];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new ConfigError(property, 'must be a string');
    raw[key] = BOOLEAN_KEYS.has(key)
      ? value === 'true' ? true : value === 'false' ? false : value
      : splitList(value, key !== 'prefixes');
  }
  const buckets = bucketProperties(properties);
  if (buckets) raw.buckets = buckets;
  try {
    return { mode, config: resolveConfig(raw) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Name the stack parameter the operator can change, as well as the engine's key.
    const property =
      Object.entries(PROPERTY_KEYS).find(([, key]) => error.field.split('[')[0] === key)?.[0] ??
      Object.entries(BUCKET_PROPERTY_KEYS).find(([, key]) => error.field.split('[')[0] === `buckets.${key}`)?.[0];
    throw property ? new ConfigError(property, error.message) : error;
  }
}

/** Counts and pointers that fit CloudFormation's 4 KB response limit; the full report goes to the log. */
export function responseData(report: DepartureReport, reportLocation: string): Record<string, string | number> {
  const s = report.summary;
  return {
    Mode: report.mode,
    Account: report.accountId,
    Delete: s.delete,
    Preserve: s.preserve,
    Flag: s.flag,
    Skip: s.skip,
    Done: s.done,
    Failed: s.failed,
    Planned: s.planned,
    Steps: s.steps,
    StepsDone: s.stepsDone,
    Report: reportLocation,
  };
}

/** What is left after a failed or cut-short apply, in one line for CloudFormation's status reason. */
export function leftOver(report: DepartureReport): string {
  const failed = report.actions.filter((a) => a.status === 'failed');
  const unfinished = report.actions.filter((a) => a.status === 'planned');
  const parts: string[] = [];
  if (failed.length) parts.push(`${failed.length} failed: ${failed.slice(0, 3).map((a) => `${a.resource} ${a.name} (${a.error})`).join('; ')}${failed.length > 3 ? '; ...' : ''}`);
  if (unfinished.length) parts.push(`${unfinished.length} not started: ${unfinished.slice(0, 5).map((a) => a.name).join(', ')}${unfinished.length > 5 ? ', ...' : ''}`);
  return parts.join('. ');
}

const truncate = (text: string, max = 900) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

export function createHandler(deps: HandlerDependencies) {
  return async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
    const physicalId =
      event.RequestType === 'Create' ? `ctl-departure-${event.StackId.split(':')[4] ?? 'account'}` : event.PhysicalResourceId;
    const answer = (status: Response['Status'], reason?: string, data?: Response['Data']) => {
      const response: Response = {
        Status: status,
        ...(reason ? { Reason: truncate(reason) } : {}),
        PhysicalResourceId: physicalId,
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
        ...(data ? { Data: data } : {}),
      };
      deps.log({ message: 'answer', status, reason: response.Reason, data });
      return deps.send(event.ResponseURL, JSON.stringify(response));
    };
    const reportLocation = `CloudWatch Logs ${context.logGroupName} ${context.logStreamName}, request ${context.awsRequestId}`;

    // Delete never removes or restores anything: the departure is not undone by deleting its stack.
    if (event.RequestType === 'Delete') return answer('SUCCESS', 'delete changes nothing');

    let mode: Mode;
    let config: DepartureConfig;
    try {
      ({ mode, config } = parseProperties(event.ResourceProperties));
    } catch (error) {
      const problem = error instanceof ConfigError && (error.field in PROPERTY_KEYS || error.field in BUCKET_PROPERTY_KEYS || error.field === 'Mode') ? error.message.replace(/^config "(\w+)": /, 'parameter $1: ') : (error as Error).message;
      return answer('FAILED', `bad ${problem}`);
    }

    const reportBucket = typeof event.ResourceProperties.ReportBucket === 'string' ? event.ResourceProperties.ReportBucket : '';
    const clients = deps.clients();
    /** The log always has the report; the reports bucket too, when the rollout gave one. */
    const publish = async (report: DepartureReport): Promise<string> => {
      logReport(deps, report);
      if (!reportBucket) return reportLocation;
      try {
        return await deps.saveReport(clients, reportBucket, report);
      } catch (error) {
        deps.log({ message: 'report not saved', bucket: reportBucket, error: describeError(error) });
        return `${reportLocation} (not saved to s3://${reportBucket}: ${describeError(error)})`;
      }
    };
    const abort = new AbortController();
    let planned: readonly Action[] = [];
    let inventory: Inventory | undefined;
    const started = new Date().toISOString();
    const budget = Math.max(1_000, context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), budget)));

    try {
      const outcome = await Promise.race([
        deps.run({ mode, config, clients, signal: abort.signal, onPlan: (actions, read) => ((planned = actions), (inventory = read)) }),
        deadline,
      ]);
      if (outcome === 'timeout') {
        abort.abort();
        // Discovery done: the report is the real one, cut short. Not done: only the stack's account is known.
        const identity = inventory ?? {
          accountId: event.StackId.split(':')[4] ?? '',
          caller: { accountId: '', arn: 'unknown' },
          organization: { status: 'unknown' as const, error: 'discovery had not finished' },
        };
        const partial = buildReport(identity, mode, started, planned);
        const where = await publish(partial);
        const left = planned.length ? leftOver(partial) : 'discovery had not finished';
        return answer('FAILED', `${mode} did not finish within ${Math.round(budget / 1000)} s; ${left}. Re-run by updating the stack. Report: ${where}`, responseData(partial, where));
      }
      const report = outcome;
      const where = await publish(report);
      if (report.summary.failed > 0) {
        return answer('FAILED', `apply left work undone: ${leftOver(report)}. Report: ${where}`, responseData(report, where));
      }
      return answer('SUCCESS', undefined, responseData(report, where));
    } catch (error) {
      deps.log({ message: 'engine error', error: describeError(error), stack: (error as Error)?.stack });
      return answer('FAILED', `${mode} stopped: ${describeError(error)}. Report: ${reportLocation}`);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** One log record per action and one for the summary: each stays far under the log event size limit. */
function logReport(deps: HandlerDependencies, report: DepartureReport): void {
  for (const action of report.actions) deps.log({ message: 'action', ...action });
  const { actions: _actions, ...header } = report;
  deps.log({ message: 'report', ...header });
}

/** PUTs the answer to CloudFormation's pre-signed URL, retrying a network error a few times. */
export async function sendResponse(url: string, body: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await put(url, body);
    } catch (error) {
      if (attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}

function put(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'http:' ? httpRequest : httpsRequest)(
      target,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () =>
          (response.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`response URL answered HTTP ${response.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** With the native JSON log format, Lambda wraps each line with time, level and request id. */
const jsonLog = (record: Record<string, unknown>) => console.log(JSON.stringify(record));

/** `reports/<accountId>.json` in the reports bucket; the account id comes from the report itself. */
export async function saveReportToBucket(clients: RunOptions['clients'], bucket: string, report: DepartureReport): Promise<string> {
  const Key = `reports/${report.accountId}.json`;
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: JSON.stringify(report), ContentType: 'application/json', ACL: 'bucket-owner-full-control' }));
  return `s3://${bucket}/${Key}`;
}

export const handler = createHandler({
  run: runDeparture,
  clients: () => createClients(),
  send: sendResponse,
  log: jsonLog,
  saveReport: saveReportToBucket,
});
