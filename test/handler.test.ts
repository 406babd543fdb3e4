/** The custom-resource handler: the exact answer CloudFormation receives in every lifecycle case. */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { ANSWER_MARGIN_MS, createHandler, type HandlerDependencies } from '../lambda/handler';
import type { DepartureReport } from '../lambda/engine/report';
import type { RunOptions } from '../lambda/engine/run';
import type { Action } from '../lambda/engine/model';
import { action as makeAction, report as makeReport } from './support/reports';
import { inventory } from './support/inventory-builder';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/ProviderDeparture/5b5c8c40-0000-11ef-0000-0a1b2c3d4e5f';
const PROPERTIES = { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f', Mode: 'plan', Prefixes: 'CTL', Exclude: '', KeepCamProvider: 'true' };

function event(type: 'Create' | 'Update' | 'Delete', properties: Record<string, string> = PROPERTIES): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: PROPERTIES.ServiceToken,
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/answer?sig=1',
    StackId: STACK_ID,
    RequestId: 'req-1',
    LogicalResourceId: 'DepartureRunA2525FF4',
    ResourceType: 'Custom::ProviderDeparture',
    ResourceProperties: properties as never,
  };
  if (type === 'Create') return { ...base, RequestType: 'Create' };
  if (type === 'Update') return { ...base, RequestType: 'Update', PhysicalResourceId: 'ctl-departure-123456789012', OldResourceProperties: PROPERTIES };
  return { ...base, RequestType: 'Delete', PhysicalResourceId: 'ctl-departure-123456789012' };
}

const context = (remainingMs = 600_000) =>
  ({
    logGroupName: '/aws/lambda/f',
    logStreamName: '2026/11/23/[$LATEST]abc',
    awsRequestId: 'lambda-req',
    getRemainingTimeInMillis: () => remainingMs,
  }) as unknown as Context;

const action = (name: string, status: Action['status'], error?: string) => makeAction(name, status, { error });
const report = (mode: 'plan' | 'apply', actions: Action[]): DepartureReport => makeReport('123456789012', mode, actions);

const REPORT_AT = 'CloudWatch Logs /aws/lambda/f 2026/11/23/[$LATEST]abc, request lambda-req';

function harness(run: (options: RunOptions) => Promise<DepartureReport>) {
  const sent: { url: string; body: Record<string, unknown> }[] = [];
  const runs: RunOptions[] = [];
  const saved: { bucket: string; report: DepartureReport }[] = [];
  const deps: HandlerDependencies = {
    run: (options) => (runs.push(options), run(options)),
    clients: () => ({}) as never,
    send: async (url, body) => void sent.push({ url, body: JSON.parse(body) }),
    log: () => undefined,
    saveReport: async (_clients, bucket, report) => (saved.push({ bucket, report }), `s3://${bucket}/reports/${report.accountId}.json`),
  };
  return { handler: createHandler(deps), sent, runs, saved };
}

const common = { StackId: STACK_ID, RequestId: 'req-1', LogicalResourceId: 'DepartureRunA2525FF4', PhysicalResourceId: 'ctl-departure-123456789012' };
const data = (mode: string, counts: Record<string, number>) => ({
  Mode: mode, Account: '123456789012', Delete: 0, Preserve: 0, Flag: 0, Skip: 0, Done: 0, Failed: 0, Planned: 0, Steps: 0, StepsDone: 0, Report: REPORT_AT, ...counts,
});

test('Create runs a plan and answers SUCCESS with the counts', async () => {
  const { handler, sent, runs } = harness(async () => report('plan', [action('CTLDeveloperRole', 'planned')]));
  await handler(event('Create'), context());
  expect(runs[0]).toMatchObject({ mode: 'plan', config: { prefixes: ['CTL'], exclude: [], keepCamProvider: true } });
  expect(sent).toEqual([
    { url: event('Create').ResponseURL, body: { Status: 'SUCCESS', ...common, Data: data('plan', { Delete: 1, Planned: 1 }) } },
  ]);
  expect(JSON.stringify(sent[0]!.body).length).toBeLessThan(4096);
});

test('Update from plan to apply runs apply and keeps the physical id', async () => {
  const { handler, sent, runs } = harness(async () => report('apply', [action('CTLDeveloperRole', 'done')]));
  await handler(event('Update', { ...PROPERTIES, Mode: 'apply', Exclude: 'CTLKeep, CTLOther' }), context());
  expect(runs[0]).toMatchObject({ mode: 'apply', config: { exclude: ['CTLKeep', 'CTLOther'] } });
  expect(sent[0]!.body).toEqual({ Status: 'SUCCESS', ...common, Data: data('apply', { Delete: 1, Done: 1 }) });
});

test('an apply with failed actions answers FAILED saying what is left, with the counts', async () => {
  const { handler, sent } = harness(async () =>
    report('apply', [action('CTLDeveloperRole', 'done'), action('CTLCloudOptimization', 'failed', 'DeleteRole failed: AccessDenied: denied; 0 later step(s) not run')]),
  );
  await handler(event('Update', { ...PROPERTIES, Mode: 'apply' }), context());
  expect(sent[0]!.body).toEqual({
    Status: 'FAILED',
    Reason: `apply left work undone: 1 failed: iam:role CTLCloudOptimization (DeleteRole failed: AccessDenied: denied; 0 later step(s) not run). Report: ${REPORT_AT}`,
    ...common,
    Data: data('apply', { Delete: 2, Done: 1, Failed: 1 }),
  });
});

test('Delete changes nothing and always succeeds', async () => {
  const { handler, sent, runs } = harness(async () => {
    throw new Error('must not run');
  });
  await handler(event('Delete', { ...PROPERTIES, Mode: 'apply' }), context());
  expect(runs).toEqual([]);
  expect(sent[0]!.body).toEqual({ Status: 'SUCCESS', Reason: 'delete changes nothing', ...common });
});

test('an engine exception answers FAILED with the error', async () => {
  const { handler, sent } = harness(async () => {
    throw Object.assign(new Error('User is not authorized to perform: iam:GetAccountAuthorizationDetails'), { name: 'AccessDenied' });
  });
  await handler(event('Create'), context());
  expect(sent[0]!.body).toEqual({
    Status: 'FAILED',
    Reason: `plan stopped: AccessDenied: User is not authorized to perform: iam:GetAccountAuthorizationDetails. Report: ${REPORT_AT}`,
    ...common,
  });
});

test('a bad parameter answers FAILED naming the parameter', async () => {
  const { handler, sent, runs } = harness(async () => report('plan', []));
  await handler(event('Create', { ...PROPERTIES, Prefixes: 'CTL,' }), context());
  expect(runs).toEqual([]);
  expect(sent[0]!.body).toMatchObject({ Status: 'FAILED', Reason: 'bad parameter Prefixes: config "prefixes[1]": must not be empty: an empty prefix matches every resource; use a literal such as "CTL"' });
});

test('time running out answers FAILED before the Lambda timeout, stops apply and says what is left', async () => {
  jest.useFakeTimers();
  try {
    let signal: AbortSignal | undefined;
    const { handler, sent } = harness(
      (options) =>
        new Promise(() => {
          signal = options.signal;
          options.onPlan?.([action('CTLDeveloperRole', 'done'), action('CTLCloudOptimization', 'planned')], inventory());
        }),
    );
    const answered = handler(event('Update', { ...PROPERTIES, Mode: 'apply' }), context(ANSWER_MARGIN_MS + 5_000));
    await jest.advanceTimersByTimeAsync(5_000);
    await answered;
    expect(signal?.aborted).toBe(true);
    expect(sent[0]!.body).toEqual({
      Status: 'FAILED',
      Reason: `apply did not finish within 5 s; 1 not started: CTLCloudOptimization. Re-run by updating the stack. Report: ${REPORT_AT}`,
      ...common,
      Data: data('apply', { Delete: 2, Done: 1, Planned: 1 }),
    });
  } finally {
    jest.useRealTimers();
  }
});

test('with a reports bucket the full report is saved there, and the answer points at it', async () => {
  const { handler, sent, saved } = harness(async () => report('plan', [action('CTLDeveloperRole', 'planned')]));
  await handler(event('Create', { ...PROPERTIES, ReportBucket: 'departure-reports' }), context());
  expect(saved.map((s) => [s.bucket, s.report.accountId])).toEqual([['departure-reports', '123456789012']]);
  expect(sent[0]!.body).toMatchObject({ Status: 'SUCCESS', Data: { Report: 's3://departure-reports/reports/123456789012.json' } });
});
