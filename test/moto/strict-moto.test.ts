/**
 * Each AWS rule that strict_moto.py restores on top of moto is in force, through the real SDK. A test marked
 * "moto enforces this itself" guards the rule against a moto upgrade; every other test fails without its patch
 * (moto alone accepts the call, drops data or answers HTTP 500).
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
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DeleteInstanceProfileCommand,
  DeleteLoginProfileCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteServiceLinkedRoleCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  EnableMFADeviceCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetSAMLProviderCommand,
  IAMClient,
  ListEntitiesForPolicyCommand,
  ListRolesCommand,
  ListServiceSpecificCredentialsCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  RemoveUserFromGroupCommand,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListEntitiesForPolicy,
  paginateListGroups,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import {
  CloudFormationClient,
  CreateStackCommand,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStacksCommand,
  ListStackInstancesCommand,
  ListStacksCommand,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import {
  ConfigServiceClient,
  DeleteConfigRuleCommand,
  DeleteRemediationConfigurationCommand,
  DescribeConfigRulesCommand,
  DescribeRemediationConfigurationsCommand,
  PutConfigRuleCommand,
  PutRemediationConfigurationsCommand,
} from '@aws-sdk/client-config-service';
import {
  AcceptHandshakeCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DeregisterDelegatedAdministratorCommand,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  InviteAccountToOrganizationCommand,
  LeaveOrganizationCommand,
  ListAccountsCommand,
  ListHandshakesForAccountCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { EventBridgeClient, ListRulesCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CERTIFICATE, SSH_KEY } from '../fixtures/credentials';
import { startMoto, type MotoServer } from '../support/moto';
import { accountApi, createMember, createOrganization, CUSTOMER_MANAGEMENT, organizationsAs, READY_TO_STAND_ALONE, setStanding, type Member } from '../support/departure-org';

jest.setTimeout(60_000);

let server: MotoServer;
let iam: IAMClient;

beforeAll(async () => {
  server = await startMoto();
  iam = new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});
afterAll(async () => {
  iam?.destroy();
  await server?.stop();
});
beforeEach(() => server.reset());

const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}';
const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
const policyArn = (name: string) => `arn:aws:iam::123456789012:policy/${name}`;

/**
 * The error AWS sends: its Code on the wire, the HTTP status the IAM model gives that code, and the exception
 * class the SDK makes of it (a Code the model does not declare, such as ValidationError, keeps its own name).
 */
const ERRORS = {
  DeleteConflict: { name: 'DeleteConflictException', status: 409 },
  UnmodifiableEntity: { name: 'UnmodifiableEntityException', status: 400 },
  NoSuchEntity: { name: 'NoSuchEntityException', status: 404 },
  ValidationError: { name: 'ValidationError', status: 400 },
};
const awsError = (code: keyof typeof ERRORS, message: string | RegExp) => ({
  Code: code,
  name: ERRORS[code].name,
  message: typeof message === 'string' ? message : expect.stringMatching(message),
  $metadata: expect.objectContaining({ httpStatusCode: ERRORS[code].status }),
});
const deleteConflict = (message: string) => awsError('DeleteConflict', message);

/** Runs `count` calls, a few at a time (the server answers requests in parallel). */
async function times(count: number, call: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += 10) {
    await Promise.all(Array.from({ length: Math.min(10, count - start) }, (_, k) => call(start + k)));
  }
}

const createRole = (RoleName: string, Path?: string) => iam.send(new CreateRoleCommand({ RoleName, Path, AssumeRolePolicyDocument: TRUST }));
const createPolicy = (PolicyName: string) => iam.send(new CreatePolicyCommand({ PolicyName, PolicyDocument: DOC }));

/** A thing that blocks a deletion: `add` creates it and returns what removes it again. */
type Blocker = [what: string, add: () => Promise<() => Promise<unknown>>, message: string];

describe('(a) DeletePolicy', () => {
  const attachments: Blocker[] = [
    [
      'a role',
      async () => {
        await createRole('R');
        await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn('P') }));
        return () => iam.send(new DetachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn('P') }));
      },
      'Cannot delete a policy attached to entities.',
    ],
    [
      'a user',
      async () => {
        await iam.send(new CreateUserCommand({ UserName: 'U' }));
        await iam.send(new AttachUserPolicyCommand({ UserName: 'U', PolicyArn: policyArn('P') }));
        return () => iam.send(new DetachUserPolicyCommand({ UserName: 'U', PolicyArn: policyArn('P') }));
      },
      'Cannot delete a policy attached to entities.',
    ],
    [
      'a group',
      async () => {
        await iam.send(new CreateGroupCommand({ GroupName: 'G' }));
        await iam.send(new AttachGroupPolicyCommand({ GroupName: 'G', PolicyArn: policyArn('P') }));
        return () => iam.send(new DetachGroupPolicyCommand({ GroupName: 'G', PolicyArn: policyArn('P') }));
      },
      'Cannot delete a policy attached to entities.',
    ],
  ];
  test.each(attachments)('is refused while the policy is attached to %s', async (_what, attach, message) => {
    await createPolicy('P');
    const detach = await attach();
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: policyArn('P') }))).rejects.toMatchObject(deleteConflict(message));
    await detach();
    await iam.send(new DeletePolicyCommand({ PolicyArn: policyArn('P') }));
  });

  test('is refused while the policy has a version other than the default', async () => {
    await createPolicy('P');
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn('P'), PolicyDocument: DOC, SetAsDefault: true }));
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: policyArn('P') }))).rejects.toMatchObject(
      deleteConflict(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      ),
    );
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn('P'), VersionId: 'v1' }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: policyArn('P') }));
  });
});

describe('(b) DeleteRole', () => {
  test('is refused for a service-linked role, which DeleteServiceLinkedRole still removes', async () => {
    await createRole('AWSServiceRoleForSupport', '/aws-service-role/support.amazonaws.com/');
    const { Role } = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticbeanstalk.amazonaws.com' }));
    for (const name of ['AWSServiceRoleForSupport', Role!.RoleName!]) {
      await expect(iam.send(new DeleteRoleCommand({ RoleName: name }))).rejects.toMatchObject(
        awsError('UnmodifiableEntity', `Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`),
      );
    }
    await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: Role!.RoleName! }));
    await expect(iam.send(new GetRoleCommand({ RoleName: Role!.RoleName! }))).rejects.toMatchObject(awsError('NoSuchEntity', /cannot be found|not found/));
  });

  // moto enforces these itself.
  const blockers: Blocker[] = [
    [
      'an attached policy',
      async () => {
        await createPolicy('P');
        await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn('P') }));
        return () => iam.send(new DetachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn('P') }));
      },
      'Cannot delete entity, must detach all policies first.',
    ],
    [
      'an inline policy',
      async () => {
        await iam.send(new PutRolePolicyCommand({ RoleName: 'R', PolicyName: 'inline', PolicyDocument: DOC }));
        return () => iam.send(new DeleteRolePolicyCommand({ RoleName: 'R', PolicyName: 'inline' }));
      },
      'Cannot delete entity, must delete policies first.',
    ],
    [
      'an instance profile',
      async () => {
        await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'IP' }));
        await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'IP', RoleName: 'R' }));
        return () => iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'IP', RoleName: 'R' }));
      },
      'Cannot delete entity, must remove roles from instance profile first.',
    ],
  ];
  test.each(blockers)('is refused while the role has %s (moto enforces this itself)', async (_what, add, message) => {
    await createRole('R');
    const remove = await add();
    await expect(iam.send(new DeleteRoleCommand({ RoleName: 'R' }))).rejects.toMatchObject(deleteConflict(message));
    await remove();
    await iam.send(new DeleteRoleCommand({ RoleName: 'R' }));
  });
});

test('(c) DeleteInstanceProfile is refused while the profile holds a role (moto enforces this itself)', async () => {
  await createRole('R');
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'IP' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'IP', RoleName: 'R' }));
  await expect(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'IP' }))).rejects.toMatchObject(
    deleteConflict('Cannot delete entity, must remove roles from instance profile first.'),
  );
  await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'IP', RoleName: 'R' }));
  await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'IP' }));
});

test('(c2) RemoveRoleFromInstanceProfile of a role the profile does not hold answers NoSuchEntity (moto alone: HTTP 500)', async () => {
  await createRole('R');
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'IP' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'IP', RoleName: 'R' }));
  await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'IP', RoleName: 'R' }));
  // A retry whose first answer was lost: the role already left.
  await expect(iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'IP', RoleName: 'R' }))).rejects.toMatchObject(
    awsError('NoSuchEntity', 'The role with name R is not in instance profile IP.'),
  );
});

test('(d) ListEntitiesForPolicy pages past 100 principals of every kind', async () => {
  await createPolicy('Wide');
  await times(150, async (i) => {
    await createRole(`r${i}`);
    await iam.send(new AttachRolePolicyCommand({ RoleName: `r${i}`, PolicyArn: policyArn('Wide') }));
  });
  await times(3, async (i) => {
    await iam.send(new CreateUserCommand({ UserName: `u${i}` }));
    await iam.send(new AttachUserPolicyCommand({ UserName: `u${i}`, PolicyArn: policyArn('Wide') }));
    await iam.send(new CreateGroupCommand({ GroupName: `g${i}` }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: `g${i}`, PolicyArn: policyArn('Wide') }));
  });

  const first = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArn('Wide') }));
  expect(first).toMatchObject({ IsTruncated: true, Marker: expect.any(String) });
  const firstCount = [first.PolicyRoles, first.PolicyUsers, first.PolicyGroups].reduce((sum, list) => sum + (list ?? []).length, 0);
  expect(firstCount).toBe(100); // MaxItems defaults to 100

  const roles: string[] = [];
  const others: string[] = [];
  for await (const page of paginateListEntitiesForPolicy({ client: iam }, { PolicyArn: policyArn('Wide') })) {
    roles.push(...(page.PolicyRoles ?? []).map((r) => r.RoleName!));
    others.push(...(page.PolicyUsers ?? []).map((u) => u.UserName!), ...(page.PolicyGroups ?? []).map((g) => g.GroupName!));
  }
  expect(roles).toHaveLength(150);
  expect(new Set(roles)).toEqual(new Set(Array.from({ length: 150 }, (_, i) => `r${i}`)));
  expect(others.sort()).toEqual(['g0', 'g1', 'g2', 'u0', 'u1', 'u2']);
});

describe('(e) GetAccountAuthorizationDetails', () => {
  const FILTER = ['User', 'Group', 'Role', 'LocalManagedPolicy'] as const;

  test('names each policy and pages across all four lists', async () => {
    await times(3, async (i) => {
      await iam.send(new CreateUserCommand({ UserName: `u${i}` }));
      await iam.send(new CreateGroupCommand({ GroupName: `g${i}` }));
      await createRole(`r${i}`);
      await createPolicy(`p${i}`);
    });

    const first = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: [...FILTER], MaxItems: 5 }));
    expect(first).toMatchObject({ IsTruncated: true, Marker: expect.any(String) });

    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateGetAccountAuthorizationDetails({ client: iam, pageSize: 5 }, { Filter: [...FILTER] })) {
      pages++;
      seen.push(
        ...(page.UserDetailList ?? []).map((u) => u.UserName!),
        ...(page.GroupDetailList ?? []).map((g) => g.GroupName!),
        ...(page.RoleDetailList ?? []).map((r) => r.RoleName!),
      );
      for (const policy of page.Policies ?? []) {
        expect(policy).toMatchObject({ PolicyName: expect.stringMatching(/^p\d$/), PolicyId: expect.stringMatching(/^\w+$/) });
        seen.push(policy.PolicyName!);
      }
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['g0', 'g1', 'g2', 'p0', 'p1', 'p2', 'r0', 'r1', 'r2', 'u0', 'u1', 'u2']);
  });

  test('answers at most 100 entries a page, as AWS may, so callers must follow IsTruncated', async () => {
    await times(120, (i) => createRole(`r${i}`));
    const first = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000 }));
    expect(first).toMatchObject({ IsTruncated: true, RoleDetailList: expect.any(Array) });
    expect(first.RoleDetailList!.length).toBeLessThan(120);
    const roles: string[] = [];
    for await (const page of paginateGetAccountAuthorizationDetails({ client: iam, pageSize: 1000 }, { Filter: ['Role'] })) {
      roles.push(...(page.RoleDetailList ?? []).map((r) => r.RoleName!));
    }
    expect(new Set(roles).size).toBe(120);
  });
});

test('(f) ListUsers and ListGroups page with MaxItems and Marker', async () => {
  await times(7, async (i) => {
    await iam.send(new CreateUserCommand({ UserName: `u${i}` }));
    await iam.send(new CreateGroupCommand({ GroupName: `g${i}` }));
  });
  const first = await iam.send(new ListUsersCommand({ MaxItems: 3 }));
  expect(first).toMatchObject({ IsTruncated: true, Marker: expect.any(String) });
  expect(first.Users).toHaveLength(3);

  const users: string[] = [];
  for await (const page of paginateListUsers({ client: iam, pageSize: 3 }, {})) users.push(...(page.Users ?? []).map((u) => u.UserName!));
  const groups: string[] = [];
  let groupPages = 0;
  for await (const page of paginateListGroups({ client: iam, pageSize: 3 }, {})) {
    groupPages++;
    groups.push(...(page.Groups ?? []).map((g) => g.GroupName!));
  }
  expect(users.sort()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
  expect(groups.sort()).toEqual(['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6']);
  expect(groupPages).toBe(3);
});

describe('(g) DeleteUser is refused while anything hangs off the user', () => {
  const U = 'provider-user';
  const blockers: Blocker[] = [
    [
      'an access key',
      async () => {
        const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: U }));
        return () => iam.send(new DeleteAccessKeyCommand({ UserName: U, AccessKeyId: AccessKey!.AccessKeyId! }));
      },
      'Cannot delete entity, must delete access keys first.',
    ],
    [
      'a login profile',
      async () => {
        await iam.send(new CreateLoginProfileCommand({ UserName: U, Password: 'Passw0rd!Passw0rd!' }));
        return () => iam.send(new DeleteLoginProfileCommand({ UserName: U }));
      },
      'Cannot delete entity, must delete login profile first.',
    ],
    [
      'an MFA device',
      async () => {
        const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${U}-mfa` }));
        const SerialNumber = VirtualMFADevice!.SerialNumber!;
        await iam.send(new EnableMFADeviceCommand({ UserName: U, SerialNumber, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
        return () => iam.send(new DeactivateMFADeviceCommand({ UserName: U, SerialNumber }));
      },
      'Cannot delete entity, must delete MFA device first.',
    ],
    [
      'a signing certificate',
      async () => {
        const { Certificate } = await iam.send(new UploadSigningCertificateCommand({ UserName: U, CertificateBody: CERTIFICATE }));
        return () => iam.send(new DeleteSigningCertificateCommand({ UserName: U, CertificateId: Certificate!.CertificateId! }));
      },
      'Cannot delete entity, must delete certificates first.',
    ],
    [
      'an SSH public key',
      async () => {
        const { SSHPublicKey } = await iam.send(new UploadSSHPublicKeyCommand({ UserName: U, SSHPublicKeyBody: SSH_KEY }));
        return () => iam.send(new DeleteSSHPublicKeyCommand({ UserName: U, SSHPublicKeyId: SSHPublicKey!.SSHPublicKeyId! }));
      },
      'Cannot delete entity, must remove referenced objects first.',
    ],
    [
      'a group membership',
      async () => {
        await iam.send(new CreateGroupCommand({ GroupName: 'G' }));
        await iam.send(new AddUserToGroupCommand({ GroupName: 'G', UserName: U }));
        return () => iam.send(new RemoveUserFromGroupCommand({ GroupName: 'G', UserName: U }));
      },
      'Cannot delete entity, must remove users from group first.',
    ],
    [
      'an inline policy (moto enforces this itself)',
      async () => {
        await iam.send(new PutUserPolicyCommand({ UserName: U, PolicyName: 'inline', PolicyDocument: DOC }));
        return () => iam.send(new DeleteUserPolicyCommand({ UserName: U, PolicyName: 'inline' }));
      },
      'Cannot delete entity, must delete policies first.',
    ],
    [
      'an attached policy (moto enforces this itself)',
      async () => {
        await createPolicy('P');
        await iam.send(new AttachUserPolicyCommand({ UserName: U, PolicyArn: policyArn('P') }));
        return () => iam.send(new DetachUserPolicyCommand({ UserName: U, PolicyArn: policyArn('P') }));
      },
      'Cannot delete entity, must detach all policies first.',
    ],
  ];
  test.each(blockers)('with %s', async (_what, add, message) => {
    await iam.send(new CreateUserCommand({ UserName: U }));
    const remove = await add();
    await expect(iam.send(new DeleteUserCommand({ UserName: U }))).rejects.toMatchObject(deleteConflict(message));
    await remove(); // and that alone lets the user go
    await iam.send(new DeleteUserCommand({ UserName: U }));
  });
});

describe('(g) DeleteGroup is refused while the group has members or policies', () => {
  const blockers: Blocker[] = [
    [
      'a member',
      async () => {
        await iam.send(new CreateUserCommand({ UserName: 'member' }));
        await iam.send(new AddUserToGroupCommand({ GroupName: 'G', UserName: 'member' }));
        return () => iam.send(new RemoveUserFromGroupCommand({ GroupName: 'G', UserName: 'member' }));
      },
      'Cannot delete entity, must remove users from group first.',
    ],
    [
      'an inline policy',
      async () => {
        await iam.send(new PutGroupPolicyCommand({ GroupName: 'G', PolicyName: 'inline', PolicyDocument: DOC }));
        return () => iam.send(new DeleteGroupPolicyCommand({ GroupName: 'G', PolicyName: 'inline' }));
      },
      'Cannot delete entity, must delete policies first.',
    ],
    [
      'an attached policy',
      async () => {
        await createPolicy('P');
        await iam.send(new AttachGroupPolicyCommand({ GroupName: 'G', PolicyArn: policyArn('P') }));
        return () => iam.send(new DetachGroupPolicyCommand({ GroupName: 'G', PolicyArn: policyArn('P') }));
      },
      'Cannot delete entity, must detach all policies first.',
    ],
  ];
  test.each(blockers)('with %s', async (_what, add, message) => {
    await iam.send(new CreateGroupCommand({ GroupName: 'G' }));
    const remove = await add();
    await expect(iam.send(new DeleteGroupCommand({ GroupName: 'G' }))).rejects.toMatchObject(deleteConflict(message));
    await remove();
    await iam.send(new DeleteGroupCommand({ GroupName: 'G' }));
  });
});

test('(h) ListServiceSpecificCredentials answers an empty list (moto alone: HTTP 500)', async () => {
  await iam.send(new CreateUserCommand({ UserName: 'U' }));
  const answer = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'U' }));
  expect(answer.ServiceSpecificCredentials).toEqual([]);
  await expect(iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'nobody' }))).rejects.toMatchObject(awsError('NoSuchEntity', 'The user with name nobody cannot be found.'));
});

test('(t) a SAML provider keeps the tags it was created with, and GetSAMLProvider answers them (moto alone: dropped)', async () => {
  const metadata = '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"/>';
  const Tags = [{ Key: 'owner', Value: 'provider' }, { Key: 'empty', Value: '' }];
  const { SAMLProviderArn } = await iam.send(new CreateSAMLProviderCommand({ Name: 'Tagged', SAMLMetadataDocument: metadata, Tags }));
  expect(await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn }))).toMatchObject({ SAMLMetadataDocument: metadata, Tags });
  const untagged = await iam.send(new CreateSAMLProviderCommand({ Name: 'Untagged', SAMLMetadataDocument: metadata }));
  expect((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: untagged.SAMLProviderArn }))).Tags ?? []).toEqual([]);
  const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  await expect(iam.send(new CreateSAMLProviderCommand({ Name: 'Crowded', SAMLMetadataDocument: metadata, Tags: tooMany }))).rejects.toMatchObject(awsError('ValidationError', /Member must have length less than or equal to 50/));
});

describe('(m) AWS Config remediation configurations', () => {
  const config = () => new ConfigServiceClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const putRule = (client: ConfigServiceClient, name: string) =>
    client.send(new PutConfigRuleCommand({ ConfigRule: { ConfigRuleName: name, Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_VERSIONING_ENABLED' } } }));
  const remediation = (ConfigRuleName: string) => ({ ConfigRuleName, TargetType: 'SSM_DOCUMENT' as const, TargetId: 'AWS-EnableS3BucketVersioning' });

  test('DeleteConfigRule is refused while the rule has a remediation (moto alone deletes it); deleting the remediation first lets it go', async () => {
    const client = config();
    await putRule(client, 'CTLVersioning');
    await client.send(new PutRemediationConfigurationsCommand({ RemediationConfigurations: [remediation('CTLVersioning')] }));
    await expect(client.send(new DeleteConfigRuleCommand({ ConfigRuleName: 'CTLVersioning' }))).rejects.toMatchObject({ name: 'ResourceInUseException' });
    const { RemediationConfigurations } = await client.send(new DescribeRemediationConfigurationsCommand({ ConfigRuleNames: ['CTLVersioning', 'other'] }));
    expect(RemediationConfigurations).toEqual([expect.objectContaining(remediation('CTLVersioning'))]);
    await client.send(new DeleteRemediationConfigurationCommand({ ConfigRuleName: 'CTLVersioning' }));
    await client.send(new DeleteConfigRuleCommand({ ConfigRuleName: 'CTLVersioning' }));
    expect((await client.send(new DescribeConfigRulesCommand({}))).ConfigRules ?? []).toEqual([]);
  });

  test('the model: a missing remediation is NoSuchRemediationConfigurationException, more than 25 rule names are refused', async () => {
    const client = config();
    await expect(client.send(new DeleteRemediationConfigurationCommand({ ConfigRuleName: 'none' }))).rejects.toMatchObject({ name: 'NoSuchRemediationConfigurationException' });
    const names = Array.from({ length: 26 }, (_, i) => `rule${i}`);
    await expect(client.send(new DescribeRemediationConfigurationsCommand({ ConfigRuleNames: names }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(client.send(new PutRemediationConfigurationsCommand({ RemediationConfigurations: [{ ConfigRuleName: 'x' } as never] }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

test('(i) policy documents come URL-encoded, as AWS sends them', async () => {
  await createRole('R');
  await createPolicy('P');
  const encoded = (document: string | undefined) => {
    expect(document).toMatch(/^%7B/); // "{" encoded
    return JSON.parse(decodeURIComponent(document!));
  };
  const { Roles } = await iam.send(new ListRolesCommand({}));
  expect(encoded(Roles![0].AssumeRolePolicyDocument)).toEqual(JSON.parse(TRUST));
  const details = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
  expect(encoded(details.RoleDetailList![0].AssumeRolePolicyDocument)).toEqual(JSON.parse(TRUST));
  const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn('P'), VersionId: 'v1' }));
  expect(encoded(PolicyVersion!.Document)).toEqual(JSON.parse(DOC));
  // moto already encoded these; they must not be encoded twice.
  expect(encoded((await iam.send(new GetRoleCommand({ RoleName: 'R' }))).Role!.AssumeRolePolicyDocument)).toEqual(JSON.parse(TRUST));
  const [policy] = (await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['LocalManagedPolicy'] }))).Policies!;
  expect(encoded(policy.PolicyVersionList![0].Document)).toEqual(JSON.parse(DOC));
});

test('paging rejects MaxItems outside 1..1000 and markers it never gave out, as AWS does', async () => {
  await expect(iam.send(new ListUsersCommand({ MaxItems: 1001 }))).rejects.toMatchObject(awsError('ValidationError', /maxItems.*less than or equal to 1000/));
  await expect(iam.send(new ListUsersCommand({ Marker: 'not-a-marker' }))).rejects.toMatchObject(awsError('ValidationError', /marker/i));
});

test('a StackSet instance is named StackSet-<set>-<id>, as in AWS (moto alone puts a ":" in it, which breaks derived names)', async () => {
  const cfn = new CloudFormationClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const template = JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } });
  await cfn.send(new CreateStackSetCommand({ StackSetName: 'rollout', TemplateBody: template, PermissionModel: 'SELF_MANAGED' }));
  await cfn.send(new CreateStackInstancesCommand({ StackSetName: 'rollout', Accounts: ['123456789012'], Regions: ['us-east-1'] }));
  const names = ((await cfn.send(new ListStacksCommand({}))).StackSummaries ?? []).map((s) => s.StackName);
  expect(names).toEqual([expect.stringMatching(/^StackSet-rollout-[0-9a-f-]{36}$/)]);
});

describe('StackSets, as the rollout uses them', () => {
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const client = <T>(Client: new (config: object) => T, creds: object = credentials) => new Client({ endpoint: server.endpoint, region: 'us-east-1', credentials: creds });
  /** An instance template with two parameters, to see which values an instance gets. */
  const BODY = JSON.stringify({
    Parameters: { Mode: { Type: 'String', Default: 'template-default' }, Other: { Type: 'String', Default: 'template-default' } },
    Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
  });
  const stackSetResource = (properties: object) => ({
    Type: 'AWS::CloudFormation::StackSet',
    Properties: { TemplateBody: BODY, Capabilities: ['CAPABILITY_IAM'], Parameters: [{ ParameterKey: 'Mode', ParameterValue: 'plan' }, { ParameterKey: 'Other', ParameterValue: 'from-stackset' }], ...properties },
  });
  let deployed = 0; // a refused stack stays (in AWS, rolled back): each deploy has a name of its own
  const deploy = (resources: object) =>
    client(CloudFormationClient).send(new CreateStackCommand({ StackName: `rollout-${++deployed}`, TemplateBody: JSON.stringify({ Resources: resources }), Capabilities: ['CAPABILITY_IAM'] }));
  const instancesOf = async (StackSetName: string) =>
    ((await client(CloudFormationClient).send(new ListStackInstancesCommand({ StackSetName }))).Summaries ?? []).map((i) => i.Account!).sort();

  /** A member account's CloudFormation, through the role Organizations creates in it. */
  const memberCfn = async (account: string) => {
    const { Credentials } = await client(STSClient).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: 'check' }));
    return client(CloudFormationClient, { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! });
  };
  const stacksIn = async (account: string) => ((await (await memberCfn(account)).send(new ListStacksCommand({}))).StackSummaries ?? []).map((s) => s.StackName);

  /** An organization: OU `ou` holding accounts a and b, and its child OU holding c (instances reach every depth). */
  async function organization() {
    const orgs = client(OrganizationsClient);
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const root = (await orgs.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    const ou = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'customers' }))).OrganizationalUnit!.Id!;
    const child = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: ou, Name: 'eu' }))).OrganizationalUnit!.Id!;
    const account = async (name: string, parent: string) => {
      const id = (await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }))).CreateAccountStatus!.AccountId!;
      await orgs.send(new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: parent }));
      return id;
    };
    return { ou, a: await account('a', ou), b: await account('b', ou), c: await account('c', child) };
  }

  test('(j) RetainStacksOnAccountRemoval is refused unless AutoDeployment is enabled, by the API and by the resource', async () => {
    const cfn = client(CloudFormationClient);
    const refused = awsError('ValidationError', 'Can only set RetainStacksOnAccountRemoval if AutoDeployment is enabled');
    const create = (StackSetName: string, AutoDeployment: object) =>
      cfn.send(new CreateStackSetCommand({ StackSetName, TemplateBody: BODY, PermissionModel: 'SERVICE_MANAGED', AutoDeployment }));
    await expect(create('off-but-retained', { Enabled: false, RetainStacksOnAccountRemoval: true })).rejects.toMatchObject(refused);
    await expect(create('unset-but-retained', { RetainStacksOnAccountRemoval: false })).rejects.toMatchObject(refused);
    await create('off', { Enabled: false });
    await create('on-and-retained', { Enabled: true, RetainStacksOnAccountRemoval: true });
    await expect(cfn.send(new UpdateStackSetCommand({ StackSetName: 'off', UsePreviousTemplate: true, AutoDeployment: { Enabled: false, RetainStacksOnAccountRemoval: true } }))).rejects.toMatchObject(refused);
    const { ou } = await organization();
    const targets = [{ Regions: ['us-east-1'], DeploymentTargets: { OrganizationalUnitIds: [ou] } }];
    await expect(deploy({ Cleanup: stackSetResource({ PermissionModel: 'SERVICE_MANAGED', AutoDeployment: { Enabled: false, RetainStacksOnAccountRemoval: true }, StackInstancesGroup: targets }) })).rejects.toMatchObject(refused);
  });

  test('(m) service-managed, one OU with several parameter sets is refused; a StackSet of its own for the overridden account is accepted', async () => {
    const { ou, a, b, c } = await organization();
    const regions = ['us-east-1'];
    const oneOuTwoSets = stackSetResource({
      PermissionModel: 'SERVICE_MANAGED',
      StackInstancesGroup: [
        { Regions: regions, DeploymentTargets: { OrganizationalUnitIds: [ou], Accounts: [a], AccountFilterType: 'DIFFERENCE' } },
        { Regions: regions, DeploymentTargets: { OrganizationalUnitIds: [ou], Accounts: [a], AccountFilterType: 'INTERSECTION' }, ParameterOverrides: [{ ParameterKey: 'Mode', ParameterValue: 'apply' }] },
      ],
    });
    await expect(deploy({ Cleanup: oneOuTwoSets })).rejects.toMatchObject(awsError('ValidationError', 'An OrganizationalUnitIds cannot be associated with more than one Parameters set'));
    // two accounts of one OU with the same overrides, in two groups, are still two parameter sets
    const twoGroupsSameValues = stackSetResource({
      PermissionModel: 'SERVICE_MANAGED',
      StackInstancesGroup: [a, b].map((account) => ({ Regions: regions, DeploymentTargets: { OrganizationalUnitIds: [ou], Accounts: [account], AccountFilterType: 'INTERSECTION' }, ParameterOverrides: [{ ParameterKey: 'Mode', ParameterValue: 'apply' }] })),
    });
    await expect(deploy({ Cleanup: twoGroupsSameValues })).rejects.toMatchObject(awsError('ValidationError', 'An OrganizationalUnitIds cannot be associated with more than one Parameters set'));
    await expect(deploy({ Cleanup: stackSetResource({ PermissionModel: 'SERVICE_MANAGED', StackInstancesGroup: [{ Regions: regions, DeploymentTargets: { OrganizationalUnitIds: [ou], Accounts: [a] } }] }) })).rejects.toMatchObject(
      awsError('ValidationError', 'AccountFilterType should be specified when both OrganizationalUnitIds and Accounts are provided'),
    );
    // The rollout's shape: the main StackSet leaves the account out (DIFFERENCE), its own StackSet deploys it alone.
    await deploy({
      Main: stackSetResource({ StackSetName: 'main', PermissionModel: 'SERVICE_MANAGED', AutoDeployment: { Enabled: false }, StackInstancesGroup: [{ Regions: regions, DeploymentTargets: { OrganizationalUnitIds: [ou], Accounts: [a], AccountFilterType: 'DIFFERENCE' } }] }),
      Alone: stackSetResource({
        StackSetName: 'alone',
        PermissionModel: 'SERVICE_MANAGED',
        StackInstancesGroup: [{ Regions: regions, DeploymentTargets: { OrganizationalUnitIds: [ou], Accounts: [a], AccountFilterType: 'INTERSECTION' }, ParameterOverrides: [{ ParameterKey: 'Mode', ParameterValue: 'apply' }] }],
      }),
    });
    // (l) every account of the OU at any depth, less the one left out; it is in the other StackSet alone
    expect(await instancesOf('main')).toEqual([b, c].sort());
    expect(await instancesOf('alone')).toEqual([a]);
    // (n) a service-managed instance is a stack in its member account, as in AWS (moto alone hides it)
    expect(await stacksIn(a)).toEqual([expect.stringMatching(/^StackSet-alone-[0-9a-f-]{36}$/)]);
  });

  test('(k) self-managed: an instance\'s overrides replace only the parameters they name; an account twice is refused', async () => {
    const { a, b } = await organization();
    const regions = ['us-east-1'];
    await expect(
      deploy({ Cleanup: stackSetResource({ PermissionModel: 'SELF_MANAGED', StackInstancesGroup: [{ Regions: regions, DeploymentTargets: { Accounts: [a, b] } }, { Regions: regions, DeploymentTargets: { Accounts: [a] } }] }) }),
    ).rejects.toMatchObject(awsError('ValidationError', `Stack instance [${a},us-east-1] is duplicated`));
    await deploy({
      Cleanup: stackSetResource({
        StackSetName: 'self',
        PermissionModel: 'SELF_MANAGED',
        StackInstancesGroup: [
          { Regions: regions, DeploymentTargets: { Accounts: [b] } },
          { Regions: regions, DeploymentTargets: { Accounts: [a] }, ParameterOverrides: [{ ParameterKey: 'Mode', ParameterValue: 'apply' }] },
        ],
      }),
    });
    expect(await instancesOf('self')).toEqual([a, b].sort());
    const parametersIn = async (account: string) => {
      const [stack] = (await (await memberCfn(account)).send(new DescribeStacksCommand({}))).Stacks ?? [];
      return Object.fromEntries((stack?.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
    };
    expect(await parametersIn(a)).toEqual({ Mode: 'apply', Other: 'from-stackset' });
    expect(await parametersIn(b)).toEqual({ Mode: 'plan', Other: 'from-stackset' });
  });
});

describe('S3: region and owner, as S3 answers them', () => {
  test('(o) a request signed for another region than the bucket\'s answers 301 with x-amz-bucket-region', async () => {
    const { S3Client, CreateBucketCommand, HeadBucketCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'far-away', CreateBucketConfiguration: { LocationConstraint: 'ap-southeast-2' } }));
    const error = await s3.send(new HeadBucketCommand({ Bucket: 'far-away' })).catch((e) => e);
    expect(error.$metadata.httpStatusCode).toBe(301);
    expect(error.$response.headers['x-amz-bucket-region']).toBe('ap-southeast-2');
    const near = new S3Client({ region: 'ap-southeast-2', endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await expect(near.send(new HeadBucketCommand({ Bucket: 'far-away' }))).resolves.toBeDefined();
  });

  test('(p) ExpectedBucketOwner of another account answers 403; the right one passes', async () => {
    const { S3Client, CreateBucketCommand, HeadBucketCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'owned-here' }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'owned-here', ExpectedBucketOwner: '999999999999' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'owned-here', ExpectedBucketOwner: '123456789012' }))).resolves.toBeDefined();
  });

  test('(q) a copy of an Intelligent-Tiering object in an archive access tier answers 403 InvalidObjectState', async () => {
    const { S3Client, CreateBucketCommand, PutObjectCommand, CopyObjectCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'tiered' }));
    await s3.send(new PutObjectCommand({ Bucket: 'tiered', Key: 'a/cold.json', Body: '{}', StorageClass: 'INTELLIGENT_TIERING' }));
    await expect(s3.send(new CopyObjectCommand({ Bucket: 'tiered', Key: 'copy.json', CopySource: 'tiered/a/cold.json' }))).resolves.toBeDefined();
    await fetch(`${server.endpoint}/strict-moto/archive-tier`, { method: 'POST', body: JSON.stringify({ bucket: 'tiered', key: 'a/cold.json' }) }).then((r) => r.arrayBuffer());
    await expect(s3.send(new CopyObjectCommand({ Bucket: 'tiered', Key: 'copy.json', CopySource: 'tiered/a/cold.json' }))).rejects.toMatchObject({ name: 'InvalidObjectState', $metadata: { httpStatusCode: 403 } });
  });

  test('(r) ListObjectVersions answers RestoreStatus for a restored archived object when asked, and only then', async () => {
    const { S3Client, CreateBucketCommand, PutObjectCommand, RestoreObjectCommand, ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'frozen' }));
    await s3.send(new PutObjectCommand({ Bucket: 'frozen', Key: 'restored', Body: 'x', StorageClass: 'DEEP_ARCHIVE' }));
    await s3.send(new PutObjectCommand({ Bucket: 'frozen', Key: 'still', Body: 'x', StorageClass: 'DEEP_ARCHIVE' }));
    await s3.send(new RestoreObjectCommand({ Bucket: 'frozen', Key: 'restored', RestoreRequest: { Days: 1 } }));
    const asked = (await s3.send(new ListObjectVersionsCommand({ Bucket: 'frozen', OptionalObjectAttributes: ['RestoreStatus'] }))).Versions!;
    expect(asked.find((v) => v.Key === 'restored')!.RestoreStatus).toEqual({ IsRestoreInProgress: false, RestoreExpiryDate: expect.any(Date) });
    expect(asked.find((v) => v.Key === 'still')!.RestoreStatus).toBeUndefined();
    const plain = (await s3.send(new ListObjectVersionsCommand({ Bucket: 'frozen' }))).Versions!;
    expect(plain.find((v) => v.Key === 'restored')!.RestoreStatus).toBeUndefined();
  });
});

test('(s) PutBucketLifecycleConfiguration keeps its TransitionDefaultMinimumObjectSize; one put without it gets all_storage_classes_128K', async () => {
  const { S3Client, CreateBucketCommand, PutBucketLifecycleConfigurationCommand, GetBucketLifecycleConfigurationCommand } = await import('@aws-sdk/client-s3');
  const s3 = new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await s3.send(new CreateBucketCommand({ Bucket: 'lifecycled' }));
  const LifecycleConfiguration = { Rules: [{ ID: 'x', Status: 'Enabled' as const, Filter: { Prefix: '' }, Expiration: { Days: 1 } }] };
  await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'lifecycled', TransitionDefaultMinimumObjectSize: 'varies_by_storage_class', LifecycleConfiguration }));
  expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lifecycled' }))).TransitionDefaultMinimumObjectSize).toBe('varies_by_storage_class');
  await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'lifecycled', LifecycleConfiguration }));
  expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lifecycled' }))).TransitionDefaultMinimumObjectSize).toBe('all_storage_classes_128K');
});
describe('readiness and leaving: what moto lacks, after the account and organizations models', () => {
  const orgs = () => organizationsAs(server);
  const asMember = (member: Member) => new OrganizationsClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: member.credentials });
  const orgError = (name: string, Reason?: string) => expect.objectContaining({ name, ...(Reason ? { Reason } : {}), $metadata: expect.objectContaining({ httpStatusCode: 400 }) });

  test('(r1) GetAccountSummary: AccountMFAEnabled and AccountAccessKeysPresent follow the root user (moto alone: always 0)', async () => {
    const summary = async () => (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    expect(await summary()).toMatchObject({ AccountMFAEnabled: 0, AccountAccessKeysPresent: 0 });
    await setStanding(server, '123456789012', { rootMfa: true, rootAccessKeys: true });
    expect(await summary()).toMatchObject({ AccountMFAEnabled: 1, AccountAccessKeysPresent: 1 });
  });

  test('(r2) Put/GetContactInformation: required fields, not found until given (moto alone: no such operation)', async () => {
    const account = accountApi(server);
    await expect(account.send('GetContactInformation')).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    await expect(account.send('PutContactInformation', { ContactInformation: { FullName: 'Jane Doe' } })).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    const info = { FullName: 'Jane Doe', AddressLine1: '1 Main St', City: 'Springfield', PostalCode: '12345', CountryCode: 'US', PhoneNumber: '+15555550100', WebsiteUrl: 'https://acme.example' };
    await account.send('PutContactInformation', { ContactInformation: info });
    expect(await account.send('GetContactInformation')).toEqual({ ContactInformation: info });
    // moto serves alternate contacts itself: not found until put.
    await expect(account.send('GetAlternateContact', { AlternateContactType: 'BILLING' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('(r3) LeaveOrganization: each refusal with its Reason, then the account leaves (moto alone: no such operation)', async () => {
    await expect(orgs().send(new LeaveOrganizationCommand({}))).rejects.toEqual(orgError('AWSOrganizationsNotInUseException'));
    await createOrganization(server);
    await expect(orgs().send(new LeaveOrganizationCommand({}))).rejects.toEqual(orgError('MasterCannotLeaveOrganizationException'));
    const member = await createMember(server, 'leaver');
    const leave = () => asMember(member).send(new LeaveOrganizationCommand({}));
    await expect(leave()).rejects.toEqual(orgError('ConstraintViolationException', 'WAIT_PERIOD_ACTIVE'));
    await setStanding(server, member.accountId, { createdDaysAgo: 5 });
    await expect(leave()).rejects.toEqual(orgError('ConstraintViolationException', 'ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA'));
    await setStanding(server, member.accountId, { eulaAccepted: true });
    await expect(leave()).rejects.toEqual(orgError('ConstraintViolationException', 'ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION'));
    await setStanding(server, member.accountId, { phoneVerified: true });
    await expect(leave()).rejects.toEqual(orgError('ConstraintViolationException', 'MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED'));
    await setStanding(server, member.accountId, { paymentMethod: true });
    await orgs().send(new RegisterDelegatedAdministratorCommand({ AccountId: member.accountId, ServicePrincipal: 'guardduty.amazonaws.com' }));
    await expect(leave()).rejects.toEqual(orgError('ConstraintViolationException', 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG'));
    await orgs().send(new DeregisterDelegatedAdministratorCommand({ AccountId: member.accountId, ServicePrincipal: 'guardduty.amazonaws.com' }));
    await leave();
    await expect(asMember(member).send(new DescribeOrganizationCommand({}))).rejects.toMatchObject({ name: 'AWSOrganizationsNotInUseException' });
    expect((await orgs().send(new ListAccountsCommand({}))).Accounts!.map((a) => a.Id)).not.toContain(member.accountId);
  });

  test('(r4-r6) invitations: listed for the invitee (paged), accepted only once it has left, refused as the model says', async () => {
    await createOrganization(server);
    const member = await createMember(server, 'invitee');
    const customerOrg = await createOrganization(server, CUSTOMER_MANAGEMENT);
    const customer = organizationsAs(server, CUSTOMER_MANAGEMENT);
    const invitations = await Promise.all([1, 2, 3].map(() => customer.send(new InviteAccountToOrganizationCommand({ Target: { Type: 'ACCOUNT', Id: member.accountId } }))));
    const first = invitations[0]!.Handshake!;
    expect(first).toMatchObject({ State: 'OPEN', Action: 'INVITE', Arn: `arn:aws:organizations::${CUSTOMER_MANAGEMENT}:handshake/${customerOrg}/invite/${first.Id}` });
    expect(first.Id).toMatch(/^h-[0-9a-z]{8,32}$/);
    const page = await asMember(member).send(new ListHandshakesForAccountCommand({ MaxResults: 2, Filter: { ActionType: 'INVITE' } }));
    expect(page.Handshakes).toHaveLength(2);
    const rest = await asMember(member).send(new ListHandshakesForAccountCommand({ MaxResults: 2, NextToken: page.NextToken }));
    expect([...page.Handshakes!, ...rest.Handshakes!].map((h) => h.Id).sort()).toEqual(invitations.map((i) => i.Handshake!.Id).sort());
    expect(rest.NextToken).toBeUndefined();
    expect((await orgs().send(new ListHandshakesForAccountCommand({}))).Handshakes).toEqual([]);

    const accept = (HandshakeId: string) => asMember(member).send(new AcceptHandshakeCommand({ HandshakeId }));
    await expect(accept('bogus')).rejects.toEqual(orgError('InvalidInputException'));
    await expect(accept('h-000000000000')).rejects.toEqual(orgError('HandshakeNotFoundException'));
    await expect(orgs().send(new AcceptHandshakeCommand({ HandshakeId: first.Id }))).rejects.toEqual(orgError('HandshakeNotFoundException'));
    await expect(accept(first.Id!)).rejects.toEqual(orgError('HandshakeConstraintViolationException', 'ALREADY_IN_AN_ORGANIZATION'));
    await setStanding(server, member.accountId, { ...READY_TO_STAND_ALONE, paymentMethod: true });
    await asMember(member).send(new LeaveOrganizationCommand({}));
    await setStanding(server, member.accountId, { paymentMethod: false });
    await expect(accept(first.Id!)).rejects.toEqual(orgError('HandshakeConstraintViolationException', 'PAYMENT_INSTRUMENT_REQUIRED'));
    await setStanding(server, member.accountId, { paymentMethod: true });
    expect((await accept(first.Id!)).Handshake).toMatchObject({ Id: first.Id, State: 'ACCEPTED' });
    await expect(accept(first.Id!)).rejects.toEqual(orgError('HandshakeAlreadyInStateException'));
    expect((await asMember(member).send(new DescribeOrganizationCommand({}))).Organization).toMatchObject({ Id: customerOrg, MasterAccountId: CUSTOMER_MANAGEMENT });
    expect((await customer.send(new DescribeAccountCommand({ AccountId: member.accountId }))).Account).toMatchObject({ JoinedMethod: 'INVITED' });
    // An invited account does not wait four days to leave again.
    await asMember(member).send(new LeaveOrganizationCommand({}));
  });

  test('(r7) a call IAM denies answers Organizations and the Account API in JSON, AccessDeniedException (moto alone: XML the SDK cannot parse)', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'nobody' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'nobody' }));
    const credentials = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    await server.enforceIam(0);
    try {
      const organizations = new OrganizationsClient({ endpoint: server.endpoint, region: 'us-east-1', credentials });
      await expect(organizations.send(new DescribeOrganizationCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
      await expect(accountApi(server, credentials).send('GetContactInformation')).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    } finally {
      await server.enforceIam(Infinity);
    }
  });

  test('the account standing control refuses what it does not know, and a reset forgets it', async () => {
    await expect(setStanding(server, '12345', {})).rejects.toThrow(/12-digit accountId/);
    await expect(setStanding(server, '123456789012', { rootMFA: true } as object)).rejects.toThrow(/unknown \['rootMFA'\]/);
    await setStanding(server, '123456789012', { rootMfa: true });
    await server.reset();
    expect((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap).toMatchObject({ AccountMFAEnabled: 0 });
  });
});

describe('regions: what moto lacks, after the account and IAM models', () => {
  const DEFAULTS = ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];
  type Page = { Regions: { RegionName: string; RegionOptStatus: string }[]; NextToken?: string };
  const list = (input: object = {}) => accountApi(server).send('ListRegions', input) as Promise<Page>;
  const validation = { name: 'ValidationException', $metadata: { httpStatusCode: 400 } };

  test('(r8) ListRegions: the default regions ENABLED_BY_DEFAULT, opt-in ones DISABLED until enabled, filtered and paged (moto alone: no such operation)', async () => {
    const all: Page['Regions'] = [];
    let NextToken: string | undefined;
    do {
      const page = await list({ MaxResults: 7, NextToken });
      expect(page.Regions.length).toBeLessThanOrEqual(7);
      all.push(...page.Regions);
      NextToken = page.NextToken;
    } while (NextToken);
    expect(all.filter((r) => r.RegionOptStatus === 'ENABLED_BY_DEFAULT').map((r) => r.RegionName).sort()).toEqual(DEFAULTS);
    expect(all.find((r) => r.RegionName === 'af-south-1')).toEqual({ RegionName: 'af-south-1', RegionOptStatus: 'DISABLED' });
    expect(all.every((r) => ['ENABLED_BY_DEFAULT', 'DISABLED'].includes(r.RegionOptStatus))).toBe(true);

    await setStanding(server, '123456789012', { regions: { 'af-south-1': 'ENABLED', 'ap-east-1': 'ENABLING' } });
    expect((await list({ RegionOptStatusContains: ['ENABLED'] })).Regions).toEqual([{ RegionName: 'af-south-1', RegionOptStatus: 'ENABLED' }]);
    expect((await list({ RegionOptStatusContains: ['ENABLING', 'DISABLING'] })).Regions).toEqual([{ RegionName: 'ap-east-1', RegionOptStatus: 'ENABLING' }]);
  });

  test('(r8) ListRegions refuses what the model refuses: MaxResults outside 1..50, an unknown status, a token it never gave', async () => {
    await expect(list({ MaxResults: 0 })).rejects.toMatchObject(validation);
    await expect(list({ MaxResults: 51 })).rejects.toMatchObject(validation);
    await expect(list({ RegionOptStatusContains: ['Enabled'] })).rejects.toMatchObject(validation);
    await expect(list({ NextToken: 'nope' })).rejects.toMatchObject(validation);
  });

  test('(r8) a default region cannot be enabled or disabled, and a reset forgets the opt-in regions', async () => {
    await expect(setStanding(server, '123456789012', { regions: { 'us-east-1': 'DISABLED' } })).rejects.toThrow(/not an opt-in Region/);
    await setStanding(server, '123456789012', { regions: { 'af-south-1': 'ENABLED' } });
    await server.reset();
    expect((await list({ RegionOptStatusContains: ['ENABLED'] })).Regions).toEqual([]);
  });

  test('(r9) RoleLastUsed names the region of the role\'s last use (moto alone: the date only)', async () => {
    await createRole('CTLDeveloperRole');
    const sts = new STSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/CTLDeveloperRole', RoleSessionName: 'provider' }));
    const session = { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
    await new STSClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials: session }).send(new GetCallerIdentityCommand({}));
    const { RoleDetailList } = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
    expect(RoleDetailList!.find((r) => r.RoleName === 'CTLDeveloperRole')!.RoleLastUsed).toEqual({ LastUsedDate: expect.any(Date), Region: 'eu-west-1' });
  });

  test('a request acts in the region its signature names: a rule put in eu-west-1 is listed there only (moto enforces this itself)', async () => {
    const events = (region: string) => new EventBridgeClient({ endpoint: server.endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await events('eu-west-1').send(new PutRuleCommand({ Name: 'CTLEverywhere', ScheduleExpression: 'rate(1 hour)' }));
    expect((await events('eu-west-1').send(new ListRulesCommand({}))).Rules!.map((r) => r.Arn)).toEqual(['arn:aws:events:eu-west-1:123456789012:rule/CTLEverywhere']);
    expect((await events('us-east-1').send(new ListRulesCommand({}))).Rules).toEqual([]);
  });
});

describe('(o) IAM eventual consistency, with --iam-propagation-seconds', () => {
  const WINDOW_S = 1;
  let slow: MotoServer;
  let client: IAMClient;
  beforeAll(async () => {
    slow = await startMoto({ iamPropagationSeconds: WINDOW_S });
    client = new IAMClient({ endpoint: slow.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await slow?.stop();
  });
  beforeEach(() => slow.reset());

  /** Each final delete, right after the detach that freed it, and the message AWS gives while it still sees the attachment. */
  const cases: [string, () => Promise<unknown>, () => Promise<unknown>, string][] = [
    [
      'DeleteRole after DetachRolePolicy',
      async () => {
        await client.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: TRUST }));
        await client.send(new CreatePolicyCommand({ PolicyName: 'P', PolicyDocument: DOC }));
        await client.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn('P') }));
        await client.send(new DetachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn('P') }));
      },
      () => client.send(new DeleteRoleCommand({ RoleName: 'R' })),
      'Cannot delete entity, must detach all policies first.',
    ],
    [
      'DeletePolicy after DetachRolePolicy',
      async () => {
        await client.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: TRUST }));
        await client.send(new CreatePolicyCommand({ PolicyName: 'P', PolicyDocument: DOC }));
        await client.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn('P') }));
        await client.send(new DetachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn('P') }));
      },
      () => client.send(new DeletePolicyCommand({ PolicyArn: policyArn('P') })),
      'Cannot delete a policy attached to entities.',
    ],
    [
      'DeleteUser after DeleteAccessKey',
      async () => {
        await client.send(new CreateUserCommand({ UserName: 'U' }));
        const { AccessKey } = await client.send(new CreateAccessKeyCommand({ UserName: 'U' }));
        await client.send(new DeleteAccessKeyCommand({ UserName: 'U', AccessKeyId: AccessKey!.AccessKeyId }));
      },
      () => client.send(new DeleteUserCommand({ UserName: 'U' })),
      'Cannot delete entity, must detach all policies first.',
    ],
    [
      'DeleteGroup after RemoveUserFromGroup',
      async () => {
        await client.send(new CreateUserCommand({ UserName: 'U' }));
        await client.send(new CreateGroupCommand({ GroupName: 'G' }));
        await client.send(new AddUserToGroupCommand({ GroupName: 'G', UserName: 'U' }));
        await client.send(new RemoveUserFromGroupCommand({ GroupName: 'G', UserName: 'U' }));
      },
      () => client.send(new DeleteGroupCommand({ GroupName: 'G' })),
      'Cannot delete entity, must remove users from group first.',
    ],
  ];

  test.each(cases)('%s answers DeleteConflict until the detach has propagated, then succeeds', async (_, freed, remove, message) => {
    await freed();
    await expect(remove()).rejects.toMatchObject(deleteConflict(message));
    await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000 + 100));
    await expect(remove()).resolves.toBeDefined();
  });

  test('an entity nothing was detached from is deleted at once, and moto without the option stays consistent', async () => {
    await client.send(new CreateRoleCommand({ RoleName: 'Fresh', AssumeRolePolicyDocument: TRUST }));
    await expect(client.send(new DeleteRoleCommand({ RoleName: 'Fresh' }))).resolves.toBeDefined();
    await createRole('R');
    await createPolicy('P');
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn('P') }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn('P') }));
    await expect(iam.send(new DeleteRoleCommand({ RoleName: 'R' }))).resolves.toBeDefined();
  });
});

describe('the sweep of resource policies: what moto lacks or answers otherwise than AWS', () => {
  const at = { endpoint: '', region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const config = () => ({ ...at, endpoint: server.endpoint });

  test('(s1) DescribeSnapshots RestorableByUserIds: only the snapshots shared with that account, or public for "all" (moto alone: every snapshot)', async () => {
    const { EC2Client, CreateVolumeCommand, CreateSnapshotCommand, ModifySnapshotAttributeCommand, DescribeSnapshotsCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = new EC2Client(config());
    const { VolumeId } = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 1 }));
    const snapshot = async () => (await ec2.send(new CreateSnapshotCommand({ VolumeId }))).SnapshotId!;
    const [shared, open, kept] = [await snapshot(), await snapshot(), await snapshot()];
    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: shared, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: ['589942003651'] }));
    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: open, Attribute: 'createVolumePermission', OperationType: 'add', GroupNames: ['all'] }));
    const restorableBy = async (who: string) => ((await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], RestorableByUserIds: [who] }))).Snapshots ?? []).map((s) => s.SnapshotId);
    expect(await restorableBy('589942003651')).toEqual([shared]);
    expect(await restorableBy('all')).toEqual([open]);
    expect(await restorableBy('444455556666')).toEqual([]);
    const own = ((await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? []).map((s) => s.SnapshotId);
    expect([shared, open, kept].every((id) => own.includes(id))).toBe(true);
    expect(((await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['444455556666'] }))).Snapshots ?? [])).toEqual([]);
  });

  test('(s2) RAM DisassociateResourceShare: the principals leave the share, the rest stays; an unknown share is UnknownResourceException (moto alone: no such operation)', async () => {
    const { RAMClient, CreateResourceShareCommand, DisassociateResourceShareCommand, GetResourceShareAssociationsCommand } = await import('@aws-sdk/client-ram');
    const ram = new RAMClient(config());
    const { resourceShare } = await ram.send(new CreateResourceShareCommand({ name: 'subnets', principals: ['589942003651', '444455556666'], resourceArns: ['arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1'] }));
    const arn = resourceShare!.resourceShareArn!;
    const answer = await ram.send(new DisassociateResourceShareCommand({ resourceShareArn: arn, principals: ['589942003651'] }));
    expect(answer.resourceShareAssociations).toEqual([expect.objectContaining({ associatedEntity: '589942003651', associationType: 'PRINCIPAL', status: 'DISASSOCIATING' })]);
    const left = await ram.send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [arn] }));
    expect(left.resourceShareAssociations!.map((a) => a.associatedEntity)).toEqual(['444455556666']);
    await expect(ram.send(new DisassociateResourceShareCommand({ resourceShareArn: `${arn}-gone`, principals: ['444455556666'] }))).rejects.toMatchObject({ name: 'UnknownResourceException' });
  });

  test('(s3) Access Analyzer: CreateAnalyzer, ListAnalyzers, ListFindings with filters, as the model says (moto alone: no such service)', async () => {
    const { AccessAnalyzerClient, CreateAnalyzerCommand, ListAnalyzersCommand, ListFindingsCommand } = await import('@aws-sdk/client-accessanalyzer');
    const analyzer = new AccessAnalyzerClient(config());
    const { arn } = await analyzer.send(new CreateAnalyzerCommand({ analyzerName: 'account', type: 'ACCOUNT' }));
    await expect(analyzer.send(new CreateAnalyzerCommand({ analyzerName: 'account', type: 'ACCOUNT' }))).rejects.toMatchObject({ name: 'ConflictException' });
    await expect(analyzer.send(new CreateAnalyzerCommand({ analyzerName: '1bad', type: 'ACCOUNT' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(analyzer.send(new CreateAnalyzerCommand({ analyzerName: 'x', type: 'EVERYTHING' as never }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect((await analyzer.send(new ListAnalyzersCommand({}))).analyzers).toEqual([expect.objectContaining({ arn, name: 'account', type: 'ACCOUNT', status: 'ACTIVE', createdAt: expect.any(Date) })]);
    expect((await analyzer.send(new ListAnalyzersCommand({ type: 'ORGANIZATION' }))).analyzers).toEqual([]);
    for (const [resource, AWS, status] of [['arn:aws:sqs:us-east-1:123456789012:q', '589942003651', 'ACTIVE'], ['arn:aws:sqs:us-east-1:123456789012:r', '444455556666', 'ACTIVE'], ['arn:aws:kms:us-east-1:123456789012:key/k', '589942003651', 'ARCHIVED']]) {
      const response = await fetch(`${server.endpoint}/strict-moto/access-analyzer-finding`, {
        method: 'POST',
        body: JSON.stringify({ account: '123456789012', region: 'us-east-1', analyzer: 'account', finding: { resource, resourceType: 'AWS::SQS::Queue', principal: { AWS }, status } }),
      });
      expect(response.status).toBe(200);
    }
    const list = async (filter: Record<string, { eq?: string[]; contains?: string[] }>, maxResults?: number) => analyzer.send(new ListFindingsCommand({ analyzerArn: arn, filter, maxResults }));
    expect((await list({ status: { eq: ['ACTIVE'] } })).findings!.map((f) => f.resource)).toEqual(['arn:aws:sqs:us-east-1:123456789012:q', 'arn:aws:sqs:us-east-1:123456789012:r']);
    expect((await list({ status: { eq: ['ACTIVE'] }, 'principal.AWS': { eq: ['589942003651'] } })).findings!.map((f) => f.resource)).toEqual(['arn:aws:sqs:us-east-1:123456789012:q']);
    const first = await list({}, 2);
    expect({ count: first.findings!.length, next: first.nextToken }).toEqual({ count: 2, next: '2' });
    expect(first.findings![0]).toEqual(expect.objectContaining({ id: expect.any(String), createdAt: expect.any(Date), resourceOwnerAccount: '123456789012', condition: {} }));
    await expect(analyzer.send(new ListFindingsCommand({ analyzerArn: `${arn}-gone` }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: expect.objectContaining({ httpStatusCode: 404 }) });
    // A reset forgets analyzers, as it forgets every other resource.
    await server.reset();
    expect((await analyzer.send(new ListAnalyzersCommand({}))).analyzers).toEqual([]);
  });

  test("(s4) Lambda stores an account principal as its root ARN, as AWS's GetPolicy shows it (moto alone: the bare account id)", async () => {
    const { LambdaClient, CreateFunctionCommand, AddPermissionCommand, GetPolicyCommand } = await import('@aws-sdk/client-lambda');
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'fn', AssumeRolePolicyDocument: TRUST }));
    const lambda = new LambdaClient(config());
    const zip = new Uint8Array(22);
    zip.set([0x50, 0x4b, 0x05, 0x06]);
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'fn', Runtime: 'nodejs20.x', Role: role.Role!.Arn, Handler: 'index.handler', Code: { ZipFile: zip } }));
    await lambda.send(new AddPermissionCommand({ FunctionName: 'fn', StatementId: 'Account', Action: 'lambda:InvokeFunction', Principal: '589942003651' }));
    await lambda.send(new AddPermissionCommand({ FunctionName: 'fn', StatementId: 'Service', Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' }));
    const statements = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'fn' }))).Policy!).Statement;
    expect(statements.map((s: { Principal: unknown }) => s.Principal)).toEqual([{ AWS: 'arn:aws:iam::589942003651:root' }, { Service: 'events.amazonaws.com' }]);
  });
});
