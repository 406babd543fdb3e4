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
