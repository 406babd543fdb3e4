/**
 * Provider users, groups and federation against moto with AWS's DeleteUser/DeleteGroup rules restored, the
 * organization check, and denials reported per item (moto's IAM authorization switched on).
 */
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  ListVirtualMFADevicesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
} from '@aws-sdk/client-iam';
import { CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { createClients } from '../lambda/engine/aws';
import { resolveConfig } from '../lambda/engine/config';
import { runDeparture } from '../lambda/engine/run';
import { readIamState } from './support/iam-state';
import { run, testIamClient } from './support/engine-harness';
import { CERTIFICATE, SSH_KEY } from './fixtures/credentials';
import { motoSuite } from './support/moto-suite';
import { seedReferenceAccount, trustPolicy } from './support/reference-account';

const ACCOUNT = '123456789012';
const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}';
const SAML_METADATA = '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"></md:EntityDescriptor>';
const moto = motoSuite();
let iam: IAMClient;
beforeAll(() => {
  iam = testIamClient();
});

/** Every credential kind AWS makes DeleteUser wait for, each added by one function. */
const CREDENTIALS: Record<string, (user: string) => Promise<unknown>> = {
  'access key': (u) => iam.send(new CreateAccessKeyCommand({ UserName: u })),
  'login profile': (u) => iam.send(new CreateLoginProfileCommand({ UserName: u, Password: 'Passw0rd!Passw0rd!' })),
  'virtual MFA device': async (u) => {
    const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${u}-mfa` }));
    await iam.send(new EnableMFADeviceCommand({ UserName: u, SerialNumber: device.VirtualMFADevice!.SerialNumber!, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
  },
  'signing certificate': (u) => iam.send(new UploadSigningCertificateCommand({ UserName: u, CertificateBody: CERTIFICATE })),
  'SSH public key': (u) => iam.send(new UploadSSHPublicKeyCommand({ UserName: u, SSHPublicKeyBody: SSH_KEY })),
  'inline policy': (u) => iam.send(new PutUserPolicyCommand({ UserName: u, PolicyName: 'inline', PolicyDocument: DOC })),
  // Service-specific credentials and a user's permissions boundary cannot be created in moto 5.2.1 (HTTP 500):
  // their steps are covered by the planner's tests (plan-identities.test.ts).
};

test.each(Object.keys(CREDENTIALS))('a provider user with a %s is removed completely', async (kind) => {
  await iam.send(new CreateUserCommand({ UserName: 'CTLSupport' }));
  await CREDENTIALS[kind]!('CTLSupport');
  const { report } = await run('apply');
  expect(report.actions.find((a) => a.name === 'CTLSupport')).toMatchObject({ resource: 'iam:user', action: 'delete', status: 'done' });
  expect(Object.keys((await readIamState(iam)).users)).toEqual([]);
  expect((await iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices ?? []).toEqual([]);
});

test('the extended reference account: no provider identity is left, every customer identity is as before', async () => {
  await seedReferenceAccount(iam, ACCOUNT);
  // A provider user with every kind of credential, in a provider group and a customer group.
  await iam.send(new CreateUserCommand({ UserName: 'CTLSupport' }));
  for (const add of Object.values(CREDENTIALS)) await add('CTLSupport');
  await iam.send(new CreateGroupCommand({ GroupName: 'CTLOperators' }));
  await iam.send(new CreatePolicyCommand({ PolicyName: 'CTLOperatorsPolicy', PolicyDocument: DOC }));
  await iam.send(new AttachGroupPolicyCommand({ GroupName: 'CTLOperators', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/CTLOperatorsPolicy` }));
  for (const member of ['CTLSupport', 'developers-user']) await iam.send(new AddUserToGroupCommand({ GroupName: 'CTLOperators', UserName: member }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'Developers', UserName: 'CTLSupport' }));
  // Federation: the provider's and the customer's.
  await iam.send(new CreateSAMLProviderCommand({ Name: 'CTLSaml', SAMLMetadataDocument: SAML_METADATA }));
  await iam.send(new CreateSAMLProviderCommand({ Name: 'CustomerOkta', SAMLMetadataDocument: SAML_METADATA }));
  await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://auth.ctl.io', ThumbprintList: ['a'.repeat(40)], ClientIDList: ['cam'] }));
  await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://token.actions.githubusercontent.com', ThumbprintList: ['b'.repeat(40)], ClientIDList: ['sts.amazonaws.com'] }));
  await iam.send(new CreateRoleCommand({ RoleName: 'saml-admins', AssumeRolePolicyDocument: trustPolicy({ Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/CTLSaml` }) }));
  const before = await readIamState(iam);

  const { report } = await run('apply');
  expect(report.actions.filter((a) => a.status === 'failed')).toEqual([]);
  const after = await readIamState(iam);
  expect(Object.keys(after.users).filter((n) => n.startsWith('CTL'))).toEqual([]);
  expect(Object.keys(after.groups).filter((n) => n.startsWith('CTL'))).toEqual([]);
  expect(after.samlProviders).toEqual(['CustomerOkta']);
  const oidc = (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList?.map((p) => p.Arn!.split('/').pop());
  expect(oidc).toEqual(['token.actions.githubusercontent.com']);
  // Customer identities: exactly as before, less the provider's group and policy.
  for (const name of Object.keys(before.users).filter((n) => !n.startsWith('CTL'))) {
    expect(after.users[name]).toEqual({ ...(before.users[name] as object), groups: (before.users[name] as { groups: string[] }).groups.filter((g) => g !== 'CTLOperators') });
  }
  expect(report.actions.find((a) => a.name === 'saml-admins')).toMatchObject({ action: 'flag', reason: expect.stringMatching(/CTLSaml, which this run deletes/) });
  // The provider's automation went first.
  const first = report.actions.find((a) => a.runsFirst);
  expect(first?.name).toBe('CTLAccountControlsLambdaRole');
});

describe('the organization', () => {
  const organizations = () => new OrganizationsClient({ region: 'us-east-1' });

  test('a standalone account has no warning', async () => {
    const { report } = await run('plan');
    expect(report).toMatchObject({ organization: { status: 'standalone' }, warnings: [] });
  });

  test('an account in an organization is warned about service control policies, and requireStandalone refuses apply', async () => {
    const { Organization } = await organizations().send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'CTLDeveloperRole', AssumeRolePolicyDocument: trustPolicy({ AWS: '589942003651' }) }));
    const planned = await run('plan', { requireStandalone: true });
    expect(planned.report.organization).toEqual({ status: 'member', id: Organization!.Id, managementAccountId: Organization!.MasterAccountId });
    expect(planned.report.warnings).toEqual([expect.stringMatching(/^account is in organization o-\w+ \(management account \d{12}\): its service control policies may deny/)]);

    await expect(run('apply', { requireStandalone: true })).rejects.toThrow(
      new RegExp(`^apply refused \\(requireStandalone\\): account ${ACCOUNT} is in organization ${Organization!.Id} .*add "${Organization!.MasterAccountId}" to allowedOrganizations$`),
    );
    expect(Object.keys((await readIamState(iam)).roles)).toContain('CTLDeveloperRole');

    const allowed = await run('apply', { requireStandalone: true, allowedOrganizations: [Organization!.MasterAccountId] });
    expect(allowed.report.summary).toMatchObject({ done: 1, failed: 0 });
  });
});

test('a denied call is reported on its item as a denial naming the exact action; the rest goes on', async () => {
  await iam.send(new CreateRoleCommand({ RoleName: 'CTLDeveloperRole', AssumeRolePolicyDocument: trustPolicy({ AWS: '589942003651' }) }));
  await iam.send(new CreateRoleCommand({ RoleName: 'CTLCloudOptimization', AssumeRolePolicyDocument: trustPolicy({ AWS: '589942003651' }) }));
  // The runner may do everything but delete CTLDeveloperRole, as a service control policy might say.
  await iam.send(new CreateUserCommand({ UserName: 'runner' }));
  await iam.send(new PutUserPolicyCommand({
    UserName: 'runner',
    PolicyName: 'all-but-one',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:DeleteRole', Resource: `arn:aws:iam::${ACCOUNT}:role/CTLDeveloperRole` },
      ],
    }),
  }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'runner' }))).AccessKey!;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey });
  await moto().enforceIam(0);
  try {
    const { report } = await run('apply');
    const denied = report.actions.find((a) => a.name === 'CTLDeveloperRole')!;
    expect(denied.status).toBe('failed');
    expect(denied.steps.at(-1)!.error).toMatch(/^denied \(service control policy or permissions boundary\?\): iam:DeleteRole RoleName=CTLDeveloperRole: AccessDenied/);
    expect(report.actions.find((a) => a.name === 'CTLCloudOptimization')).toMatchObject({ status: 'done' });
    expect(report.actions.find((a) => a.name === 'runner')).toMatchObject({ action: 'skip', reason: expect.stringMatching(/SelfIdentity/) });
  } finally {
    await moto().enforceIam(Infinity);
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: saved.id, AWS_SECRET_ACCESS_KEY: saved.secret });
  }
});

test('with identities switched off, the SAML and OIDC providers are still listed, each with a decision saying so', async () => {
  await iam.send(new CreateSAMLProviderCommand({ Name: 'CTLSaml', SAMLMetadataDocument: SAML_METADATA }));
  await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://auth.ctl.io', ThumbprintList: ['a'.repeat(40)], ClientIDList: ['cam'] }));
  const { report, calls } = await run('apply', { identities: { samlProviders: false, oidcProviders: false } });
  expect(report.actions.filter((a) => a.resource === 'iam:saml-provider' || a.resource === 'iam:oidc-provider').map((a) => `${a.name} ${a.action}: ${a.reason}`)).toEqual([
    'CTLSaml skip: provider SAML provider, but switched off (identities.samlProviders)',
    'auth.ctl.io skip: provider OIDC provider, but switched off (identities.oidcProviders)',
  ]);
  expect(calls.mutating).toBe(0);
});

test('an AWS answer without a field the engine needs stops discovery with one line naming the call and the field', async () => {
  await iam.send(new CreateRoleCommand({ RoleName: 'CTLRole', AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'CTLRole', PolicyName: 'inline', PolicyDocument: DOC }));
  const clients = createClients({ maxAttempts: 1 });
  // What plain moto does: GetAccountAuthorizationDetails without PolicyName.
  clients.iam.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = (result.output ?? {}) as { RoleDetailList?: { RolePolicyList?: { PolicyName?: string }[] }[] };
      for (const role of output.RoleDetailList ?? []) for (const policy of role.RolePolicyList ?? []) delete policy.PolicyName;
      return result;
    },
    { step: 'initialize', name: 'dropPolicyName' },
  );
  await expect(runDeparture({ mode: 'plan', config: resolveConfig({}), clients })).rejects.toThrow(
    /^AWS answered GetAccountAuthorizationDetails without PolicyName: nothing was changed$/,
  );
});
