/**
 * Each AWS rule that our launcher restores on top of moto is in force: without its patch, the matching test
 * fails (moto alone accepts the call or drops the data).
 */
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteGroupCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  DetachRolePolicyCommand,
  EnableMFADeviceCommand,
  GetAccountAuthorizationDetailsCommand,
  IAMClient,
  ListServiceSpecificCredentialsCommand,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListEntitiesForPolicy,
  paginateListGroups,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import { CERTIFICATE, SSH_KEY } from '../fixtures/credentials';
import { startMoto, type MotoServer } from '../support/moto';

let server: MotoServer;
let iam: IAMClient;
const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}';
const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const arn = (name: string) => `arn:aws:iam::123456789012:policy/${name}`;

beforeAll(async () => {
  server = await startMoto();
  iam = new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});
afterAll(async () => server?.stop());
beforeEach(async () => server.reset());

const conflict = { name: 'DeleteConflictException' };

test('DeletePolicy is refused while the policy is attached, then while it has old versions', async () => {
  await iam.send(new CreatePolicyCommand({ PolicyName: 'P', PolicyDocument: DOC }));
  await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: TRUST }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: arn('P') }));
  await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn('P') }))).rejects.toMatchObject({ ...conflict, message: 'Cannot delete a policy attached to entities.' });
  await iam.send(new DetachRolePolicyCommand({ RoleName: 'R', PolicyArn: arn('P') }));
  await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn('P'), PolicyDocument: DOC, SetAsDefault: true }));
  await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn('P') }))).rejects.toMatchObject({ ...conflict, message: expect.stringMatching(/more than one version/) });
  await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn('P'), VersionId: 'v1' }));
  await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn('P') }))).resolves.toBeDefined();
});

test('DeleteRole is refused for a service-linked role', async () => {
  await iam.send(new CreateRoleCommand({ RoleName: 'AWSServiceRoleForSupport', Path: '/aws-service-role/support.amazonaws.com/', AssumeRolePolicyDocument: TRUST }));
  await expect(iam.send(new DeleteRoleCommand({ RoleName: 'AWSServiceRoleForSupport' }))).rejects.toMatchObject({ name: 'UnmodifiableEntityException', message: expect.stringMatching(/protected role/) });
});

test('ListEntitiesForPolicy pages past 100 principals', async () => {
  await iam.send(new CreatePolicyCommand({ PolicyName: 'Wide', PolicyDocument: DOC }));
  for (let i = 0; i < 150; i++) {
    await iam.send(new CreateRoleCommand({ RoleName: `r${i}`, AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: `r${i}`, PolicyArn: arn('Wide') }));
  }
  const roles: string[] = [];
  let pages = 0;
  for await (const page of paginateListEntitiesForPolicy({ client: iam }, { PolicyArn: arn('Wide') })) {
    pages++;
    roles.push(...(page.PolicyRoles ?? []).map((r) => r.RoleName!));
  }
  expect(pages).toBe(2);
  expect(new Set(roles).size).toBe(150);
});

test('GetAccountAuthorizationDetails names each policy and pages', async () => {
  for (let i = 0; i < 12; i++) await iam.send(new CreatePolicyCommand({ PolicyName: `P${i}`, PolicyDocument: DOC }));
  const first = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['LocalManagedPolicy'], MaxItems: 5 }));
  expect(first).toMatchObject({ IsTruncated: true, Marker: expect.any(String) });
  expect(first.Policies?.[0]).toMatchObject({ PolicyName: expect.stringMatching(/^P\d+$/), PolicyId: expect.any(String) });
  const names: string[] = [];
  for await (const page of paginateGetAccountAuthorizationDetails({ client: iam, pageSize: 5 }, { Filter: ['LocalManagedPolicy'] })) {
    names.push(...(page.Policies ?? []).map((p) => p.PolicyName!));
  }
  expect(names.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `P${i}`).sort());
});

test('ListUsers and ListGroups page', async () => {
  for (let i = 0; i < 7; i++) {
    await iam.send(new CreateUserCommand({ UserName: `u${i}` }));
    await iam.send(new CreateGroupCommand({ GroupName: `g${i}` }));
  }
  const users: string[] = [];
  for await (const page of paginateListUsers({ client: iam, pageSize: 3 }, {})) {
    expect((page.Users ?? []).length).toBeLessThanOrEqual(3);
    users.push(...(page.Users ?? []).map((u) => u.UserName!));
  }
  const groups: string[] = [];
  for await (const page of paginateListGroups({ client: iam, pageSize: 3 }, {})) groups.push(...(page.Groups ?? []).map((g) => g.GroupName!));
  expect([users.length, groups.length]).toEqual([7, 7]);
});

describe('DeleteUser is refused while anything hangs off the user', () => {
  const blockers: [string, (user: string) => Promise<unknown>, RegExp][] = [
    ['an access key', (u) => iam.send(new CreateAccessKeyCommand({ UserName: u })), /access keys/],
    ['a login profile', (u) => iam.send(new CreateLoginProfileCommand({ UserName: u, Password: 'Passw0rd!Passw0rd!' })), /login profile/],
    [
      'an MFA device',
      async (u) => {
        const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${u}-mfa` }));
        await iam.send(new EnableMFADeviceCommand({ UserName: u, SerialNumber: device.VirtualMFADevice!.SerialNumber!, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
      },
      /MFA/,
    ],
    ['a signing certificate', (u) => iam.send(new UploadSigningCertificateCommand({ UserName: u, CertificateBody: CERTIFICATE })), /signing certificates/],
    ['an SSH key', (u) => iam.send(new UploadSSHPublicKeyCommand({ UserName: u, SSHPublicKeyBody: SSH_KEY })), /SSH public keys/],
    [
      'a group membership',
      async (u) => {
        await iam.send(new CreateGroupCommand({ GroupName: 'G' }));
        await iam.send(new AddUserToGroupCommand({ GroupName: 'G', UserName: u }));
      },
      /from group/,
    ],
    ['an inline policy', (u) => iam.send(new PutUserPolicyCommand({ UserName: u, PolicyName: 'inline', PolicyDocument: DOC })), /delete policies/],
    [
      'an attached policy',
      async (u) => {
        await iam.send(new CreatePolicyCommand({ PolicyName: 'P', PolicyDocument: DOC }));
        await iam.send(new AttachUserPolicyCommand({ UserName: u, PolicyArn: arn('P') }));
      },
      /detach all policies/,
    ],
  ];
  test.each(blockers)('with %s', async (_label, add, message) => {
    await iam.send(new CreateUserCommand({ UserName: 'provider-user' }));
    await add('provider-user');
    await expect(iam.send(new DeleteUserCommand({ UserName: 'provider-user' }))).rejects.toMatchObject({ ...conflict, message: expect.stringMatching(message) });
  });
});

describe('DeleteGroup is refused while the group has members or policies', () => {
  const blockers: [string, () => Promise<unknown>, RegExp][] = [
    [
      'a member',
      async () => {
        await iam.send(new CreateUserCommand({ UserName: 'member' }));
        await iam.send(new AddUserToGroupCommand({ GroupName: 'G', UserName: 'member' }));
      },
      /remove users/,
    ],
    ['an inline policy', () => iam.send(new PutGroupPolicyCommand({ GroupName: 'G', PolicyName: 'inline', PolicyDocument: DOC })), /delete policies/],
    [
      'an attached policy',
      async () => {
        await iam.send(new CreatePolicyCommand({ PolicyName: 'P', PolicyDocument: DOC }));
        await iam.send(new AttachGroupPolicyCommand({ GroupName: 'G', PolicyArn: arn('P') }));
      },
      /detach all policies/,
    ],
  ];
  test.each(blockers)('with %s', async (_label, add, message) => {
    await iam.send(new CreateGroupCommand({ GroupName: 'G' }));
    await add();
    await expect(iam.send(new DeleteGroupCommand({ GroupName: 'G' }))).rejects.toMatchObject({ ...conflict, message: expect.stringMatching(message) });
  });
});

test('ListServiceSpecificCredentials answers (moto alone fails with HTTP 500)', async () => {
  await iam.send(new CreateUserCommand({ UserName: 'u' }));
  await expect(iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'u' }))).resolves.toMatchObject({ ServiceSpecificCredentials: [] });
});
