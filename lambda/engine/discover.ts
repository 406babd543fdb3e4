/**
 * Discover: read the whole IAM graph once. GetAccountAuthorizationDetails returns every role (trust
 * policy, inline and attached policies, instance profiles, boundary, tags), user, group and customer-managed
 * policy (all versions, attachment counts) in a few pages, so nothing here calls Get* per entity. The only
 * per-entity reads are ListPolicyTags for the policies that may be kept, whose tags that call omits.
 */
import {
  GetAccessKeyLastUsedCommand,
  GetLoginProfileCommand,
  GetOpenIDConnectProviderCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  ListPolicyTagsCommand,
  ListSAMLProvidersCommand,
  ListServiceSpecificCredentialsCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListAccessKeys,
  paginateListInstanceProfiles,
  paginateListVirtualMFADevices,
  paginateListMFADevices,
  paginateListSigningCertificates,
  paginateListSSHPublicKeys,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from './aws';
import type { AccessKeyUse } from './model';
import { DISCOVERY_CONCURRENCY, mapBounded } from './concurrency';
import { readAccount, type Permission } from './permissions';
import type { DepartureConfig } from './config';
import { errorName } from './aws';
import { discoverAutomation } from './discover-automation';
import { discoverBuckets } from './discover-buckets';
import { discoverWriters } from './discover-writers';
import { CLEANUP_BUNDLE, SWEEP_BUNDLE } from './bundle';
import { enabledRegions, narrowRegions } from './regions';
import type {
  Automation,
  CallerIdentity,
  InstanceProfile,
  Inventory,
  ManagedPolicy,
  OidcProvider,
  OrganizationStatus,
  PolicyDocument,
  Role,
  SamlProvider,
  User,
  UserCredentials,
  VirtualMfaDevice,
} from './inventory';

/** Reads the account. `config` only narrows the few extra reads; the inventory itself is complete. */
/**
 * What discovery itself needs beyond each kind's own reads: STS GetCallerIdentity needs no permission, the
 * organization check does.
 */
export const DISCOVERY_PERMISSIONS: readonly Permission[] = [
  readAccount(['organizations:DescribeOrganization']),
];

/**
 * What discovery reads: `all`, or `iam` (with the organization) for a run of the sweep alone, which plans IAM only to
 * know who the departure deletes (engine/run.ts `Sweep.only`); its automation and buckets are then empty.
 */
export type DiscoveryScope = 'all' | 'iam';

/** An account without automation, for a discovery that does not read it. */
const NO_AUTOMATION: Automation = { lambdaFunctions: [], eventRules: [], configRules: [], configRecorders: [], trails: [], unreadable: [] };

export async function discover(clients: AwsClients, config: DepartureConfig, scope: DiscoveryScope = 'all'): Promise<Inventory> {
  // A constant in either stack's bundle: the sweep's leaves bucket and automation discovery out, the cleanup's this.
  const iamOnly = !CLEANUP_BUNDLE && (SWEEP_BUNDLE || scope === 'iam');
  const readAt = new Date().toISOString();
  const caller = await callerIdentity(clients.sts);
  const partition = caller.arn.split(':')[1] ?? 'aws';
  // Every enabled region for who writes into a bucket; those the config's `regions` names for the rest.
  const everyRegion = enabledRegions(clients);
  const regionsRead = everyRegion.then((all) => (!CLEANUP_BUNDLE && config.regions ? narrowRegions(all, config.regions) : all));
  // (The cleanup stack's properties cannot name regions: its function reads every enabled one.)
  const [details, instanceProfiles, virtualMfaDevices, samlProviders, oidcProviders, organization, automation, buckets, bucketWriters, regions] = await Promise.all([
    readAuthorizationDetails(clients.iam),
    listInstanceProfiles(clients.iam),
    listUnassignedVirtualMfaDevices(clients.iam),
    // Listed whatever `identities` says, so that each gets a decision (switched off: skip, saying so).
    listSamlProviders(clients.iam),
    listOidcProviders(clients.iam),
    organizationStatus(clients.organizations),
    iamOnly ? NO_AUTOMATION : regionsRead.then((read) => discoverAutomation(clients, read.regions)),
    iamOnly ? [] : discoverBuckets(clients.s3, config.buckets, caller.accountId, partition),
    !iamOnly && config.buckets.mode === 'delete' ? everyRegion.then((all) => discoverWriters(clients, all)) : undefined,
    regionsRead,
  ]);
  const keptPolicyNames = new Set(config.keepCamProvider ? config.camPolicyNames : []);
  const hasPrefix = (name: string) => config.prefixes.some((prefix) => name.startsWith(prefix));
  // One after the other, each bounded: the two together never exceed the bound.
  const policies = await mapBounded(details.policies, DISCOVERY_CONCURRENCY, async (policy) =>
    keptPolicyNames.has(policy.name) ? { ...policy, tags: await policyTags(clients.iam, policy.arn) } : policy,
  );
  // Only a user that may be deleted needs its credentials listed: six reads each, so not for everyone.
  const users = await mapBounded(details.users, DISCOVERY_CONCURRENCY, async (user): Promise<User> =>
    (CLEANUP_BUNDLE || config.identities.users) && hasPrefix(user.name) ? { ...user, credentials: await userCredentials(clients.iam, user.name) } : user,
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
    instanceProfiles,
    virtualMfaDevices,
    samlProviders,
    oidcProviders,
    organization,
    enabledRegions: regions,
    automation,
    buckets,
    ...(bucketWriters ? { bucketWriters } : {}),
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
  // For the review: a key the provider used yesterday is worth a second look. A key never used has no date, and
  // "N/A" for its service and region.
  const known = (value?: string) => (value && value !== 'N/A' ? value : undefined);
  const accessKeysLastUsed: AccessKeyUse[] = [];
  for (const id of accessKeyIds) {
    const { AccessKeyLastUsed: used } = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
    accessKeysLastUsed.push({ id, lastUsed: used?.LastUsedDate?.toISOString(), service: known(used?.ServiceName), region: known(used?.Region) });
  }
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
    accessKeysLastUsed,
    hasLoginProfile,
    // A virtual device's serial number is its ARN (`...:mfa/<name>`); a FIDO security key's is an ARN too, but
    // `...:u2f/...`, and it is only deactivated; a hardware token has a plain serial.
    mfaDevices: mfaSerials.map((serialNumber) => ({ serialNumber, virtual: /^arn:[^:]+:iam::\d{12}:mfa\//.test(serialNumber) })),
    signingCertificateIds,
    sshPublicKeyIds,
    serviceSpecificCredentialIds: (serviceSpecific.ServiceSpecificCredentials ?? []).map((c) => c.ServiceSpecificCredentialId!),
  };
}

async function listInstanceProfiles(iam: IAMClient): Promise<InstanceProfile[]> {
  const profiles: InstanceProfile[] = [];
  for await (const page of paginateListInstanceProfiles({ client: iam }, {})) {
    for (const profile of page.InstanceProfiles ?? []) {
      profiles.push({
        name: required(profile, 'InstanceProfileName', 'ListInstanceProfiles'),
        arn: required(profile, 'Arn', 'ListInstanceProfiles'),
        path: profile.Path ?? '/',
        roleNames: (profile.Roles ?? []).map((role) => required(role, 'RoleName', 'ListInstanceProfiles')),
      });
    }
  }
  return profiles;
}

/** Devices assigned to nobody; the name and path come from the serial number, which is the device's ARN. */
async function listUnassignedVirtualMfaDevices(iam: IAMClient): Promise<VirtualMfaDevice[]> {
  const devices: VirtualMfaDevice[] = [];
  for await (const page of paginateListVirtualMFADevices({ client: iam }, { AssignmentStatus: 'Unassigned' })) {
    for (const device of page.VirtualMFADevices ?? []) {
      const serialNumber = required(device, 'SerialNumber', 'ListVirtualMFADevices');
      const pathAndName = /:mfa(\/.*)$/.exec(serialNumber)?.[1] ?? `/${serialNumber}`;
      const slash = pathAndName.lastIndexOf('/');
      devices.push({ serialNumber, name: pathAndName.slice(slash + 1), path: pathAndName.slice(0, slash + 1) });
    }
  }
  return devices;
}

/** SAML providers are not paged, and their names are the last part of their ARNs. */
async function listSamlProviders(iam: IAMClient): Promise<SamlProvider[]> {
  const { SAMLProviderList } = await iam.send(new ListSAMLProvidersCommand({}));
  return (SAMLProviderList ?? []).map((p) => {
    const arn = required(p, 'Arn', 'ListSAMLProviders');
    return { arn, name: arn.split('/').pop()! };
  });
}

/** OIDC providers are not paged; URL and tags need one Get each (an account has a handful). */
async function listOidcProviders(iam: IAMClient): Promise<OidcProvider[]> {
  const { OpenIDConnectProviderList } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  return mapBounded(OpenIDConnectProviderList ?? [], DISCOVERY_CONCURRENCY, async (listed) => {
    const arn = required(listed, 'Arn', 'ListOpenIDConnectProviders');
    const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    return { arn, url: provider.Url ?? arn.split(':oidc-provider/')[1] ?? '', tags: tagMap(provider.Tags), clientIds: provider.ClientIDList, thumbprints: provider.ThumbprintList };
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

const GAAD = 'GetAccountAuthorizationDetails';
/** Inline policies: their names, and their documents as IAM sent them (text: decoded only for a backup). */
const inline = (list: { PolicyName?: string; PolicyDocument?: string }[] = []) => ({
  inlinePolicyNames: list.map((p) => required(p, 'PolicyName', GAAD)),
  inlineDocuments: Object.fromEntries(list.map((p) => [p.PolicyName, p.PolicyDocument])),
});
const attachedPolicies = (list: { PolicyName?: string; PolicyArn?: string }[] | undefined) =>
  (list ?? []).map((p) => ({ name: required(p, 'PolicyName', GAAD), arn: required(p, 'PolicyArn', GAAD) }));

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
        name: required(role, 'RoleName', GAAD),
        arn: required(role, 'Arn', GAAD),
        path: role.Path ?? '/',
        trustPolicy: decodeDocument(role.AssumeRolePolicyDocument),
        ...inline(role.RolePolicyList),
        attachedPolicies: attachedPolicies(role.AttachedManagedPolicies),
        instanceProfiles: (role.InstanceProfileList ?? []).map((profile) => ({
          name: required(profile, 'InstanceProfileName', GAAD),
          arn: required(profile, 'Arn', GAAD),
          path: profile.Path ?? '/',
          roleNames: (profile.Roles ?? []).map((r) => required(r, 'RoleName', GAAD)),
        })),
        ...(role.PermissionsBoundary?.PermissionsBoundaryArn
          ? { permissionsBoundaryArn: role.PermissionsBoundary.PermissionsBoundaryArn }
          : {}),
        tags: tagMap(role.Tags),
        id: role.RoleId,
        ...(role.RoleLastUsed?.LastUsedDate ? { lastUsed: role.RoleLastUsed.LastUsedDate.toISOString(), lastUsedRegion: role.RoleLastUsed.Region } : {}),
      }),
    ),
    users: pages.flatMap((page) => page.UserDetailList ?? []).map((user) => ({
      name: required(user, 'UserName', GAAD),
      arn: required(user, 'Arn', GAAD),
      path: user.Path ?? '/',
      ...inline(user.UserPolicyList),
      attachedPolicies: attachedPolicies(user.AttachedManagedPolicies),
      groupNames: user.GroupList ?? [],
      ...(user.PermissionsBoundary?.PermissionsBoundaryArn
        ? { permissionsBoundaryArn: user.PermissionsBoundary.PermissionsBoundaryArn }
        : {}),
      tags: tagMap(user.Tags),
      id: user.UserId,
    })),
    groups: pages.flatMap((page) => page.GroupDetailList ?? []).map((group) => ({
      name: required(group, 'GroupName', GAAD),
      arn: required(group, 'Arn', GAAD),
      path: group.Path ?? '/',
      ...inline(group.GroupPolicyList),
      attachedPolicies: attachedPolicies(group.AttachedManagedPolicies),
      id: group.GroupId,
    })),
    policies: pages.flatMap((page) => page.Policies ?? []).map(
      (policy): ManagedPolicy => ({
        name: required(policy, 'PolicyName', GAAD),
        arn: required(policy, 'Arn', GAAD),
        path: policy.Path ?? '/',
        defaultVersionId: policy.DefaultVersionId ?? 'v1',
        versions: (policy.PolicyVersionList ?? []).map((v) => ({
          versionId: required(v, 'VersionId', GAAD),
          isDefault: !!v.IsDefaultVersion,
          document: v.Document,
          createDate: v.CreateDate?.toISOString(),
        })),
        attachmentCount: policy.AttachmentCount ?? 0,
        boundaryUsageCount: policy.PermissionsBoundaryUsageCount ?? 0,
        description: policy.Description,
        id: policy.PolicyId,
      }),
    ),
  };
}

export async function policyTags(iam: IAMClient, policyArn: string): Promise<Record<string, string>> {
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

/**
 * A field the engine cannot do without: an answer that lacks it (an emulator, or an API change) stops the run with
 * one line naming the call and the field, instead of a TypeError deep in the planner.
 */
export function required<T, K extends keyof T>(item: T, field: K, call: string): NonNullable<T[K]> {
  const value = item[field];
  if (value === undefined || value === null || value === '') throw new Error(`AWS answered ${call} without ${String(field)}: nothing was changed`);
  return value as NonNullable<T[K]>;
}
