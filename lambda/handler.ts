/**
 * The CloudFormation custom resource that runs a departure inside the account. Create and Update run the
 * engine in the mode the stack's `Mode` parameter gives (plan unless it says apply); Delete changes nothing, and
 * neither does the Update CloudFormation sends while it rolls a failed stack update back.
 * Whatever happens (a bad property, an engine error, time running out) CloudFormation gets an answer, so a
 * stack never waits for its custom resource to time out; but only at the pre-signed S3 URL of the request.
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { describeError } from './engine/apply';
import { createClients } from './engine/aws';
import type { Inventory } from './engine/inventory';
import type { Action } from './engine/model';
import { CLEANUP_BUNDLE } from './engine/bundle';
import { buildReport, type RunOptions } from './engine/run';
import { STACK_DEPENDENCIES } from './stack-dependencies';
import type { DepartureReport, Mode } from './engine/report';
import { parseProperties, PropertyError, type ParsedProperties } from './properties';
import { reportClient, saveReportToBucket } from './report-upload';
import { responseUrlProblem, sendResponse } from './response';
import { classifyUpdate, describeStackStatus, type UpdateKind } from './stack-status';

/** Time kept back from the Lambda's own timeout to send a FAILED answer. */
export const ANSWER_MARGIN_MS = 15_000;
/** Before the answer's own deadline, apply starts no later pass, so a run that retries still ends with its report. */
export const PASS_MARGIN_MS = 10_000;

/** The request types CloudFormation sends; anything else is refused before anything runs. */
const REQUEST_TYPES: readonly string[] = ['Create', 'Update', 'Delete'];

/** A CloudFormation stack ARN: the response names it, and the account and region come from it. */
const STACK_ARN = /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]*\/\S+$/;

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
  /** Runs the engine; `parsed` is what `parse` made of the request (the sweep stack's regions among it). */
  readonly run: (options: RunOptions, parsed: ParsedProperties) => Promise<DepartureReport>;
  /**
   * The request's properties → what to run: the cleanup stack's (lambda/properties.ts), or the sweep stack's
   * (lambda/sweep-properties.ts). @default parseProperties
   */
  readonly parse?: (properties: unknown) => ParsedProperties;
  readonly clients: () => RunOptions['clients'];
  readonly send: (url: string, body: string) => Promise<void>;
  readonly log: (record: Record<string, unknown>) => void;
  /** Writes the full report to the rollout's reports bucket, as `reports/<accountId>.json`. */
  readonly saveReport: (bucket: string, report: DepartureReport) => Promise<string>;
  /** The status of the request's stack (`cloudformation:DescribeStacks`): an Update asks it to tell a rollback. */
  readonly stackStatus: (stackId: string) => Promise<string>;
  /** Where the response URL policy reads whether a rehearsal allows loopback http. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Why the request's own fields cannot be answered faithfully, or undefined. */
function envelopeProblem(event: CloudFormationCustomResourceEvent): string | undefined {
  if (typeof event.StackId !== 'string' || !STACK_ARN.test(event.StackId)) return `StackId ${JSON.stringify(event.StackId)} is not a CloudFormation stack ARN`;
  if (typeof event.RequestId !== 'string' || event.RequestId === '') return 'RequestId is missing';
  if (typeof event.LogicalResourceId !== 'string' || event.LogicalResourceId === '') return 'LogicalResourceId is missing';
  if (event.RequestType !== 'Create' && (typeof event.PhysicalResourceId !== 'string' || event.PhysicalResourceId === '')) return `PhysicalResourceId is missing from a ${event.RequestType} request`;
  return undefined;
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

/** Every attribute the stack's outputs read, for an answer with no run behind it: an output must never lack its key. */
export function idleData(account: string, mode: string, note: string): Record<string, string | number> {
  return { Mode: mode, Account: account, Delete: 0, Preserve: 0, Flag: 0, Skip: 0, Done: 0, Failed: 0, Planned: 0, Steps: 0, StepsDone: 0, Report: note };
}

/** A rollback Update, a forward one, or unknown when the stack's status cannot be read. */
async function whichUpdate(deps: HandlerDependencies, stackId: string): Promise<UpdateKind> {
  try {
    return classifyUpdate(await deps.stackStatus(stackId));
  } catch (error) {
    return { kind: 'unknown', why: `DescribeStacks failed: ${describeError(error)}` };
  }
}

export function createHandler(deps: HandlerDependencies) {
  return async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
    // Answers go to CloudFormation's pre-signed S3 URL and nowhere else: with any other URL nothing runs.
    const urlProblem = responseUrlProblem(event?.ResponseURL, deps.env ?? process.env);
    if (urlProblem) {
      deps.log({ message: 'not answering', reason: `${urlProblem}; nothing ran`, requestType: event?.RequestType, stackId: event?.StackId });
      return;
    }
    const account = typeof event.StackId === 'string' ? (event.StackId.split(':')[4] ?? '') : '';
    const given = (event as { PhysicalResourceId?: unknown }).PhysicalResourceId;
    // Updates keep the id they were given, so CloudFormation never sees a replacement (which would send a Delete).
    const physicalId = event.RequestType !== 'Create' && typeof given === 'string' && given !== '' ? given : `ctl-departure-${account || 'account'}`;
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

    if (!REQUEST_TYPES.includes(event.RequestType)) {
      return answer('FAILED', `unknown RequestType ${JSON.stringify(event.RequestType)}: CloudFormation sends Create, Update or Delete; nothing ran`);
    }
    const malformed = envelopeProblem(event);
    if (malformed) return answer('FAILED', `bad request: ${malformed}; nothing ran`);

    // Delete never removes or restores anything: the departure is not undone by deleting its stack.
    if (event.RequestType === 'Delete') return answer('SUCCESS', 'delete changes nothing');

    // A rollback Update carries the old properties: running them (apply above all) is a change nobody asked for, and
    // a FAILED answer would leave the stack UPDATE_ROLLBACK_FAILED. When it cannot be told, act as if it may be one.
    let guard: string | undefined;
    if (event.RequestType === 'Update') {
      const update = await whichUpdate(deps, event.StackId);
      deps.log({ message: 'update', ...update });
      if (update.kind === 'rollback') {
        const note = `rollback of a failed stack update (stack ${update.status}): nothing ran, nothing changed`;
        return answer('SUCCESS', note, idleData(account, 'rollback', note));
      }
      if (update.kind === 'unknown') {
        guard = `could not tell whether this Update is a rollback (${update.why}), so only a plan ran and nothing changed; give the function cloudformation:DescribeStacks on this stack, then update it again`;
      }
    }
    /** FAILED, or while a rollback cannot be ruled out, SUCCESS saying what stopped: a rollback must not fail. */
    const fail = (reason: string, data?: Response['Data']) =>
      guard ? answer('SUCCESS', `${guard}. ${reason}`, data ?? idleData(account, 'plan', reason)) : answer('FAILED', reason, data);

    let parsed: ParsedProperties;
    try {
      parsed = (deps.parse ?? parseProperties)(event.ResourceProperties);
    } catch (error) {
      if (!(error instanceof PropertyError)) throw error;
      return fail(`bad ${error.message}; nothing ran`);
    }
    const mode: Mode = guard ? 'plan' : parsed.mode;
    const { config, reportBucket } = parsed;
    // The request asked for more than this stack can do (the sweep's removal, not synthesized in): said in the answer.
    // Only the sweep stack's properties narrow a run: the cleanup stack's bundle leaves this out (engine/bundle.ts).
    const note = CLEANUP_BUNDLE ? guard : [guard, parsed.note].filter(Boolean).join('. ') || undefined;
    if (!CLEANUP_BUNDLE && parsed.note) deps.log({ message: 'narrowed', reason: parsed.note });

    const reportLocation = `CloudWatch Logs ${context.logGroupName} ${context.logStreamName}, request ${context.awsRequestId}`;
    /** The log always has the report; the reports bucket too, when the rollout gave one. */
    const publish = async (report: DepartureReport): Promise<string> => {
      logReport(deps, report);
      if (!reportBucket) return reportLocation;
      try {
        return await deps.saveReport(reportBucket, report);
      } catch (error) {
        deps.log({ message: 'report not saved', bucket: reportBucket, error: describeError(error) });
        return `${reportLocation} (not saved to s3://${reportBucket}: ${describeError(error)})`;
      }
    };
    const clients = deps.clients();
    const abort = new AbortController();
    let planned: readonly Action[] = [];
    let inventory: Inventory | undefined;
    const started = new Date().toISOString();
    const budget = Math.max(1_000, context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), budget)));

    try {
      const outcome = await Promise.race([
        deps.run({
          mode,
          config,
          clients,
          signal: abort.signal,
          deadline: Date.now() + budget - PASS_MARGIN_MS,
          onPlan: (actions, read) => ((planned = actions), (inventory = read)),
        }, parsed),
        deadline,
      ]);
      if (outcome === 'timeout') {
        abort.abort();
        // Discovery done: the report is the real one, cut short. Not done: only the stack's account is known.
        const identity = inventory ?? {
          accountId: account,
          caller: { accountId: '', arn: 'unknown' },
          organization: { status: 'unknown' as const, error: 'discovery had not finished' },
        };
        const partial = buildReport(identity, mode, started, planned);
        const where = await publish(partial);
        const left = planned.length ? leftOver(partial) : 'discovery had not finished';
        return fail(`${mode} did not finish within ${Math.round(budget / 1000)} s; ${left}. Re-run by updating the stack. Report: ${where}`, responseData(partial, where));
      }
      const report = outcome;
      const where = await publish(report);
      if (report.summary.failed > 0) {
        return fail(`apply left work undone: ${leftOver(report)}. Report: ${where}`, responseData(report, where));
      }
      return answer('SUCCESS', note, responseData(report, where));
    } catch (error) {
      deps.log({ message: 'engine error', error: describeError(error), stack: (error as Error)?.stack });
      return fail(`${mode} stopped: ${describeError(error)}. Report: ${reportLocation}`);
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

/** With the native JSON log format, Lambda wraps each line with time, level and request id. */
const jsonLog = (record: Record<string, unknown>) => console.log(JSON.stringify(record));

export const handler = createHandler({
  // The cleanup stack's, or in the sweep stack's bundle the sweep's (lambda/stack-dependencies.ts).
  ...STACK_DEPENDENCIES,
  clients: () => createClients(),
  send: (url, body) => sendResponse(url, body),
  log: jsonLog,
  // Clients are made per request, with the credentials of that moment (the org rehearsal switches accounts).
  saveReport: (bucket, report) => saveReportToBucket(reportClient(), bucket, report),
  stackStatus: describeStackStatus,
});
