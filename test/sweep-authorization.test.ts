/**
 * The sweep's IAM permissions (each kind's declaration, SWEEP_PERMISSIONS) allow every call the sweep makes, in every
 * region, on a recorded plan and apply against strict moto, evaluated by a real IAM policy evaluator; and every action
 * they grant is needed by some recorded call. The removal permissions carry their own feature, so a deployment that
 * only reads can leave them out: without them, every read is still allowed and every change denied.
 */
import { AccessAnalyzerClient, CreateAnalyzerCommand } from '@aws-sdk/client-accessanalyzer';
import { CreateRepositoryCommand, ECRClient, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createClients } from '../lambda/engine/aws';
import { resolveConfig } from '../lambda/engine/config';
import { SWEEP_CONFIG_CHECKS } from '../lambda/engine/sweep-config';
import { isReadOperation } from '../lambda/engine/aws';
import { expandTemplate, mergePermissions, type Permission } from '../lambda/engine/permissions';
import { runDeparture } from '../lambda/engine/run';
import { createSweep, SWEEP_PERMISSIONS } from '../lambda/resources/sweep';
import { CallRecorder, type RecordedCall } from './support/call-recorder';
import { describeRequest, simulate, type IamRequest, type ResolvedRole } from './support/iam-sim';
import { requestsFor } from './support/iam-requests';
import { motoSuite } from './support/moto-suite';
import { ACCOUNT, PARTNER, PROVIDER, PROVIDER_ORG, seedEveryKind } from './support/sweep-seed';

jest.setTimeout(240_000);
const moto = motoSuite();
const REGIONS = ['us-east-1', 'eu-west-1'];

function roleWith(permissions: readonly Permission[]): ResolvedRole {
  const values = { partition: 'aws', account: ACCOUNT, prefix: ['CTL'], bucket: [`config-bucket-${ACCOUNT}`, `ctlaudit-${ACCOUNT}`], oidcFragment: [] };
  const Statement = mergePermissions(permissions).map((p) => ({ Sid: p.sid, Effect: 'Allow', Action: [...p.actions], Resource: p.resources.flatMap((r) => expandTemplate(r, values)) }));
  return { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ctl-departure/cli`, accountId: ACCOUNT, policies: [{ name: 'Sweep', policy: { Version: '2012-10-17', Statement } }] };
}

/** The calls of the sweep: every call of a client made for a region, and S3's list and bucket policies of customer buckets. */
/** Core discovery's regional reads (the provider's automation, in every region too): the cleanup's permissions, not the sweep's. */
const CORE_ONLY = /^(config|cloudtrail):|^events:(ListRules|ListTargetsByRule)$/;
const isSweepCall = (call: RecordedCall) =>
  CORE_ONLY.test(`${call.client}:${call.operation}`) ? false :
  call.region !== undefined || (call.client === 's3' && (call.operation === 'ListBuckets' || (/BucketPolicy$/.test(call.operation) && !/^(config-bucket|ctlaudit)-/.test(String(call.input.Bucket)))));

/**
 * A KMS key authorizes a caller's IAM policies only when its key policy lets the account's IAM policies in (KMS
 * Developer Guide, "Default key policy": the statement for the account's root): the sweep's keys are evaluated under it.
 */
const KEY_POLICY = { Version: '2012-10-17', Statement: [{ Sid: 'Enable IAM policies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] };
const check = (role: ResolvedRole, request: IamRequest) => simulate(role, request, request.action.startsWith('kms:') && request.resource !== '*' ? KEY_POLICY : undefined);

let recorded: { call: RecordedCall; requests: IamRequest[] }[];
/** Calls that no rule maps to IAM requests: each must get one (test/support/iam-requests.ts). */
const unmapped: string[] = [];

beforeAll(async () => {
  moto();
  for (const region of REGIONS) await seedEveryKind(region);
  await new AccessAnalyzerClient({ region: 'us-east-1' }).send(new CreateAnalyzerCommand({ analyzerName: 'account', type: 'ACCOUNT' }));
  // The other outcome of the kinds that either rewrite or delete a policy: a bucket and a repository of the provider
  // alone (deleted), a secret shared with another account (rewritten).
  const only = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Provider', Effect: 'Allow', Principal: { AWS: PROVIDER }, Action: '*', Resource: '*' }] });
  const s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'provider-drop' }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'provider-drop', Policy: only.replace('"Resource":"*"', '"Resource":"arn:aws:s3:::provider-drop/*"') }));
  const ecr = new ECRClient({ region: 'us-east-1' });
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'provider-only' }));
  await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'provider-only', policyText: only.replace('"Action":"*","Resource":"*"', '"Action":"ecr:BatchGetImage"') }));
  const secrets = new SecretsManagerClient({ region: 'us-east-1' });
  const { ARN } = await secrets.send(new CreateSecretCommand({ Name: 'shared-token', SecretString: 'x' }));
  await secrets.send(new PutResourcePolicyCommand({ SecretId: ARN, ResourcePolicy: only.replace(`"AWS":"${PROVIDER}"`, `"AWS":["${PROVIDER}","${PARTNER}"]`) }));
  const recorder = new CallRecorder();
  const clients = createClients({ maxAttempts: 2 });
  recorder.attachAll(clients);
  const config = resolveConfig({ providerOrganizationIds: [PROVIDER_ORG], providerAccountIds: [PROVIDER], resourcePolicies: { remove: true }, regions: REGIONS }, SWEEP_CONFIG_CHECKS);
  const sweep = createSweep({ regions: async () => ({ regions: REGIONS }) });
  for (const mode of ['plan', 'apply'] as const) {
    const report = await runDeparture({ mode, config, clients, sweep });
    expect(report.actions.filter((a) => a.status === 'failed').map((a) => a.error)).toEqual([]);
  }
  const context = { partition: 'aws', accountId: ACCOUNT, paths: new Map() };
  recorded = [];
  for (const call of recorder.calls.filter(isSweepCall)) {
    try {
      recorded.push({ call, requests: await requestsFor(call, { ...context, region: call.region ?? 'us-east-1' }) });
    } catch (error) {
      unmapped.push(`${call.client}:${call.operation} ${JSON.stringify(call.input).slice(0, 200)}: ${(error as Error).message}`);
    }
  }
});
// The suite's reset runs before each test: the recording above is all these tests read.

test('every recorded call maps to the IAM requests it makes', () => {
  expect([...new Set(unmapped)]).toEqual([]);
});

test('the recording holds a read and a change of every service the sweep covers, in both regions', () => {
  const seen = new Set(recorded.map(({ call }) => `${call.client}:${call.operation}`));
  for (const expected of ['kms:PutKeyPolicy', 'sns:SetTopicAttributes', 'sqs:SetQueueAttributes', 'lambda:RemovePermission', 'lambda:RemoveLayerVersionPermission', 'secretsmanager:DeleteResourcePolicy', 'secretsmanager:PutResourcePolicy', 'ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy', 's3:DeleteBucketPolicy', 'events:RemovePermission', 'ec2:ModifySnapshotAttribute', 'ec2:ModifyImageAttribute', 'ram:DisassociateResourceShare', 's3:PutBucketPolicy', 'accessanalyzer:ListFindings']) {
    expect({ expected, seen: seen.has(expected) }).toEqual({ expected, seen: true });
  }
  expect(new Set(recorded.filter(({ call }) => call.region).map(({ call }) => call.region))).toEqual(new Set(REGIONS));
});

test('every recorded call is allowed by the sweep\'s declared permissions', async () => {
  const role = roleWith(SWEEP_PERMISSIONS);
  const denied: string[] = [];
  for (const { requests } of recorded) {
    for (const request of requests) if (!(await check(role, request)).allowed) denied.push(describeRequest(request));
  }
  expect(denied).toEqual([]);
});

test('without the resourcePolicyRemoval feature every read is allowed and every change denied', async () => {
  const role = roleWith(SWEEP_PERMISSIONS.filter((p) => p.feature === undefined));
  const wrong: string[] = [];
  for (const { call, requests } of recorded) {
    for (const request of requests) {
      const allowed = (await check(role, request)).allowed;
      if (allowed !== isReadOperation(call.operation)) wrong.push(`${allowed ? 'allowed' : 'denied'}: ${describeRequest(request)}`);
    }
  }
  expect(wrong).toEqual([]);
});

test('every action the sweep declares is needed by a recorded call', () => {
  const used = new Set(recorded.flatMap(({ requests }) => requests.map((r) => r.action)));
  const unused = SWEEP_PERMISSIONS.flatMap((p) => p.actions).filter((action) => !used.has(action));
  expect(unused).toEqual([]);
});
