/**
 * The rollout for the management account: the main StackSet whose template body is the cleanup template, and,
 * service-managed, a StackSet per account with overrides; each stack deployable without bootstrap.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addChecks } from '../bin/checks';
import { ConfigError } from '../lambda/engine/config';
import { synthesizeCleanup } from '../lib/cleanup-template';
import { readSettings } from '../lib/context';
import { addRollout, readRollout } from '../lib/rollout';
import { checkRolloutSize, TEMPLATE_BODY_LIMIT, templateYamlBytes } from '../lib/template-size';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, ListStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateAccountCommand, CreateOrganizationalUnitCommand, CreateOrganizationCommand, ListRootsCommand, MoveAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { cfnLint } from './support/cfn-lint';
import { startMoto } from './support/moto';
import { templateBodyAsSent } from './support/template-body';

const cleanup = synthesizeCleanup(readSettings(() => undefined), addChecks);

/** The rollout's stacks as `cdk synth` makes them from `-c rollout=...`, main first, with their templates. */
function synthRollout(rollout: object) {
  const app = new App();
  addChecks(app);
  const stacks = addRollout(app, 'ProviderDepartureRollout', { rollout: readRollout(rollout), templateBody: JSON.stringify(cleanup.template), parameters: cleanup.template.Parameters ?? {} });
  const assembly = app.synth();
  const templates = Object.fromEntries(stacks.map((stack) => [stack.stackName, assembly.getStackByName(stack.stackName).template as Record<string, any>]));
  return { stacks, templates, template: Template.fromStack(stacks[0]!) };
}

/** The one StackSet resource's properties in a synthesized template. */
const stackSetOf = (template: Record<string, any>) => {
  const sets = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::CloudFormation::StackSet') as Array<{ Properties: Record<string, any> }>;
  expect(sets).toHaveLength(1);
  return sets[0]!.Properties;
};

const OU = 'ou-abcd-12345678';
const serviceManaged = synthRollout({ organizationalUnitIds: [OU], accountOverrides: { '111122223333': { Mode: 'apply' } }, maxConcurrent: '50%', failureTolerance: '10%' });

test('service-managed: OUs, one region, soft failure tolerance, auto-deployment off (and nothing else: AWS refuses RetainStacksOnAccountRemoval with it)', () => {
  const stackSet = stackSetOf(serviceManaged.templates.ProviderDepartureRollout!);
  expect(stackSet).toMatchObject({
    PermissionModel: 'SERVICE_MANAGED',
    CallAs: 'SELF',
    Capabilities: ['CAPABILITY_IAM'],
    OperationPreferences: { RegionOrder: ['us-east-1'], ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE', MaxConcurrentPercentage: 50, FailureTolerancePercentage: 10 },
  });
  expect(stackSet.AutoDeployment).toEqual({ Enabled: false });
});

test('service-managed overrides: the main StackSet leaves the account out; its own StackSet, in its own stack, deploys it with its overrides', () => {
  expect(serviceManaged.stacks.map((s) => s.stackName)).toEqual(['ProviderDepartureRollout', 'ProviderDepartureRollout-111122223333']);
  expect(stackSetOf(serviceManaged.templates.ProviderDepartureRollout!).StackInstancesGroup).toEqual([
    { Regions: ['us-east-1'], DeploymentTargets: { OrganizationalUnitIds: [OU], Accounts: ['111122223333'], AccountFilterType: 'DIFFERENCE' } },
  ]);
  const alone = stackSetOf(serviceManaged.templates['ProviderDepartureRollout-111122223333']!);
  expect(alone.StackInstancesGroup).toEqual([
    {
      Regions: ['us-east-1'],
      DeploymentTargets: { OrganizationalUnitIds: [OU], Accounts: ['111122223333'], AccountFilterType: 'INTERSECTION' },
      ParameterOverrides: [{ ParameterKey: 'Mode', ParameterValue: 'apply' }],
    },
  ]);
  // the same template, parameters and settings as the main StackSet: only the name, description and targets differ
  const main = stackSetOf(serviceManaged.templates.ProviderDepartureRollout!);
  const differing = ['StackSetName', 'Description', 'StackInstancesGroup'];
  const without = (props: Record<string, unknown>) => Object.fromEntries(Object.entries(props).filter(([key]) => !differing.includes(key)));
  expect(without(alone)).toEqual(without(main));
  expect(alone.StackSetName).toBe('ProviderDepartureRollout-111122223333-cleanup');
  // deployed after the main stack, which first takes the account out of the main StackSet
  expect(serviceManaged.stacks[1]!.dependencies).toEqual([serviceManaged.stacks[0]]);
});

test('its template body is the cleanup template (less its Outputs), and every cleanup parameter is a StackSet parameter (plan by default)', () => {
  const stackSet = stackSetOf(serviceManaged.templates.ProviderDepartureRollout!);
  const { Outputs, ...withoutOutputs } = cleanup.template as Record<string, unknown>;
  expect(Outputs).toBeDefined();
  expect(JSON.parse(stackSet.TemplateBody)).toEqual(withoutOutputs);
  const keys = Object.keys(cleanup.template.Parameters ?? {});
  expect(stackSet.Parameters.map((p: { ParameterKey: string }) => p.ParameterKey)).toEqual(keys);
  serviceManaged.template.hasParameter('Mode', { Default: 'plan', AllowedValues: ['plan', 'apply'] });
  expect(stackSet.Parameters[0]).toEqual({ ParameterKey: 'Mode', ParameterValue: { Ref: 'Mode' } });
});

test('self-managed: the execution role name and accounts as targets, counts for preferences, no auto-deployment, overrides in the one StackSet', () => {
  const self = synthRollout({
    permissionModel: 'SELF_MANAGED',
    accountIds: ['111122223333', '444455556666'],
    accountOverrides: { '444455556666': { Mode: 'apply' } },
    executionRoleName: 'AWSCloudFormationStackSetExecutionRole',
    maxConcurrent: 2,
    failureTolerance: 1,
  });
  expect(self.stacks).toHaveLength(1);
  self.template.hasResourceProperties('AWS::CloudFormation::StackSet', {
    PermissionModel: 'SELF_MANAGED',
    ExecutionRoleName: 'AWSCloudFormationStackSetExecutionRole',
    OperationPreferences: { MaxConcurrentCount: 2, FailureToleranceCount: 1 },
    StackInstancesGroup: [
      { Regions: ['us-east-1'], DeploymentTargets: { Accounts: ['111122223333'] } },
      { Regions: ['us-east-1'], DeploymentTargets: { Accounts: ['444455556666'] }, ParameterOverrides: [{ ParameterKey: 'Mode', ParameterValue: 'apply' }] },
    ],
  });
  expect(JSON.stringify(self.template.toJSON())).not.toMatch(/AutoDeployment/);
});

// The variants the issue names: many overrides over several OUs, self-managed, with the reports bucket.
const ACCOUNTS = Array.from({ length: 20 }, (_, i) => String(100000000001 + i));
const OVERRIDES = Object.fromEntries(ACCOUNTS.map((account, i) => [account, i % 2 ? { Mode: 'apply' } : { Mode: 'apply', Exclude: `CTLKeep${i}`, BucketMode: 'archive' }]));
const OUS = [OU, 'ou-abcd-87654321'];
const VARIANTS: Record<string, object> = {
  'service-managed, 20 overrides over 2 OUs': { organizationalUnitIds: OUS, accountOverrides: OVERRIDES },
  // Self-managed overrides stay groups of the one StackSet, so they share its 51,200 bytes: 5 fit beside 20 plain
  // accounts (20 do not, and are refused at synth: see below).
  'self-managed, 5 accounts with overrides and 20 without': {
    permissionModel: 'SELF_MANAGED',
    accountIds: ACCOUNTS.map((a) => a.replace(/^1/, '2')),
    accountOverrides: Object.fromEntries(Object.entries(OVERRIDES).slice(0, 5)),
  },
  'service-managed with the reports bucket, 20 overrides over 2 OUs': { organizationalUnitIds: OUS, accountOverrides: OVERRIDES, organizationId: 'o-abcd123456' },
};
const synthesized = Object.fromEntries(Object.entries(VARIANTS).map(([name, rollout]) => [name, synthRollout(rollout)]));
/** Sizes as measured, printed once so that a reviewer sees how close each variant is to the limit. */
const measured: string[] = [];
afterAll(() => console.log(`YAML bytes as cdk deploy sends them (limit ${TEMPLATE_BODY_LIMIT}):\n${measured.join('\n')}`));

describe.each(Object.keys(VARIANTS))('%s', (name) => {
  const { templates } = synthesized[name]!;

  test('every stack is at most 51,200 bytes as the YAML cdk deploy sends, and the synth-time bound is above it and close', async () => {
    for (const [stackName, template] of Object.entries(templates)) {
      const sent = await templateBodyAsSent(template);
      const bound = templateYamlBytes(template);
      if (stackName === 'ProviderDepartureRollout' || stackName.endsWith(ACCOUNTS[0]!)) measured.push(`  ${name}: ${stackName} ${sent.bytes} (synth bound ${bound})`);
      expect({ stackName, bytes: sent.bytes, inline: sent.inline }).toEqual({ stackName, bytes: expect.any(Number), inline: true });
      expect(sent.bytes).toBeLessThanOrEqual(TEMPLATE_BODY_LIMIT);
      expect(bound).toBeGreaterThanOrEqual(sent.bytes);
      expect(bound).toBeLessThan(sent.bytes * 1.02);
    }
  });

  test('cfn-lint passes on every stack', () => {
    expect(cfnLint(templates)).toEqual({ status: 0, findings: '' });
  });

  test('no account is covered by two StackSets', () => {
    const covering = new Map<string, string[]>();
    const sets = Object.entries(templates).map(([stackName, template]) => [stackName, stackSetOf(template)] as const);
    for (const [stackName, stackSet] of sets) {
      for (const group of stackSet.StackInstancesGroup as Array<{ DeploymentTargets: { Accounts?: string[]; AccountFilterType?: string } }>) {
        const { Accounts = [], AccountFilterType } = group.DeploymentTargets;
        // DIFFERENCE covers every account of the OUs but these: record them as excluded, checked below
        if (AccountFilterType === 'DIFFERENCE') continue;
        for (const account of Accounts) covering.set(account, [...(covering.get(account) ?? []), stackName]);
      }
    }
    for (const [account, by] of covering) expect({ account, by: by.length }).toEqual({ account, by: 1 });
    const [, main] = sets[0]!;
    const excluded = (main.StackInstancesGroup as Array<{ DeploymentTargets: { Accounts?: string[]; AccountFilterType?: string } }>)
      .filter((g) => g.DeploymentTargets.AccountFilterType === 'DIFFERENCE')
      .flatMap((g) => g.DeploymentTargets.Accounts ?? []);
    const aloneAccounts = sets.slice(1).flatMap(([, s]) => s.StackInstancesGroup.flatMap((g: { DeploymentTargets: { Accounts: string[] } }) => g.DeploymentTargets.Accounts));
    expect(excluded.sort()).toEqual(aloneAccounts.sort());
  });
});

test('service-managed with overrides, deployed into strict moto (the StackSet resource with AWS\'s rules): every account in exactly one StackSet, overrides where asked', async () => {
  const moto = await startMoto();
  try {
    const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    const orgs = new OrganizationsClient(config);
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const root = (await orgs.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const ous = await Promise.all(['customers', 'partners'].map(async (Name) => (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name }))).OrganizationalUnit!.Id!));
    const accounts: string[] = [];
    for (const [i, ou] of [ous[0], ous[0], ous[1], ous[1]].entries()) {
      const id = (await orgs.send(new CreateAccountCommand({ AccountName: `m${i}`, Email: `m${i}@example.com` }))).CreateAccountStatus!.AccountId!;
      await orgs.send(new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: ou! }));
      accounts.push(id);
    }
    // one overridden account in each OU, with different values
    const overridden = { [accounts[0]!]: { Mode: 'apply' }, [accounts[2]!]: { Mode: 'apply', Exclude: 'CTLKeep' } };
    const { stacks, templates } = synthRollout({ organizationalUnitIds: ous, accountOverrides: overridden });
    const cfn = new CloudFormationClient(config);
    for (const stack of stacks) await cfn.send(new CreateStackCommand({ StackName: stack.stackName, TemplateBody: JSON.stringify(templates[stack.stackName]), Capabilities: ['CAPABILITY_IAM'] }));
    const covered = new Map<string, string[]>();
    for (const stack of stacks) {
      const name = stackSetOf(templates[stack.stackName]!).StackSetName as string;
      for (const instance of (await cfn.send(new ListStackInstancesCommand({ StackSetName: name }))).Summaries ?? []) covered.set(instance.Account!, [...(covered.get(instance.Account!) ?? []), name]);
    }
    expect(Object.fromEntries(covered)).toEqual({
      [accounts[0]!]: [`ProviderDepartureRollout-${accounts[0]}-cleanup`],
      [accounts[1]!]: ['ProviderDepartureRollout-cleanup'],
      [accounts[2]!]: [`ProviderDepartureRollout-${accounts[2]}-cleanup`],
      [accounts[3]!]: ['ProviderDepartureRollout-cleanup'],
    });
    // each member's cleanup stack got the StackSet's parameters, with its own overrides on top
    const parametersIn = async (account: string) => {
      const { Credentials: c } = await new STSClient(config).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: 'check' }));
      const member = new CloudFormationClient({ ...config, credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! } });
      const [stack] = (await member.send(new DescribeStacksCommand({}))).Stacks ?? [];
      return Object.fromEntries((stack?.Parameters ?? []).filter((p) => ['Mode', 'Exclude', 'CamPolicyNames'].includes(p.ParameterKey!)).map((p) => [p.ParameterKey, p.ParameterValue]));
    };
    expect(await parametersIn(accounts[1]!)).toEqual({ Mode: 'plan', Exclude: '', CamPolicyNames: 'CTLCAMPolicy' });
    expect(await parametersIn(accounts[2]!)).toEqual({ Mode: 'apply', Exclude: 'CTLKeep', CamPolicyNames: 'CTLCAMPolicy' });
  } finally {
    await moto.stop();
  }
});

test.each([
  [{ '111122223333': { Mod: 'apply' } }, 'config "rollout.accountOverrides.111122223333.Mod": not a parameter of the cleanup template; use one of Mode, KeepCamProvider'],
  [{ '111122223333': { Mode: true } }, 'config "rollout.accountOverrides.111122223333.Mode": must be a string such as "apply", not true'],
])('overrides %j are refused at synth with one line', (accountOverrides, message) => {
  expect(() => synthRollout({ organizationalUnitIds: [OU], accountOverrides })).toThrow(message);
});

test('a rollout too large for cdk deploy without bootstrap is refused at synth with one line naming rollout and the fix', () => {
  const self = synthRollout({ permissionModel: 'SELF_MANAGED', accountIds: ACCOUNTS.map((a) => a.replace(/^1/, '2')), accountOverrides: OVERRIDES });
  const [stackName, template] = Object.entries(self.templates)[0]!;
  expect(() => checkRolloutSize(stackName, template)).toThrow(ConfigError);
  expect(() => checkRolloutSize(stackName, template)).toThrow(
    /^config "rollout": stack ProviderDepartureRollout would be about [\d,]+ bytes as the YAML cdk deploy sends, over the 51,200 bytes CloudFormation takes inline \(without bootstrap\); list fewer accounts or accountOverrides here and roll the others out as a second rollout with -c stackName=<another name> and no account in both$/,
  );
  for (const [name, t] of Object.entries(synthesized['service-managed, 20 overrides over 2 OUs']!.templates)) expect(() => checkRolloutSize(name, t)).not.toThrow();
});

test.each([
  [{}, 'config "rollout.organizationalUnitIds": a service-managed StackSet targets OUs'],
  [{ organizationalUnitIds: ['ou-1'] }, 'config "rollout.organizationalUnitIds[0]": "ou-1" is not an id'],
  [{ permissionModel: 'SELF_MANAGED', organizationalUnitIds: [OU] }, 'config "rollout.organizationalUnitIds": only service-managed StackSets deploy to OUs'],
  [{ organizationalUnitIds: [OU], region: 'everywhere' }, 'config "rollout.region": "everywhere" is not a region'],
  [{ organizationalUnitIds: [OU], maxConcurrent: '250%' }, 'config "rollout.maxConcurrent": must be a percentage'],
  [{ organizationalUnitIds: [OU], regions: ['us-east-1'] }, 'config "rollout.regions": unknown key'],
  [{ organizationalUnitIds: [OU], accountOverrides: { '111122223333': 'apply' } }, 'config "rollout.accountOverrides.111122223333": must be an object of parameter values'],
  [{ organizationalUnitIds: [OU], region: 7 }, 'config "rollout.region": 7 is not a region such as "us-east-1"'],
  [{ organizationalUnitIds: [OU], maxConcurrent: 0 }, 'config "rollout.maxConcurrent": must be a percentage such as "25%" or a count such as 5, at least 1, not 0'],
  [{ organizationalUnitIds: [OU], maxConcurrent: '0%' }, 'config "rollout.maxConcurrent": must be a percentage such as "25%" or a count such as 5, at least 1, not "0%"'],
  [{ organizationalUnitIds: [OU], failureTolerance: true }, 'config "rollout.failureTolerance": must be a percentage such as "25%" or a count such as 5, at least 0, not true'],
  [{ organizationalUnitIds: [OU], organizationId: 12 }, 'config "rollout.organizationId": 12 is not an organization id'],
  [{ organizationalUnitIds: [OU], executionRoleName: 'MyRole' }, 'config "rollout.executionRoleName": is for SELF_MANAGED StackSets only'],
  [{ permissionModel: 'SELF_MANAGED', accountIds: ['111122223333'], executionRoleName: 'role/*' }, 'config "rollout.executionRoleName": "role/*" is not an IAM role name'],
  [{ permissionModel: 'SELF_MANAGED', accountIds: ['111122223333'], executionRoleName: ['AWSCloudFormationStackSetExecutionRole'] }, 'config "rollout.executionRoleName": ["AWSCloudFormationStackSetExecutionRole"] is not an IAM role name'],
  [{ permissionModel: 'SELF_MANAGED', accountIds: ['111122223333'], administrationRoleArn: 'AdminRole' }, 'config "rollout.administrationRoleArn": "AdminRole" is not an IAM role ARN'],
  [{ permissionModel: 'SELF_MANAGED', accountIds: ['111122223333'], callAs: 'DELEGATED_ADMIN' }, 'config "rollout.callAs": is for SERVICE_MANAGED StackSets only'],
  [JSON.parse('{"organizationalUnitIds": ["ou-abcd-12345678"], "__proto__": {}}'), 'config "rollout.__proto__": unknown key'],
  [JSON.parse('{"organizationalUnitIds": ["ou-abcd-12345678"], "accountOverrides": {"__proto__": {"Mode": "apply"}}}'), 'config "rollout.accountOverrides.__proto__": keys must be 12-digit account ids'],
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
