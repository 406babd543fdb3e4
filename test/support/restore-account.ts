/**
 * A provider-managed account with every kind a departure removes and every edge restore must put back: the
 * reference account, plus paths, permissions boundaries, a policy with several versions (its first one deleted, so
 * version ids shift), instance profiles shared with customer roles, tags everywhere, inline and attached policies,
 * group memberships both ways, SAML and OIDC providers with the roles that trust them, a role that trusts another
 * provider role, customer principals holding provider policies, and the provider buckets with their settings.
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
  DeletePolicyVersionCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutBucketLifecycleConfigurationCommand, PutBucketPolicyCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { configBucketPolicy } from '../fixtures/config-bucket-policy';
import { seedReferenceAccount } from './reference-account';

export const ACCOUNT = '123456789012';
const arn = (kind: string, name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:${kind}${path}${name}`;
const document = (...actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
const trusting = (principal: Record<string, string>, action = 'sts:AssumeRole') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: action }] });
export const SAML_METADATA = `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sso.ctl.io/saml"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sso.ctl.io/saml/sso"/></md:IDPSSODescriptor>${'<!-- padding: AWS wants at least 1,000 characters of metadata -->'.repeat(14)}</md:EntityDescriptor>`;
export const PROVIDER_BUCKETS = [`config-bucket-${ACCOUNT}`, `ctlaudit-${ACCOUNT}`];

/** The buckets with their settings (config: a policy with a provider statement and a lifecycle rule and tags). */
export async function seedBuckets(s3: S3Client): Promise<void> {
  const [config, audit] = PROVIDER_BUCKETS as [string, string];
  for (const Bucket of PROVIDER_BUCKETS) await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: config, Policy: configBucketPolicy(config) }));
  await s3.send(new PutBucketTaggingCommand({ Bucket: config, Tagging: { TagSet: [{ Key: 'owner', Value: 'ctl' }] } }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: config,
      LifecycleConfiguration: { Rules: [{ ID: 'expire-old-logs', Status: 'Enabled', Filter: { Prefix: 'AWSLogs/' }, Expiration: { Days: 3650 } }] },
    }),
  );
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: audit,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ProviderAudit', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::589942003651:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${audit}/*` }] }),
    }),
  );
}

export async function seedRestoreAccount(iam: IAMClient, s3: S3Client): Promise<void> {
  await seedReferenceAccount(iam, ACCOUNT);
  const send = <T>(command: { input: T }) => iam.send(command as never);

  // Policies: a boundary, and one with versions v2..v4 (v1 deleted), v3 the default.
  await send(new CreatePolicyCommand({ PolicyName: 'CTLBoundary', Path: '/ops/', PolicyDocument: document('s3:*', 'ec2:Describe*'), Description: 'what provider principals may ever do', Tags: [{ Key: 'owner', Value: 'ctl' }] }));
  const opsPolicy = arn('policy', 'CTLOpsPolicy', '/ops/');
  await send(new CreatePolicyCommand({ PolicyName: 'CTLOpsPolicy', Path: '/ops/', PolicyDocument: document('ec2:Describe*') }));
  await send(new CreatePolicyVersionCommand({ PolicyArn: opsPolicy, PolicyDocument: document('ec2:Describe*', 's3:List*') }));
  await send(new CreatePolicyVersionCommand({ PolicyArn: opsPolicy, PolicyDocument: document('ec2:*'), SetAsDefault: true }));
  await send(new CreatePolicyVersionCommand({ PolicyArn: opsPolicy, PolicyDocument: document('ec2:*', 's3:*') }));
  await send(new DeletePolicyVersionCommand({ PolicyArn: opsPolicy, VersionId: 'v1' }));

  // Federation, and the roles that trust it.
  await send(new CreateSAMLProviderCommand({ Name: 'CTLSaml', SAMLMetadataDocument: SAML_METADATA, Tags: [{ Key: 'owner', Value: 'ctl' }] }));
  await send(new CreateOpenIDConnectProviderCommand({ Url: 'https://auth.ctl.io/tenant', ClientIDList: ['cam', 'sts.amazonaws.com'], ThumbprintList: ['a'.repeat(40)], Tags: [{ Key: 'owner', Value: 'ctl' }] }));
  await send(new CreateRoleCommand({ RoleName: 'CTLSamlRole', AssumeRolePolicyDocument: trusting({ Federated: arn('saml-provider', 'CTLSaml') }, 'sts:AssumeRoleWithSAML') }));
  await send(new CreateRoleCommand({ RoleName: 'CTLOidcRole', AssumeRolePolicyDocument: trusting({ Federated: arn('oidc-provider', 'auth.ctl.io/tenant') }, 'sts:AssumeRoleWithWebIdentity') }));

  // A role with everything: path, description, session length, boundary, tags, inline and attached policies, and an
  // instance profile of its own (with tags); a second role trusts it.
  await send(
    new CreateRoleCommand({
      RoleName: 'CTLOpsRole',
      Path: '/ops/',
      AssumeRolePolicyDocument: trusting({ AWS: 'arn:aws:iam::589942003651:root' }),
      Description: 'provider operations',
      MaxSessionDuration: 14400,
      PermissionsBoundary: arn('policy', 'CTLBoundary', '/ops/'),
      Tags: [{ Key: 'team', Value: 'ops' }, { Key: 'cost-center', Value: 'ctl-42' }],
    }),
  );
  await send(new PutRolePolicyCommand({ RoleName: 'CTLOpsRole', PolicyName: 'logs', PolicyDocument: document('logs:*') }));
  await send(new PutRolePolicyCommand({ RoleName: 'CTLOpsRole', PolicyName: 'tickets', PolicyDocument: document('support:*') }));
  await send(new AttachRolePolicyCommand({ RoleName: 'CTLOpsRole', PolicyArn: opsPolicy }));
  await send(new AttachRolePolicyCommand({ RoleName: 'CTLOpsRole', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
  await send(new CreateInstanceProfileCommand({ InstanceProfileName: 'CTLOpsRole', Path: '/ops/', Tags: [{ Key: 'team', Value: 'ops' }] }));
  await send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'CTLOpsRole', RoleName: 'CTLOpsRole' }));
  await send(new CreateRoleCommand({ RoleName: 'CTLChainRole', AssumeRolePolicyDocument: trusting({ AWS: arn('role', 'CTLOpsRole', '/ops/') }) }));

  // Instance profiles shared with the customer: a provider role in the customer's profile (the profile stays, the
  // role goes), and a provider-named profile holding a customer role (both stay).
  await send(new CreateRoleCommand({ RoleName: 'CTLWebRole', AssumeRolePolicyDocument: trusting({ Service: 'ec2.amazonaws.com' }) }));
  await send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web-server', Path: '/apps/' }));
  await send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web-server', RoleName: 'CTLWebRole' }));
  await send(new CreateRoleCommand({ RoleName: 'app-batch', AssumeRolePolicyDocument: trusting({ Service: 'ec2.amazonaws.com' }) }));
  await send(new CreateInstanceProfileCommand({ InstanceProfileName: 'CTLBatchProfile' }));
  await send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'CTLBatchProfile', RoleName: 'app-batch' }));

  // Users and groups: a provider user with a boundary, tags, policies and credentials in a customer group and a
  // provider group; the provider group also holds a customer user; a customer user holds a provider policy.
  await send(new CreateGroupCommand({ GroupName: 'CTLOperators', Path: '/ops/' }));
  await send(new PutGroupPolicyCommand({ GroupName: 'CTLOperators', PolicyName: 'pager', PolicyDocument: document('sns:Publish') }));
  await send(new AttachGroupPolicyCommand({ GroupName: 'CTLOperators', PolicyArn: opsPolicy }));
  await send(new CreateUserCommand({ UserName: 'CTLSupport', Path: '/support/', PermissionsBoundary: arn('policy', 'CTLBoundary', '/ops/'), Tags: [{ Key: 'email', Value: 'support@ctl.io' }] }));
  await send(new PutUserPolicyCommand({ UserName: 'CTLSupport', PolicyName: 'self', PolicyDocument: document('iam:ChangePassword') }));
  await send(new AttachUserPolicyCommand({ UserName: 'CTLSupport', PolicyArn: opsPolicy }));
  await send(new AddUserToGroupCommand({ GroupName: 'CTLOperators', UserName: 'CTLSupport' }));
  await send(new AddUserToGroupCommand({ GroupName: 'Administrators', UserName: 'CTLSupport' }));
  await send(new CreateAccessKeyCommand({ UserName: 'CTLSupport' }));
  await send(new CreateLoginProfileCommand({ UserName: 'CTLSupport', Password: 'Correct-Horse-9' }));
  await send(new AddUserToGroupCommand({ GroupName: 'CTLOperators', UserName: 'administrators-user' }));
  await send(new CreateUserCommand({ UserName: 'bob' }));
  await send(new AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: arn('policy', 'CTLCustomerPolicy') }));

  await seedBuckets(s3);
}
