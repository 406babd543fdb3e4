/**
 * Seeds an IAM account the way the provider left it (test/fixtures/ctl-managed-account.json, copied from the
 * shared reference), next to what belongs to the customer or to AWS, so tests, the rehearsal and the
 * benchmark all start from the same realistic account.
 */
import {
  AddRoleToInstanceProfileCommand,
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  TagPolicyCommand,
} from '@aws-sdk/client-iam';
import reference from '../fixtures/ctl-managed-account.json';

export const PROVIDER_ACCOUNT = reference.providerAccountIds[0]!;
export const MANAGEMENT_ACCOUNT = '111122223333';

/** Customer groups: each has a policy of its own and, like every customer group, CTLCustomerPolicy. */
export const CUSTOMER_GROUPS = ['Administrators', 'Developers', 'Finance'] as const;

/** Roles that are not the provider's and that the engine must leave exactly as they are. */
export const PROTECTED_ROLES = [
  { name: 'OrganizationAccountAccessRole', path: '/', trust: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:root` } },
  { name: 'AWSCloudFormationStackSetExecutionRole', path: '/', trust: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:root` } },
  { name: 'stacksets-exec-0123456789abcdef0123456789abcdef', path: '/', trust: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:root` } },
  { name: 'AWSControlTowerExecution', path: '/', trust: { AWS: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:root` } },
  { name: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef', path: '/aws-reserved/sso.amazonaws.com/', trust: { Federated: 'arn:aws:iam::123456789012:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE' } },
  { name: 'AWSServiceRoleForSupport', path: '/aws-service-role/support.amazonaws.com/', trust: { Service: 'support.amazonaws.com' } },
  { name: 'cdk-hnb659fds-deploy-role-123456789012-us-east-1', path: '/', trust: { AWS: 'arn:aws:iam::123456789012:root' } },
] as const;

export const trustPolicy = (principal: Record<string, string>, condition?: object) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) }],
  });

const ALLOW_READ = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }] };

/** CTLCustomerPolicy's gist, from the provider's documentation. */
const CUSTOMER_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'DenyLeavingOrganization', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' },
    { Sid: 'DenyTouchingProvider', Effect: 'Deny', Action: ['iam:Delete*', 'iam:Detach*', 'iam:Put*'], Resource: ['arn:aws:iam::*:role/CTL*', 'arn:aws:iam::*:policy/CTL*'] },
    { Sid: 'DenyBilling', Effect: 'Deny', Action: 'aws-portal:View*', Resource: '*' },
  ],
};

export interface SeededAccount {
  readonly accountId: string;
  readonly policyArn: (name: string) => string;
}

/** Seeds the reference provider-managed account, with customer and AWS resources beside it. */
export async function seedReferenceAccount(iam: IAMClient, accountId: string): Promise<SeededAccount> {
  const policyArn = (name: string) => `arn:aws:iam::${accountId}:policy/${name}`;

  for (const policy of reference.policies) {
    const document = 'document' in policy ? policy.document : policy.name === 'CTLCustomerPolicy' ? CUSTOMER_POLICY : ALLOW_READ;
    await iam.send(new CreatePolicyCommand({ PolicyName: policy.name, PolicyDocument: JSON.stringify(document) }));
    const tags = 'tags' in policy ? (policy.tags as Record<string, string>) : undefined;
    if (tags) {
      await iam.send(new TagPolicyCommand({ PolicyArn: policyArn(policy.name), Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
    }
  }

  for (const role of reference.roles) {
    const condition = 'externalId' in role && role.externalId ? { StringEquals: { 'sts:ExternalId': 'cam-external-id' } } : undefined;
    const tags = 'tags' in role ? Object.entries(role.tags as Record<string, string>).map(([Key, Value]) => ({ Key, Value })) : undefined;
    await iam.send(new CreateRoleCommand({ RoleName: role.name, AssumeRolePolicyDocument: trustPolicy(role.trust as unknown as Record<string, string>, condition), Tags: tags }));
    for (const arn of ('alsoAttached' in role ? role.alsoAttached : undefined) ?? []) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: role.name, PolicyArn: arn }));
    }
  }
  for (const policy of reference.policies) {
    const roles = (policy.attachedTo as { roles?: string[] }).roles ?? [];
    for (const role of roles) await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn(policy.name) }));
  }
  // The provider's Lambda role also has an inline policy and an instance profile of the same name.
  await iam.send(new PutRolePolicyCommand({ RoleName: 'CTLAccountControlsLambdaRole', PolicyName: 'CTLLogs', PolicyDocument: JSON.stringify(ALLOW_READ) }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'CTLDeveloperRole' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'CTLDeveloperRole', RoleName: 'CTLDeveloperRole' }));

  for (const group of CUSTOMER_GROUPS) {
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new CreatePolicyCommand({ PolicyName: `${group}Policy`, PolicyDocument: JSON.stringify(ALLOW_READ) }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: policyArn(`${group}Policy`) }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: policyArn('CTLCustomerPolicy') }));
    await iam.send(new CreateUserCommand({ UserName: `${group.toLowerCase()}-user` }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: `${group.toLowerCase()}-user` }));
  }

  for (const role of PROTECTED_ROLES) {
    // An account created by AWS Organizations already has its OrganizationAccountAccessRole.
    await iam.send(new CreateRoleCommand({ RoleName: role.name, Path: role.path, AssumeRolePolicyDocument: trustPolicy(role.trust) })).catch((error) => {
      if (error?.name !== 'EntityAlreadyExistsException') throw error;
    });
  }
  // A customer application role with its own instance profile: not the provider's.
  await iam.send(new CreateRoleCommand({ RoleName: 'app-server', AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }) }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'app-server' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-server', RoleName: 'app-server' }));
  return { accountId, policyArn };
}
