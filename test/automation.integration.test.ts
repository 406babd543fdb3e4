/** The provider's automation outside IAM against moto: flagged by default, deleted kind by kind on request. */
import { CloudTrailClient, CreateTrailCommand, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigRulesCommand,
  PutConfigRuleCommand,
  PutConfigurationRecorderCommand,
  PutRemediationConfigurationsCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import { EventBridgeClient, ListRulesCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { MiddlewareStack } from '@smithy/types';
import { createClients } from '../lambda/engine/aws';
import { resolveConfig } from '../lambda/engine/config';
import { runDeparture } from '../lambda/engine/run';
import { run, testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';
import { trustPolicy } from './support/reference-account';

const ACCOUNT = '123456789012';
motoSuite();

const region = { region: 'us-east-1' };

/** A ZIP holding an empty index.js: moto stores the code without running it. */
const EMPTY_ZIP = Buffer.from('UEsDBAoAAAAAAAAAIQAAAAAAAAAAAAAAAAAIAAAAaW5kZXguanNQSwECFAAKAAAAAAAAACEAAAAAAAAAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAAAaW5kZXguanNQSwUGAAAAAAEAAQA2AAAAJgAAAAAA', 'base64');

beforeEach(async () => {
  const role = await testIamClient().send(new CreateRoleCommand({ RoleName: 'CTLAccountControlsLambdaRole', AssumeRolePolicyDocument: trustPolicy({ Service: 'lambda.amazonaws.com' }) }));
  const fn = await new LambdaClient(region).send(new CreateFunctionCommand({ FunctionName: 'AccountControls', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: role.Role!.Arn, Code: { ZipFile: EMPTY_ZIP } }));
  const events = new EventBridgeClient(region);
  await events.send(new PutRuleCommand({ Name: 'every-hour', ScheduleExpression: 'rate(1 hour)' }));
  await events.send(new PutTargetsCommand({ Rule: 'every-hour', Targets: [{ Id: 'controls', Arn: fn.FunctionArn }] }));
  const s3 = new S3Client({ ...region, forcePathStyle: true });
  for (const bucket of [`config-bucket-${ACCOUNT}`, `ctlaudit-${ACCOUNT}`]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const config = new ConfigServiceClient(region);
  await config.send(new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: 'default', roleARN: role.Role!.Arn } }));
  await config.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: `config-bucket-${ACCOUNT}` } }));
  await config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
  await new CloudTrailClient(region).send(new CreateTrailCommand({ Name: 'audit', S3BucketName: `ctlaudit-${ACCOUNT}` }));
});

const AUTOMATION = ['lambda:function', 'events:rule', 'config:recorder', 'cloudtrail:trail'];

test('is flagged by default, with what makes it the provider\'s, and left running', async () => {
  const { report } = await run('apply');
  const flagged = report.actions.filter((a) => AUTOMATION.includes(a.resource));
  expect(flagged.map((a) => `${a.resource} ${a.name} ${a.action}`).sort()).toEqual([
    'cloudtrail:trail audit flag',
    'config:recorder default flag',
    'events:rule every-hour flag',
    'lambda:function AccountControls flag',
  ]);
  expect((await new LambdaClient(region).send(new ListFunctionsCommand({}))).Functions).toHaveLength(1);
  expect(report.warnings).toEqual([]);
});

test('each kind is deleted when asked, rules before the functions they trigger', async () => {
  const deleteAll = { lambdaFunctions: true, eventRules: true, configRules: true, configRecorder: true, trails: true };
  const { report } = await run('apply', { deleteAutomation: deleteAll });
  expect(report.actions.filter((a) => AUTOMATION.includes(a.resource)).map((a) => a.status)).toEqual(['done', 'done', 'done', 'done']);
  expect((await new LambdaClient(region).send(new ListFunctionsCommand({}))).Functions).toEqual([]);
  expect((await new EventBridgeClient(region).send(new ListRulesCommand({}))).Rules).toEqual([]);
  expect((await new ConfigServiceClient(region).send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ?? []).toEqual([]);
  expect((await new CloudTrailClient(region).send(new DescribeTrailsCommand({}))).trailList).toEqual([]);
  const order = report.actions.filter((a) => a.resource === 'events:rule' || a.resource === 'lambda:function').map((a) => a.resource);
  expect(order).toEqual(['events:rule', 'lambda:function']);
  // A second apply has nothing left to do.
  expect((await run('apply', { deleteAutomation: deleteAll })).calls.mutating).toBe(0);
});

test('a provider Config rule with a remediation is deleted after its remediation (AWS refuses the rule first, as strict moto does)', async () => {
  const config = new ConfigServiceClient(region);
  await config.send(new PutConfigRuleCommand({ ConfigRule: { ConfigRuleName: 'CTLVersioning', Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_VERSIONING_ENABLED' } } }));
  await config.send(new PutRemediationConfigurationsCommand({ RemediationConfigurations: [{ ConfigRuleName: 'CTLVersioning', TargetType: 'SSM_DOCUMENT', TargetId: 'AWS-EnableS3BucketVersioning' }] }));
  const { report } = await run('apply', { deleteAutomation: { configRules: true } });
  expect(report.actions.find((a) => a.resource === 'config:rule')).toMatchObject({
    name: 'CTLVersioning',
    status: 'done',
    steps: [expect.objectContaining({ call: 'DeleteRemediationConfiguration', status: 'done' }), expect.objectContaining({ call: 'DeleteConfigRule', status: 'done' })],
  });
  expect((await config.send(new DescribeConfigRulesCommand({}))).ConfigRules ?? []).toEqual([]);
});

describe('in every enabled region', () => {
  const west = { region: 'eu-west-1' };
  beforeEach(async () => {
    // A provider function and Config rule in eu-west-1, and that region's own recorder, which writes to a customer bucket.
    const role = `arn:aws:iam::${ACCOUNT}:role/CTLAccountControlsLambdaRole`;
    await new LambdaClient(west).send(new CreateFunctionCommand({ FunctionName: 'CTLReporter', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: role, Code: { ZipFile: EMPTY_ZIP } }));
    const config = new ConfigServiceClient(west);
    await config.send(new PutConfigRuleCommand({ ConfigRule: { ConfigRuleName: 'CTLRequireMfa', Source: { Owner: 'AWS', SourceIdentifier: 'IAM_USER_MFA_ENABLED' } } }));
    await new S3Client({ ...west, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: 'customer-config', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await config.send(new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: 'default', roleARN: role } }));
    await config.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: 'customer-config' } }));
  });

  const regional = (actions: readonly { resource: string; name: string; region?: string; action: string }[]) =>
    actions.filter((a) => AUTOMATION.includes(a.resource) || a.resource === 'config:rule').map((a) => `${a.resource} ${a.name} ${a.region} ${a.action}`).sort();

  test('each item is found in its own region, and its action and steps name that region', async () => {
    const { report } = await run('plan', { deleteAutomation: { lambdaFunctions: true, configRules: true } });
    expect(regional(report.actions)).toEqual([
      'cloudtrail:trail audit us-east-1 flag',
      'config:recorder default eu-west-1 skip',
      'config:recorder default us-east-1 flag',
      'config:rule CTLRequireMfa eu-west-1 delete',
      'events:rule every-hour us-east-1 flag',
      'lambda:function AccountControls us-east-1 delete',
      'lambda:function CTLReporter eu-west-1 delete',
    ]);
    const reporter = report.actions.find((a) => a.name === 'CTLReporter')!;
    expect(reporter.steps).toEqual([expect.objectContaining({ service: 'lambda', call: 'DeleteFunction', input: { FunctionName: 'CTLReporter' }, region: 'eu-west-1' })]);
    expect(report.warnings).toEqual([]);
  });

  test('apply deletes each in its own region, and nothing in the others', async () => {
    const { report } = await run('apply', { deleteAutomation: { lambdaFunctions: true, configRules: true } });
    expect(report.actions.filter((a) => a.action === 'delete' && a.status !== 'done')).toEqual([]);
    expect((await new LambdaClient(west).send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    expect((await new LambdaClient(region).send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    expect((await new ConfigServiceClient(west).send(new DescribeConfigRulesCommand({}))).ConfigRules ?? []).toEqual([]);
    expect((await new ConfigServiceClient(west).send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders).toHaveLength(1);
    // A second apply finds nothing left in any region.
    expect((await run('apply', { deleteAutomation: { lambdaFunctions: true, configRules: true } })).calls.mutating).toBe(0);
  });

  test('config "regions" narrows the search to the regions it names', async () => {
    const { report } = await run('plan', { regions: ['us-east-1'] });
    expect(regional(report.actions).filter((line) => line.includes('eu-west-1'))).toEqual([]);
    expect(report.actions.find((a) => a.name === 'AccountControls')).toMatchObject({ region: 'us-east-1', action: 'flag' });
    const named = await run('plan', { regions: ['eu-west-1', 'ap-east-1'] });
    expect(regional(named.report.actions).every((line) => line.includes(' eu-west-1 '))).toBe(true);
    expect(named.report.warnings).toEqual(["ap-east-1 of config \"regions\" not enabled in this account: the provider's automation was looked for in eu-west-1 only"]);
  });

  test('a region whose lister fails is a warning naming the region and the error; the other regions, and the run, go on', async () => {
    const clients = createClients({ maxAttempts: 1 });
    (clients.inRegion('eu-west-2').lambda.middlewareStack as MiddlewareStack<object, object>).add(
      () => async () => {
        throw Object.assign(new Error('not authorized to perform: lambda:ListFunctions'), { name: 'AccessDeniedException' });
      },
      { step: 'initialize', name: 'deniedInEuWest2' },
    );
    const report = await runDeparture({ mode: 'plan', config: resolveConfig({}), clients });
    expect(report.warnings).toEqual(["could not list Lambda functions in eu-west-2 (AccessDeniedException): the provider's automation there is not reviewed"]);
    expect(report.actions.find((a) => a.name === 'CTLReporter')).toMatchObject({ region: 'eu-west-1', action: 'flag' });
  });
});
