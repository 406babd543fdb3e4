/**
 * Discover: read the whole IAM graph once. GetAccountAuthorizationDetails returns every role (trust
 * policy, inline and attached policies, instance profiles, boundary, tags), user, group and customer-managed
 * policy (all versions, attachment counts) in a few pages, so nothing here calls Get* per entity. The only
 * per-entity reads are ListPolicyTags for the policies that may be kept, whose tags that call omits.
 */
import {
  IAMClient,
  ListPolicyTagsCommand,
  paginateGetAccountAuthorizationDetails,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from './aws';
import type { DepartureConfig } from './config';
import type { CallerIdentity, Inventory, ManagedPolicy, PolicyDocument, Role } from './inventory';

/** Reads the account. `config` only narrows the few extra reads; the inventory itself is complete. */
export async function discover(clients: AwsClients, config: DepartureConfig): Promise<Inventory> {
  const [caller, details] = await Promise.all([callerIdentity(clients.sts), readAuthorizationDetails(clients.iam)]);
  const keptPolicyNames = new Set(config.keepCamProvider ? config.camPolicyNames : []);
  const policies = await Promise.all(
    details.policies.map(async (policy) =>
      keptPolicyNames.has(policy.name) ? { ...policy, tags: await policyTags(clients.iam, policy.arn) } : policy,
    ),
  );
  return {
    accountId: caller.accountId,
    partition: caller.arn.split(':')[1] ?? 'aws',
    caller,
    roles: details.roles,
    users: details.users,
    groups: details.groups,
    policies,
  };
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
