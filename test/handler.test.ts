/** The custom-resource handler: the exact answer CloudFormation receives in every lifecycle case. */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { ANSWER_MARGIN_MS, createHandler, idleData, PASS_MARGIN_MS, responseData, type HandlerDependencies } from '../lambda/handler';
import { ALLOW_LOOPBACK_HTTP_ENV } from '../lambda/response';
import { classifyUpdate } from '../lambda/stack-status';
import type { DepartureReport } from '../lambda/engine/report';
import type { RunOptions } from '../lambda/engine/run';
import type { Action } from '../lambda/engine/model';
import { action as makeAction, report as makeReport } from './support/reports';
import { inventory } from './support/inventory-builder';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/ProviderDeparture/5b5c8c40-0000-11ef-0000-0a1b2c3d4e5f';
const PROPERTIES: Record<string, string> = { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f', Mode: 'plan', Prefixes: 'CTL', Exclude: '', KeepCamProvider: 'true' };

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
  if (type === 'Update') return { ...base, RequestType: 'Update', PhysicalResourceId: 'ctl-departure-123456789012', OldResourceProperties: PROPERTIES as never };
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

/** The handler with fake ties; `stackStatus` is what DescribeStacks says (a function that throws: it fails). */
function harness(run: (options: RunOptions) => Promise<DepartureReport>, options: { stackStatus?: () => Promise<string>; env?: Record<string, string> } = {}) {
  const sent: { url: string; body: Record<string, unknown> }[] = [];
  const runs: RunOptions[] = [];
  const saved: { bucket: string; report: DepartureReport }[] = [];
  const logs: Record<string, unknown>[] = [];
  const statusAsked: string[] = [];
  const deps: HandlerDependencies = {
    run: (runOptions) => (runs.push(runOptions), run(runOptions)),
    clients: () => ({}) as never,
    send: async (url, body) => void sent.push({ url, body: JSON.parse(body) }),
    log: (record) => void logs.push(record),
    saveReport: async (bucket, report) => (saved.push({ bucket, report }), `s3://${bucket}/reports/${report.accountId}.json`),
    stackStatus: async (stackId) => (statusAsked.push(stackId), (options.stackStatus ?? (async () => 'UPDATE_IN_PROGRESS'))()),
    env: options.env ?? {},
  };
  return { handler: createHandler(deps), sent, runs, saved, logs, statusAsked };
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

test('backups go to the log and the reports bucket with their actions, never into the answer (4 KB at most)', async () => {
  // A large backup: a managed policy's five versions at IAM's 6,144 characters each.
  const statement = { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(6000)}/*` };
  const versions = ['v1', 'v2', 'v3', 'v4', 'v5'].map((VersionId) => ({ VersionId, IsDefaultVersion: VersionId === 'v5', Document: { Version: '2012-10-17', Statement: [statement] } }));
  const backup = { Path: '/', PolicyName: 'CTLBig', Tags: [], DefaultVersionId: 'v5', Versions: versions, AttachedTo: [], BoundaryOf: [] };
  const applied = { ...action('CTLBig', 'done'), resource: 'iam:policy' as const, backup };
  const { handler, sent, logs, saved } = harness(async () => report('apply', [applied]));
  await handler(event('Update', { ...PROPERTIES, Mode: 'apply', ReportBucket: 'departure-reports' }), context());
  expect(sent[0]!.body).toMatchObject({ Status: 'SUCCESS', Data: { Done: 1 } });
  expect(JSON.stringify(sent[0]!.body)).not.toContain('Versions');
  expect(JSON.stringify(sent[0]!.body).length).toBeLessThan(4096);
  expect(logs.find((record) => record.message === 'action')).toMatchObject({ name: 'CTLBig', backup });
  expect(saved[0]!.report.actions[0]!.backup).toEqual(backup);
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

test('a bad property answers FAILED naming the property and the fix, and runs nothing', async () => {
  const { handler, sent, runs } = harness(async () => report('plan', []));
  await handler(event('Create', { ...PROPERTIES, Prefixes: 'CTL,' }), context());
  expect(runs).toEqual([]);
  expect(sent[0]!.body).toMatchObject({
    Status: 'FAILED',
    Reason: 'bad property Prefixes: config "prefixes[1]": must not be empty: an empty prefix matches every resource; use a literal such as "CTL"; nothing ran',
  });
});

test.each([
  [{ Prefixes: 'C' }, `bad property Prefixes: config "prefixes[0]": "C" is too broad: a prefix needs at least 3 characters and must start with a letter; if it really names only the provider's, also list it in allowBroadPrefixes; nothing ran`],
  [{ OidcUrlFragments: 'com' }, 'bad property OidcUrlFragments: config "oidcUrlFragments[0]": "com" is too broad: a fragment needs 6 characters and a dot (a host such as "auth.ctl.io"), or a word of 8; if it really names only the provider\'s, also list it in allowBroadOidcUrlFragments; nothing ran'],
  [{ constructor: 'x' }, expect.stringMatching(/^bad property constructor: unknown property; the known properties are .*; nothing ran$/)],
])('properties %j that would widen or confuse the run answer FAILED in one line, and nothing runs', async (change, reason) => {
  const { handler, sent, runs } = harness(async () => report('plan', []));
  await handler(event('Create', { ...PROPERTIES, ...change }), context());
  expect(runs).toEqual([]);
  expect(sent[0]!.body).toMatchObject({ Status: 'FAILED', Reason: reason });
});

test('apply gets a deadline for its later passes that leaves time to finish the report and answer', async () => {
  const { handler, runs } = harness(async () => report('apply', [action('CTLDeveloperRole', 'done')]));
  const before = Date.now();
  await handler(event('Update', { ...PROPERTIES, Mode: 'apply' }), context(600_000));
  const deadline = runs[0]!.deadline!;
  expect(deadline).toBeGreaterThanOrEqual(before + 600_000 - ANSWER_MARGIN_MS - PASS_MARGIN_MS);
  expect(deadline).toBeLessThanOrEqual(Date.now() + 600_000 - ANSWER_MARGIN_MS - PASS_MARGIN_MS);
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

describe('a rollback Update', () => {
  const mustNotRun = async (): Promise<DepartureReport> => {
    throw new Error('must not run');
  };

  test('during UPDATE_ROLLBACK_IN_PROGRESS runs nothing, keeps the physical id and answers SUCCESS saying so', async () => {
    const { handler, sent, runs, statusAsked } = harness(mustNotRun, { stackStatus: async () => 'UPDATE_ROLLBACK_IN_PROGRESS' });
    // CloudFormation rolls back to the old properties: here, the apply that a failed update had replaced.
    await handler(event('Update', { ...PROPERTIES, Mode: 'apply' }), context());
    expect(statusAsked).toEqual([STACK_ID]);
    expect(runs).toEqual([]);
    const reason = 'rollback of a failed stack update (stack UPDATE_ROLLBACK_IN_PROGRESS): nothing ran, nothing changed';
    expect(sent.map((s) => s.body)).toEqual([{ Status: 'SUCCESS', Reason: reason, ...common, Data: idleData('123456789012', 'rollback', reason) }]);
  });

  test('succeeds even when the old properties would now be refused', async () => {
    const { handler, sent, runs } = harness(mustNotRun, { stackStatus: async () => 'UPDATE_ROLLBACK_IN_PROGRESS' });
    await handler(event('Update', { ...PROPERTIES, Mode: 'destroy', EngineVersion: 'abcdef0123456789' }), context());
    expect(runs).toEqual([]);
    expect(sent[0]!.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'ctl-departure-123456789012' });
  });

  test.each([
    ['UPDATE_IN_PROGRESS', 'forward'],
    ['UPDATE_ROLLBACK_IN_PROGRESS', 'rollback'],
    ['IMPORT_ROLLBACK_IN_PROGRESS', 'rollback'],
    ['UPDATE_COMPLETE', 'forward'],
  ])('stack status %s is a %s update', (status, kind) => {
    expect(classifyUpdate(status).kind).toBe(kind);
  });

  test('a forward Update asks the stack status; Create and Delete do not', async () => {
    const { handler, statusAsked } = harness(async () => report('plan', []));
    await handler(event('Create'), context());
    await handler(event('Delete'), context());
    expect(statusAsked).toEqual([]);
    await handler(event('Update'), context());
    expect(statusAsked).toEqual([STACK_ID]);
  });
});

describe('an Update whose stack status cannot be read (it may be a rollback)', () => {
  const denied = async (): Promise<string> => {
    throw Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' });
  };
  const GUARD = 'could not tell whether this Update is a rollback (DescribeStacks failed: AccessDenied: User is not authorized to perform: cloudformation:DescribeStacks), so only a plan ran and nothing changed; give the function cloudformation:DescribeStacks on this stack, then update it again';

  test('runs a plan, never apply, and answers SUCCESS saying why', async () => {
    const { handler, sent, runs } = harness(async (options) => report(options.mode, [action('CTLDeveloperRole', 'planned')]), { stackStatus: denied });
    await handler(event('Update', { ...PROPERTIES, Mode: 'apply' }), context());
    expect(runs.map((r) => r.mode)).toEqual(['plan']);
    expect(sent[0]!.body).toEqual({ Status: 'SUCCESS', Reason: GUARD, ...common, Data: data('plan', { Delete: 1, Planned: 1 }) });
  });

  test('an engine error or a bad property still answers SUCCESS, with every output attribute', async () => {
    const failing = harness(async () => {
      throw new Error('boom');
    }, { stackStatus: denied });
    await failing.handler(event('Update'), context());
    const reason = `plan stopped: boom. Report: ${REPORT_AT}`;
    expect(failing.sent[0]!.body).toEqual({ Status: 'SUCCESS', Reason: `${GUARD}. ${reason}`, ...common, Data: idleData('123456789012', 'plan', reason) });

    const bad = harness(async () => report('plan', []), { stackStatus: denied });
    await bad.handler(event('Update', { ...PROPERTIES, KeepCamProvider: 'maybe' }), context());
    expect(bad.runs).toEqual([]);
    expect(bad.sent[0]!.body).toMatchObject({ Status: 'SUCCESS', Reason: `${GUARD}. bad property KeepCamProvider: must be "true" or "false", not "maybe"; nothing ran` });
  });

  test('the idle answer carries exactly the attributes of a real one', () => {
    expect(Object.keys(idleData('1', 'rollback', 'x')).sort()).toEqual(Object.keys(responseData(report('plan', []), 'x')).sort());
  });
});

describe('the handler does not trust its event', () => {
  test('an unknown RequestType answers FAILED and runs nothing', async () => {
    const { handler, sent, runs, statusAsked } = harness(async () => report('apply', []));
    await handler({ ...event('Update'), RequestType: 'Upsert' } as never, context());
    expect(runs).toEqual([]);
    expect(statusAsked).toEqual([]);
    expect(sent[0]!.body).toEqual({ Status: 'FAILED', Reason: 'unknown RequestType "Upsert": CloudFormation sends Create, Update or Delete; nothing ran', ...common });
  });

  test('a StackId that is not a stack ARN answers FAILED and runs nothing', async () => {
    const { handler, sent, runs } = harness(async () => report('plan', []));
    await handler({ ...event('Create'), StackId: 'ProviderDeparture' }, context());
    expect(runs).toEqual([]);
    expect(sent[0]!.body).toMatchObject({ Status: 'FAILED', Reason: 'bad request: StackId "ProviderDeparture" is not a CloudFormation stack ARN; nothing ran' });
  });

  test('an unknown property answers FAILED naming it', async () => {
    const { handler, sent, runs } = harness(async () => report('plan', []));
    await handler(event('Create', { ...PROPERTIES, Prefix: 'CTL' }), context());
    expect(runs).toEqual([]);
    expect(String(sent[0]!.body.Reason)).toMatch(/^bad property Prefix: unknown property; the known properties are ServiceToken, ServiceTimeout, Mode, /);
  });

  const http = 'http://127.0.0.1:8080/cloudformation_us-east-1/cfnresponse?stack=x';
  test.each([
    ['http without the rehearsal switch', http, {}],
    ['http with the switch, inside Lambda', http, { [ALLOW_LOOPBACK_HTTP_ENV]: '1', AWS_LAMBDA_FUNCTION_NAME: 'f' }],
    ['http with the switch, to a host that is not loopback', 'http://example.com/answer', { [ALLOW_LOOPBACK_HTTP_ENV]: '1' }],
    ['https to a host outside AWS', 'https://example.com/answer', {}],
  ])('%s: no answer is sent and nothing runs', async (_what, url, env) => {
    const { handler, sent, runs, logs } = harness(async () => report('plan', []), { env });
    await handler({ ...event('Create'), ResponseURL: url }, context());
    expect(runs).toEqual([]);
    expect(sent).toEqual([]);
    expect(logs).toEqual([expect.objectContaining({ message: 'not answering', reason: expect.stringMatching(/^ResponseURL .*; nothing ran$/) })]);
  });

  test('a rehearsal outside Lambda may answer over http to loopback', async () => {
    const { handler, sent } = harness(async () => report('plan', []), { env: { [ALLOW_LOOPBACK_HTTP_ENV]: '1' } });
    await handler({ ...event('Create'), ResponseURL: http }, context());
    expect(sent.map((s) => [s.url, s.body.Status])).toEqual([[http, 'SUCCESS']]);
  });
});
