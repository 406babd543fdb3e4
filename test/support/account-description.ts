/**
 * An account's whole IAM description, as comparable data: GetAccountAuthorizationDetails (roles, users, groups,
 * customer-managed policies with every version), what that call leaves out (a role's description and session length,
 * policy and instance profile tags, instance profiles on their own), the SAML and OIDC providers, and the settings of
 * the given buckets. Unique ids, version ids and dates are left out: nothing can bring them back.
 */
import {
  GetInstanceProfileCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetSAMLProviderCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  ListPolicyTagsCommand,
  ListSAMLProvidersCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListInstanceProfiles,
} from '@aws-sdk/client-iam';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { decodeDocument } from '../../lambda/engine/discover';

/** What no restore can bring back: ids and dates. */
const VOLATILE = /^(RoleId|UserId|GroupId|PolicyId|InstanceProfileId|VersionId|DefaultVersionId|CreateDate|UpdateDate|RoleLastUsed|ValidUntil|SAMLProviderUUID|PasswordLastUsed|\$metadata)$/;
const DOCUMENTS = /^(AssumeRolePolicyDocument|PolicyDocument|Document)$/;
const NAME_KEYS = ['RoleName', 'UserName', 'GroupName', 'PolicyName', 'InstanceProfileName', 'Key', 'PolicyArn', 'Arn'];
/** Lists whose order means nothing in IAM: compared as sets. */
const UNORDERED = /^(GroupList|ClientIDList|ThumbprintList|Roles)$/;

function normalize(value: unknown, key = ''): unknown {
  if (DOCUMENTS.test(key) && typeof value === 'string') return decodeDocument(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => normalize(item));
    if (UNORDERED.test(key) && items.every((i) => typeof i === 'string')) return [...items].sort();
    const nameOf = (item: unknown) => (item && typeof item === 'object' ? NAME_KEYS.map((k) => (item as Record<string, unknown>)[k]).find((v) => typeof v === 'string') : undefined) as string | undefined;
    return items.every((i) => nameOf(i) !== undefined) ? [...items].sort((a, b) => nameOf(a)!.localeCompare(nameOf(b)!)) : items;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k, v]) => !VOLATILE.test(k) && v !== undefined)
        .map(([k, v]) => [k, normalize(v, k)]),
    );
  }
  return value;
}

const versionNumber = (id: string | undefined) => Number(/^v(\d+)/.exec(id ?? '')?.[1] ?? 0);

async function absentAs<T>(read: Promise<T>): Promise<T | 'absent'> {
  try {
    return await read;
  } catch (error) {
    if (/^(NoSuch|ServerSideEncryptionConfigurationNotFound)/.test((error as Error).name)) return 'absent';
    throw error;
  }
}

export async function describeAccount(iam: IAMClient, s3: S3Client, buckets: readonly string[]): Promise<unknown> {
  const details = { RoleDetailList: [] as Record<string, unknown>[], UserDetailList: [] as unknown[], GroupDetailList: [] as unknown[], Policies: [] as Record<string, unknown>[] };
  for await (const page of paginateGetAccountAuthorizationDetails({ client: iam }, { Filter: ['Role', 'User', 'Group', 'LocalManagedPolicy'] })) {
    details.RoleDetailList.push(...((page.RoleDetailList ?? []) as Record<string, unknown>[]));
    details.UserDetailList.push(...(page.UserDetailList ?? []));
    details.GroupDetailList.push(...(page.GroupDetailList ?? []));
    details.Policies.push(...((page.Policies ?? []) as Record<string, unknown>[]));
  }
  const roles = await Promise.all(
    details.RoleDetailList.map(async (role) => {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: role.RoleName as string }));
      return { ...role, Description: Role?.Description, MaxSessionDuration: Role?.MaxSessionDuration };
    }),
  );
  const policies = await Promise.all(
    details.Policies.map(async (policy) => ({
      ...policy,
      // Oldest first, then without ids: the same documents in the same order, whatever they are numbered.
      PolicyVersionList: [...((policy.PolicyVersionList as { VersionId?: string }[]) ?? [])].sort((a, b) => versionNumber(a.VersionId) - versionNumber(b.VersionId)),
      Tags: (await iam.send(new ListPolicyTagsCommand({ PolicyArn: policy.Arn as string }))).Tags ?? [],
    })),
  );
  const profiles: unknown[] = [];
  for await (const page of paginateListInstanceProfiles({ client: iam }, {})) {
    for (const profile of page.InstanceProfiles ?? []) {
      const { InstanceProfile } = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profile.InstanceProfileName }));
      profiles.push({ Path: profile.Path, InstanceProfileName: profile.InstanceProfileName, Roles: (profile.Roles ?? []).map((r) => r.RoleName), Tags: InstanceProfile?.Tags ?? [] });
    }
  }
  const saml = await Promise.all(
    ((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList ?? []).map(async (p) => {
      const provider = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: p.Arn }));
      return { Arn: p.Arn, SAMLMetadataDocument: provider.SAMLMetadataDocument, Tags: provider.Tags ?? [] };
    }),
  );
  const oidc = await Promise.all(
    ((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []).map(async (p) => ({ Arn: p.Arn, ...(await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: p.Arn }))) })),
  );
  const bucketSettings = await Promise.all(
    buckets.map(async (Bucket) => {
      const policy = await absentAs(s3.send(new GetBucketPolicyCommand({ Bucket })));
      const lifecycle = await absentAs(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })));
      const tagging = await absentAs(s3.send(new GetBucketTaggingCommand({ Bucket })));
      const access = await absentAs(s3.send(new GetPublicAccessBlockCommand({ Bucket })));
      const encryption = await absentAs(s3.send(new GetBucketEncryptionCommand({ Bucket })));
      return {
        Bucket,
        Policy: policy === 'absent' ? 'absent' : JSON.parse(policy.Policy!),
        Lifecycle: lifecycle === 'absent' ? 'absent' : { Rules: lifecycle.Rules, TransitionDefaultMinimumObjectSize: lifecycle.TransitionDefaultMinimumObjectSize },
        Tags: tagging === 'absent' ? 'absent' : tagging.TagSet,
        PublicAccessBlock: access === 'absent' ? 'absent' : access.PublicAccessBlockConfiguration,
        Encryption: encryption === 'absent' ? 'absent' : encryption.ServerSideEncryptionConfiguration,
      };
    }),
  );
  return normalize({
    roles,
    users: details.UserDetailList,
    groups: details.GroupDetailList,
    policies,
    instanceProfiles: profiles,
    samlProviders: saml,
    oidcProviders: oidc,
    buckets: bucketSettings,
  });
}
