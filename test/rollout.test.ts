/** The rollout stack for the management account: one StackSet whose template body is the cleanup template. */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { addChecks } from '../bin/checks';
import { ConfigError } from '../lambda/engine/config';
import { synthesizeCleanup } from '../lib/cleanup-template';
import { readSettings } from '../lib/context';
import { readRollout, RolloutStack } from '../lib/rollout';

function synthRollout(rollout: object) {
  const app = new App();
  addChecks(app);
  const settings = readSettings(() => undefined);
  const cleanup = synthesizeCleanup(settings, addChecks);
  const stack = new RolloutStack(app, 'ProviderDepartureRollout', { rollout: readRollout(rollout), templateBody: JSON.stringify(cleanup.template), parameters: cleanup.template.Parameters ?? {} });
  const artifact = app.synth().getStackByName(stack.stackName);
  return { stack, cleanup, template: Template.fromStack(stack), file: path.join(artifact.assembly.directory, artifact.templateFile) };
}

const OU = 'ou-abcd-12345678';
const serviceManaged = synthRollout({ organizationalUnitIds: [OU], accountOverrides: { '111122223333': { Mode: 'apply' } }, maxConcurrent: '50%', failureTolerance: '10%' });

test('service-managed: OUs, one region, soft failure tolerance, auto-deployment off (and nothing else: AWS refuses RetainStacksOnAccountRemoval with it)', () => {
  serviceManaged.template.hasResourceProperties('AWS::CloudFormation::StackSet', {
    PermissionModel: 'SERVICE_MANAGED',
    CallAs: 'SELF',
    AutoDeployment: { Enabled: false },
    Capabilities: ['CAPABILITY_IAM'],
    OperationPreferences: { RegionOrder: ['us-east-1'], ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE', MaxConcurrentPercentage: 50, FailureTolerancePercentage: 10 },
    StackInstancesGroup: [
      { Regions: ['us-east-1'], DeploymentTargets: { OrganizationalUnitIds: [OU], Accounts: ['111122223333'], AccountFilterType: 'DIFFERENCE' } },
      {
        Regions: ['us-east-1'],
        DeploymentTargets: { OrganizationalUnitIds: [OU], Accounts: ['111122223333'], AccountFilterType: 'INTERSECTION' },
        ParameterOverrides: [{ ParameterKey: 'Mode', ParameterValue: 'apply' }],
      },
    ],
  });
});

test('its template body is the cleanup template, and every cleanup parameter is a StackSet parameter (plan by default)', () => {
  const stackSet = Object.values(serviceManaged.template.findResources('AWS::CloudFormation::StackSet'))[0]!.Properties;
  expect(JSON.parse(stackSet.TemplateBody)).toEqual(serviceManaged.cleanup.template);
  expect(stackSet.TemplateBody.length).toBeLessThan(51_200);
  expect(stackSet.AutoDeployment).toEqual({ Enabled: false });
  const keys = Object.keys(serviceManaged.cleanup.template.Parameters ?? {});
  expect(stackSet.Parameters.map((p: { ParameterKey: string }) => p.ParameterKey)).toEqual(keys);
  serviceManaged.template.hasParameter('Mode', { Default: 'plan', AllowedValues: ['plan', 'apply'] });
  expect(stackSet.Parameters[0]).toEqual({ ParameterKey: 'Mode', ParameterValue: { Ref: 'Mode' } });
});

test('self-managed: the execution role name and accounts as targets, counts for preferences, no auto-deployment', () => {
  const self = synthRollout({ permissionModel: 'SELF_MANAGED', accountIds: ['111122223333', '444455556666'], executionRoleName: 'AWSCloudFormationStackSetExecutionRole', maxConcurrent: 2, failureTolerance: 1 });
  self.template.hasResourceProperties('AWS::CloudFormation::StackSet', {
    PermissionModel: 'SELF_MANAGED',
    ExecutionRoleName: 'AWSCloudFormationStackSetExecutionRole',
    OperationPreferences: { MaxConcurrentCount: 2, FailureToleranceCount: 1 },
    StackInstancesGroup: [{ Regions: ['us-east-1'], DeploymentTargets: { Accounts: ['111122223333', '444455556666'] } }],
  });
  expect(JSON.stringify(self.template.toJSON())).not.toMatch(/AutoDeployment/);
});

test('cfn-lint passes; the template is deployable without bootstrap (under the inline limit)', () => {
  const text = readFileSync(serviceManaged.file, 'utf8');
  expect(Buffer.byteLength(text)).toBeLessThan(51_200);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cfn-lint-')), 'rollout.json');
  writeFileSync(file, text);
  const lint = spawnSync('cfn-lint', ['--format', 'parseable', file], { encoding: 'utf8' });
  expect({ status: lint.status, findings: lint.stdout.trim() }).toEqual({ status: 0, findings: '' });
});

test.each([
  [{}, 'config "rollout.organizationalUnitIds": a service-managed StackSet targets OUs'],
  [{ organizationalUnitIds: ['ou-1'] }, 'config "rollout.organizationalUnitIds[0]": "ou-1" is not an id'],
  [{ permissionModel: 'SELF_MANAGED', organizationalUnitIds: [OU] }, 'config "rollout.organizationalUnitIds": only service-managed StackSets deploy to OUs'],
  [{ organizationalUnitIds: [OU], region: 'everywhere' }, 'config "rollout.region": "everywhere" is not a region'],
  [{ organizationalUnitIds: [OU], maxConcurrent: '250%' }, 'config "rollout.maxConcurrent": must be a percentage'],
  [{ organizationalUnitIds: [OU], regions: ['us-east-1'] }, 'config "rollout.regions": unknown key'],
])('rollout context %j is refused with one line', (rollout, message) => {
  expect(() => readRollout(rollout)).toThrow(ConfigError);
  expect(() => readRollout(rollout)).toThrow(message);
});

test('with the organization id: a versioned reports bucket where each account\'s cleanup role writes only its own report', () => {
  const withReports = synthRollout({ organizationalUnitIds: [OU], organizationId: 'o-abcd123456' });
  withReports.template.hasResource('AWS::S3::Bucket', {
    DeletionPolicy: 'Retain',
    Properties: {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    },
  });
  const policy = Object.values(withReports.template.findResources('AWS::S3::BucketPolicy'))[0]!.Properties.PolicyDocument.Statement;
  const writes = policy.filter((s: { Action: string | string[]; Effect: string }) => s.Effect === 'Allow' && [s.Action].flat().some((a) => /^s3:(PutObject|\*)/.test(a)));
  expect(writes).toHaveLength(1);
  const bucketRef = { Ref: expect.stringMatching(/^Reports/) };
  expect(writes[0]).toEqual({
    Sid: 'MembersWriteTheirOwnReport',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 's3:PutObject',
    // one key per account, named by S3 from the caller: no account can write another's report
    Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketRef.Ref, 'Arn'] }, '/reports/${aws:PrincipalAccount}.json']] },
    Condition: {
      StringEquals: { 'aws:PrincipalOrgID': 'o-abcd123456' },
      // only the cleanup function's role (IAM path /ctl-departure/), not the provider's roles still in the members
      ArnLike: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/ctl-departure/*']] } },
    },
  });
  const stackSet = Object.values(withReports.template.findResources('AWS::CloudFormation::StackSet'))[0]!.Properties;
  expect(stackSet.Parameters.find((p: { ParameterKey: string }) => p.ParameterKey === 'ReportBucket')).toEqual({ ParameterKey: 'ReportBucket', ParameterValue: bucketRef });
});
