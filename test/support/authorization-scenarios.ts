/**
 * Realistic accounts for the IAM authorization test, run through the engine (plan, then apply) against strict moto
 * while every SDK call is recorded: one scenario per kind of work the stack's role must be allowed to do.
 */
import {
  AddRoleToInstanceProfileCommand,
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreateLoginProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
    UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
} from '@aws-sdk/client-iam';
import { ConfigServiceClient, PutConfigRuleCommand, PutRemediationConfigurationsCommand } from '@aws-sdk/client-config-service';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, PutBucketPolicyCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import type { MiddlewareStack } from '@smithy/types';
import { createClients, type AwsClients } from '../../lambda/engine/aws';
import { resolveConfig } from '../../lambda/engine/config';
import { runDeparture } from '../../lambda/engine/run';
import { createHandler } from '../../lambda/handler';
import { saveReportToBucket } from '../../lambda/report-upload';
import { configBucketPolicy } from '../fixtures/config-bucket-policy';
import { CERTIFICATE, SSH_KEY } from '../fixtures/credentials';
import { CallRecorder, type RecordedCall } from './call-recorder';
import { seedReferenceAccount, trustPolicy } from './reference-account';

export const ACCOUNT = '123456789012';
export const CONFIG_BUCKET = `config-bucket-${ACCOUNT}`;
export const AUDIT_BUCKET = `ctlaudit-${ACCOUNT}`;
export const ARCHIVE = 'customer-archive';
export const REPORT_BUCKET = 'org-departure-reports';
export const BATCH_ROLE = `arn:aws:iam::${ACCOUNT}:role/s3-batch-copy`;

const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}';
const SAML_METADATA = '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"></md:EntityDescriptor>';
const policyArn = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:policy${path}${name}`;

/** The outcome of one scenario: every call, and whether any step failed (a failed step may hide later calls). */
export interface Recording {
  readonly calls: readonly RecordedCall[];
  readonly failedSteps: readonly string[];
}

/**
 * The reference account plus every kind of provider identity: roles with instance profiles (theirs and a customer's),
 * inline and managed (customer-, provider- and AWS-managed) policies, a policy with several versions, entities under
 * paths, users with every credential moto can create, groups with members, SAML and OIDC providers, and provider
 * policies attached to customer principals.
 */
export async function seedEveryIdentityKind(iam: IAMClient): Promise<void> {
  await seedReferenceAccount(iam, ACCOUNT);
  const send = iam.send.bind(iam) as (command: unknown) => Promise<unknown>;
  // A provider role under a path, with an inline policy, a provider policy under a path, an AWS-managed policy, and
  // its own instance profile under a path.
  await send(new CreateRoleCommand({ RoleName: 'CTLPathRole', Path: '/ctl/', AssumeRolePolicyDocument: trustPolicy({ AWS: 'arn:aws:iam::589942003651:root' }) }));
  await send(new PutRolePolicyCommand({ RoleName: 'CTLPathRole', PolicyName: 'CTLInline', PolicyDocument: DOC }));
  await send(new CreatePolicyCommand({ PolicyName: 'CTLPathPolicy', Path: '/ctl/', PolicyDocument: DOC }));
  await send(new AttachRolePolicyCommand({ RoleName: 'CTLPathRole', PolicyArn: policyArn('CTLPathPolicy', '/ctl/') }));
  await send(new AttachRolePolicyCommand({ RoleName: 'CTLPathRole', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
  await send(new CreateInstanceProfileCommand({ InstanceProfileName: 'CTLPathProfile', Path: '/ctl/' }));
  await send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'CTLPathProfile', RoleName: 'CTLPathRole' }));
  // A provider role in a customer's instance profile: it leaves the profile, which stays.
  await send(new CreateInstanceProfileCommand({ InstanceProfileName: 'customer-profile' }));
  await send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'customer-profile', RoleName: 'CTLCloudOptimization' }));
  // A provider policy with several versions, the default not the newest.
  await send(new CreatePolicyCommand({ PolicyName: 'CTLVersioned', PolicyDocument: DOC }));
  for (let v = 2; v <= 4; v++) await send(new CreatePolicyVersionCommand({ PolicyArn: policyArn('CTLVersioned'), SetAsDefault: v === 3, PolicyDocument: DOC }));
  // Provider policies attached to customer principals that stay.
  await send(new CreateUserCommand({ UserName: 'alice' }));
  await send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: policyArn('CTLCustomerPolicy') }));
  await send(new AttachRolePolicyCommand({ RoleName: 'app-server', PolicyArn: policyArn('CTLCustomerPolicy') }));

  // A provider user with every credential kind moto can create, in a provider group and a customer group.
  await send(new CreateUserCommand({ UserName: 'CTLSupport' }));
  await send(new CreateAccessKeyCommand({ UserName: 'CTLSupport' }));
  await send(new CreateLoginProfileCommand({ UserName: 'CTLSupport', Password: 'Passw0rd!Passw0rd!' }));
  const device = (await send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'CTLSupport-mfa' }))) as { VirtualMFADevice?: { SerialNumber?: string } };
  await send(new EnableMFADeviceCommand({ UserName: 'CTLSupport', SerialNumber: device.VirtualMFADevice!.SerialNumber!, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
  await send(new UploadSigningCertificateCommand({ UserName: 'CTLSupport', CertificateBody: CERTIFICATE }));
  await send(new UploadSSHPublicKeyCommand({ UserName: 'CTLSupport', SSHPublicKeyBody: SSH_KEY }));
  await send(new PutUserPolicyCommand({ UserName: 'CTLSupport', PolicyName: 'inline', PolicyDocument: DOC }));
  await send(new CreatePolicyCommand({ PolicyName: 'CTLOperatorsPolicy', PolicyDocument: DOC }));
  await send(new AttachUserPolicyCommand({ UserName: 'CTLSupport', PolicyArn: policyArn('CTLOperatorsPolicy') }));
  // AWS-managed policies on a provider user and group: only the provider-name statements may detach them.
  await send(new AttachUserPolicyCommand({ UserName: 'CTLSupport', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
  // A CAM provider user, kept, that loses its Optimization tag.
  await send(new CreateUserCommand({ UserName: 'CTLCAMUser', Tags: [{ Key: 'Optimization', Value: 'true' }] }));
  await send(new AttachUserPolicyCommand({ UserName: 'CTLCAMUser', PolicyArn: policyArn('CTLCAMPolicy') }));
  // A provider user under a path.
  await send(new CreateUserCommand({ UserName: 'CTLBot', Path: '/ctl/' }));
  await send(new CreateAccessKeyCommand({ UserName: 'CTLBot' }));
  // A provider group with inline and managed policies and members that go and stay.
  await send(new CreateGroupCommand({ GroupName: 'CTLOperators' }));
  await send(new PutGroupPolicyCommand({ GroupName: 'CTLOperators', PolicyName: 'inline', PolicyDocument: DOC }));
  await send(new AttachGroupPolicyCommand({ GroupName: 'CTLOperators', PolicyArn: policyArn('CTLOperatorsPolicy') }));
  await send(new AttachGroupPolicyCommand({ GroupName: 'CTLOperators', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
  for (const member of ['CTLSupport', 'developers-user', 'CTLBot']) await send(new AddUserToGroupCommand({ GroupName: 'CTLOperators', UserName: member }));
  await send(new AddUserToGroupCommand({ GroupName: 'Developers', UserName: 'CTLSupport' }));
  // Federation: the provider's and the customer's.
  await send(new CreateSAMLProviderCommand({ Name: 'CTLSaml', SAMLMetadataDocument: SAML_METADATA }));
  await send(new CreateSAMLProviderCommand({ Name: 'CustomerOkta', SAMLMetadataDocument: SAML_METADATA }));
  await send(new CreateOpenIDConnectProviderCommand({ Url: 'https://auth.ctl.io', ThumbprintList: ['a'.repeat(40)], ClientIDList: ['cam'] }));
  await send(new CreateOpenIDConnectProviderCommand({ Url: 'https://token.actions.githubusercontent.com', ThumbprintList: ['b'.repeat(40)], ClientIDList: ['sts.amazonaws.com'] }));
  await send(new CreateRoleCommand({ RoleName: 'saml-admins', AssumeRolePolicyDocument: trustPolicy({ Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/CTLSaml` }) }));
  // The provider's automation outside IAM, which discovery reads (and the stack only flags): a scheduled rule.
  const events = new EventBridgeClient({ region: 'us-east-1' });
  await events.send(new PutRuleCommand({ Name: 'CTLAccountControlsSchedule', ScheduleExpression: 'rate(1 hour)' }));
  await events.send(new PutTargetsCommand({ Rule: 'CTLAccountControlsSchedule', Targets: [{ Id: 'controls', Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:CTLAccountControls` }] }));
  // A Config rule with a remediation: discovery reads which rules have one.
  const config = new ConfigServiceClient({ region: 'us-east-1' });
  await config.send(new PutConfigRuleCommand({ ConfigRule: { ConfigRuleName: 'CTLVersioning', Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_VERSIONING_ENABLED' } } }));
  await config.send(new PutRemediationConfigurationsCommand({ RemediationConfigurations: [{ ConfigRuleName: 'CTLVersioning', TargetType: 'SSM_DOCUMENT', TargetId: 'AWS-EnableS3BucketVersioning' }] }));
}

/**
 * The provider buckets as the integration tests seed them: the config bucket (versioned, tagged objects with metadata,
 * one key with two versions, one object over the multipart threshold, a policy with a provider statement), the audit
 * bucket, and the customer's versioned archive bucket.
 */
export async function seedBuckets(s3: S3Client, options: { bigObject?: boolean; objects?: number } = {}): Promise<void> {
  for (const Bucket of [CONFIG_BUCKET, AUDIT_BUCKET, ARCHIVE, REPORT_BUCKET]) await s3.send(new CreateBucketCommand({ Bucket }));
  for (const Bucket of [CONFIG_BUCKET, ARCHIVE]) await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  for (let i = 0; i < (options.objects ?? 3); i++) {
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: `AWSLogs/${ACCOUNT}/Config/item-${i}.json`, Body: `{"item":${i}}`, ContentType: 'application/json', Metadata: { origin: 'aws-config' }, Tagging: 'kind=snapshot' }));
  }
  await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: `AWSLogs/${ACCOUNT}/Config/item-0.json`, Body: '{"item":0,"v":2}', Tagging: 'kind=snapshot' }));
  if (options.bigObject) {
    await s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: 'big/snapshot bin', Body: Buffer.alloc(6 * 1024 ** 2, 7), Metadata: { origin: 'aws-config' }, Tagging: 'kind=big' }));
  }
  await s3.send(new PutObjectCommand({ Bucket: AUDIT_BUCKET, Key: 'trail/log.json', Body: '{}' }));
  // The audit bucket's policy is the provider's alone: it goes whole (DeleteBucketPolicy).
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: AUDIT_BUCKET,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'ProviderAudit', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::589942003651:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${AUDIT_BUCKET}/*` }],
      }),
    }),
  );
  await s3.send(new PutBucketPolicyCommand({ Bucket: CONFIG_BUCKET, Policy: configBucketPolicy(CONFIG_BUCKET) }));
}

/** moto has no S3 Control jobs: the job calls are recorded (the recorder runs first), then answered here. */
function answerS3Control(clients: AwsClients): void {
  (clients.s3control.middlewareStack as MiddlewareStack<object, object>).add(
    (_next, context) => async () => {
      const operation = String(context.commandName).replace(/Command$/, '');
      const output = operation === 'CreateJob' ? { JobId: 'job-0001' } : operation === 'ListJobs' ? { Jobs: [] } : { Job: { JobId: 'job-0001', Status: 'Active' } };
      return { output: { ...output, $metadata: {} }, response: {} } as never;
    },
    { step: 'initialize', priority: 'low', name: 'iamSimFakeS3Control' },
  );
}

function recordingClients(recorder: CallRecorder): AwsClients {
  const clients = createClients({ maxAttempts: 2 });
  recorder.attachAll(clients);
  answerS3Control(clients);
  return clients;
}

const failures = (steps: { call: string; status: string; error?: string }[]) => steps.filter((s) => s.status === 'failed').map((s) => `${s.call}: ${s.error}`);

/** Plan, then apply, with the given config, recording every call of both. */
export async function recordPlanAndApply(config: object): Promise<Recording> {
  const recorder = new CallRecorder();
  const clients = recordingClients(recorder);
  const failedSteps: string[] = [];
  for (const mode of ['plan', 'apply'] as const) {
    const report = await runDeparture({ mode, config: resolveConfig(config), clients });
    failedSteps.push(...failures(report.actions.flatMap((a) => a.steps)));
  }
  return { calls: recorder.calls, failedSteps };
}

/** An apply through the real custom-resource handler, which also saves the report to the reports bucket. */
export async function recordHandlerWithReport(): Promise<Recording> {
  const recorder = new CallRecorder();
  const clients = recordingClients(recorder);
  const answers: string[] = [];
  const handler = createHandler({
    run: runDeparture,
    clients: () => clients,
    send: async (_url, body) => void answers.push(body),
    log: () => undefined,
    // The engine's recorded S3 client, so the report's PutObject is among the calls checked.
    saveReport: (bucket, report) => saveReportToBucket(clients.s3, bucket, report),
    // A Create never asks for the stack's status.
    stackStatus: async () => {
      throw new Error('a Create must not read the stack status');
    },
  });
  const event = {
    RequestType: 'Create',
    ServiceToken: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`,
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/answer',
    StackId: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/ProviderDeparture/5b5c8c40-0000-11ef-0000-0a1b2c3d4e5f`,
    RequestId: 'req-1',
    LogicalResourceId: 'DepartureRun',
    ResourceType: 'Custom::ProviderDeparture',
    ResourceProperties: { ServiceToken: 'f', Mode: 'apply', Prefixes: 'CTL', ReportBucket: REPORT_BUCKET },
  } as unknown as CloudFormationCustomResourceEvent;
  const context = { logGroupName: '/aws/lambda/f', logStreamName: 's', awsRequestId: 'r', getRemainingTimeInMillis: () => 600_000 } as unknown as Context;
  await handler(event, context);
  const answer = JSON.parse(answers[0] ?? '{}') as { Status?: string; Data?: { Report?: string } };
  // The report must really have been saved: otherwise the PutObject under test was never made.
  const saved = answer.Data?.Report === `s3://${REPORT_BUCKET}/reports/${ACCOUNT}.json`;
  return { calls: recorder.calls, failedSteps: saved ? [] : [`report not saved: ${answers[0]}`] };
}
