/**
 * The sweep stack's synthesized role (lib/sweep-stack.ts), evaluated by a real IAM policy evaluator against every call
 * its run makes (the sweep alone, `createSweep({ only: true })`: IAM discovery, the sweep's reads in every region, the
 * enabled regions, and the removals), recorded against strict moto. Built with removal, every call is allowed; built
 * without, every read is allowed and every change denied.
 */
import { AccessAnalyzerClient, CreateAnalyzerCommand } from '@aws-sdk/client-accessanalyzer';
import { createClients, isReadOperation } from '../lambda/engine/aws';
import { resolveConfig } from '../lambda/engine/config';
import { runDeparture } from '../lambda/engine/run';
import { SWEEP_CONFIG_CHECKS } from '../lambda/engine/sweep-config';
import { createSweep } from '../lambda/resources/sweep';
import { CallRecorder } from './support/call-recorder';
import { describeRequest, rolePolicies, simulate, type IamRequest, type ResolvedRole, type Template } from './support/iam-sim';
import { requestsFor } from './support/iam-requests';
import { motoSuite } from './support/moto-suite';
import { ACCOUNT, PROVIDER, PROVIDER_ORG, seedEveryKind } from './support/sweep-seed';
import { synthSweepStack } from './support/synth';

jest.setTimeout(240_000);
const moto = motoSuite();
const REGIONS = ['us-east-1', 'eu-west-1'];

/** KMS authorizes IAM policies only under a key policy that lets the account's IAM policies in (see sweep-authorization). */
const KEY_POLICY = { Version: '2012-10-17', Statement: [{ Sid: 'Enable IAM policies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] };
const check = (role: ResolvedRole, request: IamRequest) => simulate(role, request, request.action.startsWith('kms:') && request.resource !== '*' ? KEY_POLICY : undefined);

const roleOf = (sweep: unknown) => rolePolicies(synthSweepStack(sweep).artifact.template as Template, { accountId: ACCOUNT, stackName: 'ProviderDepartureSweep', physicalIds: { 'AWS::Logs::LogGroup': 'sweep-logs' } });

let recorded: { operation: string; requests: IamRequest[] }[];
const unmapped: string[] = [];

beforeAll(async () => {
  moto();
  for (const region of REGIONS) await seedEveryKind(region);
  await new AccessAnalyzerClient({ region: 'us-east-1' }).send(new CreateAnalyzerCommand({ analyzerName: 'account', type: 'ACCOUNT' }));
  const recorder = new CallRecorder();
  const clients = createClients({ maxAttempts: 2 });
  recorder.attachAll(clients);
  // Discovery lists the enabled regions (Account ListRegions) on every run; these runs sweep two of them.
  const sweep = createSweep({ only: true, regions: async () => ({ regions: REGIONS }) });
  const input = { prefixes: ['CTL'], providerOrganizationIds: [PROVIDER_ORG], providerAccountIds: [PROVIDER] };
  const plan = await runDeparture({ mode: 'plan', config: resolveConfig(input, SWEEP_CONFIG_CHECKS), clients, sweep });
  // The sweep alone: no IAM, bucket or automation action is reported.
  expect(plan.actions.filter((a) => !/^(kms|s3|sns|sqs|lambda|secretsmanager|ecr|events|ec2|ram|accessanalyzer|account):/.test(a.resource) || a.resource === 's3:bucket')).toEqual([]);
  const apply = await runDeparture({ mode: 'apply', config: resolveConfig({ ...input, resourcePolicies: { remove: true } }, SWEEP_CONFIG_CHECKS), clients, sweep });
  expect(apply.actions.filter((a) => a.status === 'failed').map((a) => a.error)).toEqual([]);
  expect(apply.summary.done).toBeGreaterThan(0);
  recorded = [];
  for (const call of recorder.calls) {
    try {
      recorded.push({ operation: call.operation, requests: await requestsFor(call, { partition: 'aws', accountId: ACCOUNT, paths: new Map(), region: call.region ?? 'us-east-1' }) });
    } catch (error) {
      unmapped.push(`${call.client}:${call.operation}: ${(error as Error).message}`);
    }
  }
});

test('every recorded call maps to the IAM requests it makes, IAM discovery and the enabled regions among them', () => {
  expect([...new Set(unmapped)]).toEqual([]);
  const actions = new Set(recorded.flatMap(({ requests }) => requests.map((r) => r.action)));
  for (const expected of ['iam:GetAccountAuthorizationDetails', 'account:ListRegions', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy', 'sns:SetTopicAttributes']) expect([expected, actions.has(expected)]).toEqual([expected, true]);
  // Never a bucket, automation or readiness read: the cleanup stack owns those.
  expect([...actions].filter((a) => /^(cloudtrail|config):|^s3:ListBucketVersions$|^iam:GetAccountSummary$/.test(a))).toEqual([]);
});

test('built with removal, the stack allows every call of the run', async () => {
  const role = roleOf('{"remove":true}');
  const denied: string[] = [];
  for (const { requests } of recorded) for (const request of requests) if (!(await check(role, request)).allowed) denied.push(describeRequest(request));
  expect(denied).toEqual([]);
});

test('built without removal, every read is allowed and every change denied', async () => {
  const role = roleOf('true');
  const wrong: string[] = [];
  for (const { operation, requests } of recorded) {
    for (const request of requests) {
      const allowed = (await check(role, request)).allowed;
      if (allowed !== isReadOperation(operation)) wrong.push(`${allowed ? 'allowed' : 'denied'}: ${describeRequest(request)}`);
    }
  }
  expect(wrong).toEqual([]);
});

test('built with the removal of one service, only that service changes', async () => {
  const role = roleOf('{"remove":{"kms":true}}');
  const wrong: string[] = [];
  for (const { operation, requests } of recorded) {
    for (const request of requests) {
      const allowed = (await check(role, request)).allowed;
      if (allowed !== (isReadOperation(operation) || request.action.startsWith('kms:'))) wrong.push(`${allowed ? 'allowed' : 'denied'}: ${describeRequest(request)}`);
    }
  }
  expect(wrong).toEqual([]);
});
