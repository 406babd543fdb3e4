/** Reads an account's whole IAM state in a comparable form, to prove what a run changed and what it did not. */
import {
  GetAccountAuthorizationDetailsCommandOutput,
  IAMClient,
  ListPolicyTagsCommand,
  ListInstanceProfilesCommand,
  ListSAMLProvidersCommand,
  ListAccessKeysCommand,
  paginateGetAccountAuthorizationDetails,
} from '@aws-sdk/client-iam';

export interface IamState {
  readonly roles: Record<string, unknown>;
  readonly policies: Record<string, unknown>;
  readonly groups: Record<string, unknown>;
  readonly users: Record<string, unknown>;
  readonly instanceProfiles: Record<string, string[]>;
  readonly samlProviders: string[];
}

const byName = <T>(items: T[], name: (item: T) => string) =>
  Object.fromEntries(items.map((item) => [name(item), item]).sort(([a], [b]) => String(a).localeCompare(String(b))));

export async function readIamState(iam: IAMClient): Promise<IamState> {
  const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
  for await (const page of paginateGetAccountAuthorizationDetails({ client: iam }, { Filter: ['Role', 'User', 'Group', 'LocalManagedPolicy'] })) {
    pages.push(page);
  }
  const policies = await Promise.all(
    pages.flatMap((p) => p.Policies ?? []).map(async (policy) => ({
      name: policy.PolicyName!,
      versions: (policy.PolicyVersionList ?? []).map((v) => v.VersionId).sort(),
      attachments: policy.AttachmentCount,
      tags: (await iam.send(new ListPolicyTagsCommand({ PolicyArn: policy.Arn }))).Tags ?? [],
    })),
  );
  const profiles = (await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? [];
  return {
    roles: byName(
      pages.flatMap((p) => p.RoleDetailList ?? []).map((role) => ({
        name: role.RoleName!,
        path: role.Path,
        attached: (role.AttachedManagedPolicies ?? []).map((a) => a.PolicyName).sort(),
        inline: (role.RolePolicyList ?? []).map((a) => a.PolicyName).sort(),
        tags: role.Tags ?? [],
      })),
      (r) => r.name,
    ),
    policies: byName(policies, (p) => p.name),
    groups: byName(
      pages.flatMap((p) => p.GroupDetailList ?? []).map((group) => ({
        name: group.GroupName!,
        attached: (group.AttachedManagedPolicies ?? []).map((a) => a.PolicyName).sort(),
      })),
      (g) => g.name,
    ),
    users: byName(
      await Promise.all(
        pages.flatMap((p) => p.UserDetailList ?? []).map(async (user) => ({
          name: user.UserName!,
          groups: [...(user.GroupList ?? [])].sort(),
          attached: (user.AttachedManagedPolicies ?? []).map((a) => a.PolicyName).sort(),
          accessKeys: ((await iam.send(new ListAccessKeysCommand({ UserName: user.UserName }))).AccessKeyMetadata ?? []).map((k) => k.AccessKeyId).sort(),
        })),
      ),
      (u) => u.name,
    ),
    samlProviders: ((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList ?? []).map((p) => p.Arn!.split('/').pop()!).sort(),
    instanceProfiles: Object.fromEntries(profiles.map((p) => [p.InstanceProfileName!, (p.Roles ?? []).map((r) => r.RoleName!)])),
  };
}
