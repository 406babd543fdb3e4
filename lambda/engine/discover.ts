/**
 * Discover: read the whole IAM graph once. GetAccountAuthorizationDetails returns every role (trust
 * policy, inline and attached policies, instance profiles, boundary, tags), user, group and customer-managed
 * policy (all versions, attachment counts) in a few pages, so nothing here calls Get* per entity. The only
 * per-entity reads are ListPolicyTags for the policies that may be kept, whose tags that call omits.
 */
import {
  GetLoginProfileCommand,
  GetOpenIDConnectProviderCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  ListPolicyTagsCommand,
  ListSAMLProvidersCommand,
  ListServiceSpecificCredentialsCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListAccessKeys,
  paginateListMFADevices,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from './aws';
import { DISCOVERY_CONCURRENCY, mapBounded } from './concurrency';
import { readAccount, type Permission } from './permissions';
import type { DepartureConfig } from './config';
import { errorName } from './aws';
import { discoverAutomation } from './discover-automation';
import { discoverBuckets } from './discover-buckets';
import type {
  CallerIdentity,
  Inventory,
  ManagedPolicy,
  OidcProvider,
  OrganizationStatus,
  PolicyDocument,
  Role,
  SamlProvider,
  User,
  UserCredentials,
} from './inventory';

/** Reads the account. `config` only narrows the few extra reads; the inventory itself is complete. */
/**
 * What discovery itself needs beyond each kind's own reads: STS GetCallerIdentity needs no permission, the
 * organization check does.
 */
export const DISCOVERY_PERMISSIONS: readonly Permission[] = [
  readAccount(['organizations:DescribeOrganization']),
];

export async function discover(clients: AwsClients, config: DepartureConfig): Promise<Inventory> {
  const readAt = new Date().toISOString();
  const caller = await callerIdentity(clients.sts);
  const [details, samlProviders, oidcProviders, organization, automation, buckets] = await Promise.all([
    readAuthorizationDetails(clients.iam),
    config.identities.samlProviders ? listSamlProviders(clients.iam) : [],
    config.identities.oidcProviders ? listOidcProviders(clients.iam) : [],
    organizationStatus(clients.organizations),
    discoverAutomation(clients),
    discoverBuckets(clients.s3, config.buckets, caller.accountId, caller.arn.split(':')[1] ?? 'aws'),
  ]);
  const keptPolicyNames = new Set(config.keepCamProvider ? config.camPolicyNames : []);
  const hasPrefix = (name: string) => config.prefixes.some((prefix) => name.startsWith(prefix));
  // One after the other, each bounded: the two together never exceed the bound.
  const policies = await mapBounded(details.policies, DISCOVERY_CONCURRENCY, async (policy) =>
    keptPolicyNames.has(policy.name) ? { ...policy, tags: await policyTags(clients.iam, policy.arn) } : policy,
  );
  // Only a user that may be deleted needs its credentials listed: six reads each, so not for everyone.
  const users = await mapBounded(details.users, DISCOVERY_CONCURRENCY, async (user): Promise<User> =>
    config.identities.users && hasPrefix(user.name) ? { ...user, credentials: await userCredentials(clients.iam, user.name) } : user,
  );
  return {
    accountId: caller.accountId,
    readAt,
    partition: caller.arn.split(':')[1] ?? 'aws',
    caller,
    roles: details.roles,
    users,
    groups: details.groups,
    policies,
    samlProviders,
    oidcProviders,
    organization,
    automation,
    buckets,
  };
}

async function userCredentials(iam: IAMClient, UserName: string): Promise<UserCredentials> {
  const all = async <T>(pages: AsyncIterable<T>, pick: (page: T) => string[]) => {
    const items: string[] = [];
    for await (const page of pages) items.push(...pick(page));
    return items;
  };
  const client = { client: iam };
  // One read after another: users are read DISCOVERY_CONCURRENCY at a time, and that is the whole bound.
  const accessKeyIds = await all(paginateListAccessKeys(client, { UserName }), (p) => (p.AccessKeyMetadata ?? []).map((k) => k.AccessKeyId!));
  const hasLoginProfile = await iam.send(new GetLoginProfileCommand({ UserName })).then(
    () => true,
    (error) => {
      if (errorName(error).startsWith('NoSuchEntity')) return false;
      throw error;
    },
  );
  const mfaSerials = await all(paginateListMFADevices(client, { UserName }), (p) => (p.MFADevices ?? []).map((d) => d.SerialNumber!));
  const signingCertificateIds = await all(paginateListSigningCertificates(client, { UserName }), (p) => (p.Certificates ?? []).map((c) => c.CertificateId!));
  const sshPublicKeyIds = await all(paginateListSSHPublicKeys(client, { UserName }), (p) => (p.SSHPublicKeys ?? []).map((k) => k.SSHPublicKeyId!));
  const serviceSpecific = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName }));
  return {
    accessKeyIds,
    hasLoginProfile,
    // A virtual device's serial number is its ARN (`...:mfa/<name>`); a FIDO security key's is an ARN too, but
    // `...:u2f/...`, and it is only deactivated; a hardware token has a plain serial.
    mfaDevices: mfaSerials.map((serialNumber) => ({ serialNumber, virtual: /^arn:[^:]+:iam::\d{12}:mfa\//.test(serialNumber) })),
    signingCertificateIds,
    sshPublicKeyIds,
    serviceSpecificCredentialIds: (serviceSpecific.ServiceSpecificCredentials ?? []).map((c) => c.ServiceSpecificCredentialId!),
  };
}

/** SAML providers are not paged, and their names are the last part of their ARNs. */
async function listSamlProviders(iam: IAMClient): Promise<SamlProvider[]> {
  const { SAMLProviderList } = await iam.send(new ListSAMLProvidersCommand({}));
  return (SAMLProviderList ?? []).map((p) => ({ arn: p.Arn!, name: p.Arn!.split('/').pop()! }));
}

/** OIDC providers are not paged; URL and tags need one Get each (an account has a handful). */
async function listOidcProviders(iam: IAMClient): Promise<OidcProvider[]> {
  const { OpenIDConnectProviderList } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  return mapBounded(OpenIDConnectProviderList ?? [], DISCOVERY_CONCURRENCY, async ({ Arn }) => {
      const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: Arn }));
    return { arn: Arn!, url: provider.Url ?? Arn!.split(':oidc-provider/')[1] ?? '', tags: tagMap(provider.Tags) };
  });
}

/** A standalone account answers AWSOrganizationsNotInUseException; a denied read is reported, not fatal. */
export async function organizationStatus(organizations: OrganizationsClient): Promise<OrganizationStatus> {
  try {
    const { Organization } = await organizations.send(new DescribeOrganizationCommand({}));
    return { status: 'member', id: Organization?.Id ?? '', managementAccountId: Organization?.MasterAccountId ?? '' };
  } catch (error) {
    if (errorName(error) === 'AWSOrganizationsNotInUseException') return { status: 'standalone' };
    return { status: 'unknown', error: `${errorName(error)}: ${(error as Error).message}` };
  }
}

export async function callerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  const arn = identity.Arn ?? '';
  // arn:aws:sts::123456789012:assumed-role/RoleName/session, or arn:aws:iam::123456789012:user/path/name
  const assumed = /:assumed-role\/([^/]+)\//.exec(arn);
  const user = /:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  return {
    accountId: identity.Account ?? '',
    arn,
    ...(assumed ? { roleName: assumed[1] } : {}),
    ...(user ? { userName: user[1] } : {}),
  };
}

type Details = Pick<Inventory, 'roles' | 'users' | 'groups' | 'policies'>;

async function readAuthorizationDetails(iam: IAMClient): Promise<Details> {
  const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
  // AWS-managed policies are left out: they cannot be deleted, and there are over a thousand of them.
  const paginator = paginateGetAccountAuthorizationDetails(
    { client: iam, pageSize: 1000 },
    { Filter: ['Role', 'User', 'Group', 'LocalManagedPolicy'] },
  );
  for await (const page of paginator) pages.push(page);

  return {
    roles: pages.flatMap((page) => page.RoleDetailList ?? []).map(
      (role): Role => ({
        name: role.RoleName!,
        arn: role.Arn!,
        path: role.Path ?? '/',
        trustPolicy: decodeDocument(role.AssumeRolePolicyDocument),
        inlinePolicyNames: (role.RolePolicyList ?? []).map((p) => p.PolicyName!),
        attachedPolicies: (role.AttachedManagedPolicies ?? []).map((p) => ({ name: p.PolicyName!, arn: p.PolicyArn! })),
        instanceProfiles: (role.InstanceProfileList ?? []).map((profile) => ({
          name: profile.InstanceProfileName!,
          arn: profile.Arn!,
          path: profile.Path ?? '/',
          roleNames: (profile.Roles ?? []).map((r) => r.RoleName!),
        })),
        ...(role.PermissionsBoundary?.PermissionsBoundaryArn
          ? { permissionsBoundaryArn: role.PermissionsBoundary.PermissionsBoundaryArn }
          : {}),
        tags: tagMap(role.Tags),
      }),
    ),
    users: pages.flatMap((page) => page.UserDetailList ?? []).map((user) => ({
      name: user.UserName!,
      arn: user.Arn!,
      path: user.Path ?? '/',
      inlinePolicyNames: (user.UserPolicyList ?? []).map((p) => p.PolicyName!),
      attachedPolicies: (user.AttachedManagedPolicies ?? []).map((p) => ({ name: p.PolicyName!, arn: p.PolicyArn! })),
      groupNames: user.GroupList ?? [],
      ...(user.PermissionsBoundary?.PermissionsBoundaryArn
        ? { permissionsBoundaryArn: user.PermissionsBoundary.PermissionsBoundaryArn }
        : {}),
      tags: tagMap(user.Tags),
    })),
    groups: pages.flatMap((page) => page.GroupDetailList ?? []).map((group) => ({
      name: group.GroupName!,
      arn: group.Arn!,
      path: group.Path ?? '/',
      inlinePolicyNames: (group.GroupPolicyList ?? []).map((p) => p.PolicyName!),
      attachedPolicies: (group.AttachedManagedPolicies ?? []).map((p) => ({ name: p.PolicyName!, arn: p.PolicyArn! })),
    })),
    policies: pages.flatMap((page) => page.Policies ?? []).map(
      (policy): ManagedPolicy => ({
        name: policy.PolicyName!,
        arn: policy.Arn!,
        path: policy.Path ?? '/',
        defaultVersionId: policy.DefaultVersionId ?? 'v1',
        versions: (policy.PolicyVersionList ?? []).map((v) => ({ versionId: v.VersionId!, isDefault: !!v.IsDefaultVersion })),
        attachmentCount: policy.AttachmentCount ?? 0,
        boundaryUsageCount: policy.PermissionsBoundaryUsageCount ?? 0,
      }),
    ),
  };
}

async function policyTags(iam: IAMClient, policyArn: string): Promise<Record<string, string>> {
  // A CAM policy carries a handful of tags: one page (up to 100) is all there is in practice, but page anyway.
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListPolicyTagsCommand({ PolicyArn: policyArn, Marker: marker }));
    Object.assign(tags, tagMap(page.Tags));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return tags;
}

function tagMap(tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}

/** IAM returns documents as URL-encoded JSON; an emulator may return them plain. */
export function decodeDocument(raw: string | undefined): PolicyDocument {
  if (!raw) return {};
  try {
    return JSON.parse(raw) as PolicyDocument;
  } catch {
    return JSON.parse(decodeURIComponent(raw)) as PolicyDocument;
  }
}
