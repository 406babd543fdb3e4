/**
 * The account as restore must see it before deciding: one GetAccountAuthorizationDetails (every role, user, group and
 * customer-managed policy, with documents, attachments and tags), every instance profile, and for the entities the
 * report names only, what that call leaves out: a role's description and session length (GetRole), a policy's and
 * an instance profile's tags, a federation provider's definition, a bucket's settings.
 */
import {
  GetInstanceProfileCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetSAMLProviderCommand,
  ListOpenIDConnectProvidersCommand,
  ListPolicyTagsCommand,
  ListSAMLProvidersCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListInstanceProfiles,
  type GetAccountAuthorizationDetailsCommandOutput,
  type IAMClient,
  type Tag as SdkTag,
} from '@aws-sdk/client-iam';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Tag } from '../../lambda/engine/backup';
import { errorName, type AwsClients } from '../../lambda/engine/aws';
import { DISCOVERY_CONCURRENCY, mapBounded } from '../../lambda/engine/concurrency';
import { decodeDocument } from '../../lambda/engine/discover';
import type { Action } from '../../lambda/engine/model';
import { oidcKey, type BucketState, type InstanceProfileState, type PolicyState, type RestoreState, type RoleState } from './model';

/** What the report names, so that only those are read one by one. */
export interface Named {
  readonly roles: ReadonlySet<string>;
  readonly policyArns: ReadonlySet<string>;
  readonly instanceProfiles: ReadonlySet<string>;
  readonly samlProviders: ReadonlySet<string>;
  readonly oidcUrls: ReadonlySet<string>;
  readonly buckets: ReadonlySet<string>;
}

/** Names and ARNs the report's actions and backups mention. */
export function namedBy(actions: readonly Action[]): Named {
  const named = { roles: new Set<string>(), policyArns: new Set<string>(), instanceProfiles: new Set<string>(), samlProviders: new Set<string>(), oidcUrls: new Set<string>(), buckets: new Set<string>() };
  for (const action of actions) {
    const backup = action.backup as Record<string, unknown> | undefined;
    if (action.resource === 'iam:role') named.roles.add(action.name);
    if (action.resource === 'iam:policy') named.policyArns.add(action.arn);
    if (action.resource === 'iam:instance-profile') named.instanceProfiles.add(action.name);
    if (action.resource === 'iam:saml-provider') named.samlProviders.add(action.name);
    if (action.resource === 'iam:oidc-provider') named.oidcUrls.add(oidcKey(action.name));
    if (action.resource === 's3:bucket') named.buckets.add(action.name);
    for (const profile of (backup?.InstanceProfiles as { InstanceProfileName: string }[] | undefined) ?? []) named.instanceProfiles.add(profile.InstanceProfileName);
    if (typeof backup?.Url === 'string') named.oidcUrls.add(oidcKey(backup.Url));
  }
  return named;
}

const tags = (list: readonly SdkTag[] | undefined): Tag[] => (list ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
const inline = (list: readonly { PolicyName?: string; PolicyDocument?: string }[] | undefined) =>
  (list ?? []).map((p) => ({ PolicyName: p.PolicyName ?? '', PolicyDocument: decodeDocument(p.PolicyDocument) }));
const attached = (list: readonly { PolicyArn?: string }[] | undefined) => (list ?? []).map((p) => p.PolicyArn ?? '');

/** Absent (the entity or the setting) as the error that says so, else the error. */
async function unlessMissing<T>(read: Promise<T>, missing: RegExp): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (missing.test(errorName(error)) || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}

export async function readRestoreState(clients: AwsClients, accountId: string, partition: string, named: Named): Promise<RestoreState> {
  const iam = clients.iam;
  const pages: GetAccountAuthorizationDetailsCommandOutput[] = [];
  for await (const page of paginateGetAccountAuthorizationDetails({ client: iam, pageSize: 1000 }, { Filter: ['Role', 'User', 'Group', 'LocalManagedPolicy'] })) pages.push(page);

  const roles: Record<string, RoleState> = {};
  for (const role of pages.flatMap((p) => p.RoleDetailList ?? [])) {
    roles[role.RoleName!] = {
      Path: role.Path ?? '/',
      RoleName: role.RoleName!,
      RoleId: role.RoleId,
      AssumeRolePolicyDocument: decodeDocument(role.AssumeRolePolicyDocument),
      ...(role.PermissionsBoundary?.PermissionsBoundaryArn ? { PermissionsBoundary: role.PermissionsBoundary.PermissionsBoundaryArn } : {}),
      Tags: tags(role.Tags),
      InlinePolicies: inline(role.RolePolicyList),
      AttachedPolicyArns: attached(role.AttachedManagedPolicies),
    };
  }
  // What GetAccountAuthorizationDetails leaves out of a role: only for the roles a restore may find there.
  await mapBounded([...named.roles].filter((name) => name in roles), DISCOVERY_CONCURRENCY, async (RoleName) => {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName }));
    roles[RoleName] = { ...roles[RoleName]!, ...(Role?.Description ? { Description: Role.Description } : {}), ...(Role?.MaxSessionDuration ? { MaxSessionDuration: Role.MaxSessionDuration } : {}) };
  });

  const policies: Record<string, PolicyState> = {};
  for (const policy of pages.flatMap((p) => p.Policies ?? [])) {
    policies[policy.Arn!] = {
      Path: policy.Path ?? '/',
      PolicyName: policy.PolicyName!,
      PolicyId: policy.PolicyId,
      ...(policy.Description ? { Description: policy.Description } : {}),
      DefaultVersionId: policy.DefaultVersionId ?? '',
      Versions: (policy.PolicyVersionList ?? []).map((v) => ({ VersionId: v.VersionId!, IsDefaultVersion: !!v.IsDefaultVersion, Document: decodeDocument(v.Document) })),
      Tags: [],
    };
  }
  await mapBounded([...named.policyArns].filter((arn) => arn in policies), DISCOVERY_CONCURRENCY, async (PolicyArn) => {
    policies[PolicyArn] = { ...policies[PolicyArn]!, Tags: await allPolicyTags(iam, PolicyArn) };
  });

  const profiles: Record<string, InstanceProfileState> = {};
  for await (const page of paginateListInstanceProfiles({ client: iam }, {})) {
    for (const profile of page.InstanceProfiles ?? []) {
      profiles[profile.InstanceProfileName!] = { Path: profile.Path ?? '/', InstanceProfileName: profile.InstanceProfileName!, Tags: [], Roles: (profile.Roles ?? []).map((r) => r.RoleName!) };
    }
  }
  // ListInstanceProfiles does not return tags (IAM API reference); GetInstanceProfile does.
  await mapBounded([...named.instanceProfiles].filter((name) => name in profiles), DISCOVERY_CONCURRENCY, async (InstanceProfileName) => {
    const { InstanceProfile } = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName }));
    profiles[InstanceProfileName] = { ...profiles[InstanceProfileName]!, Tags: tags(InstanceProfile?.Tags) };
  });

  return {
    accountId,
    partition,
    roles,
    users: Object.fromEntries(
      pages.flatMap((p) => p.UserDetailList ?? []).map((user) => [
        user.UserName!,
        {
          Path: user.Path ?? '/',
          UserName: user.UserName!,
          UserId: user.UserId,
          ...(user.PermissionsBoundary?.PermissionsBoundaryArn ? { PermissionsBoundary: user.PermissionsBoundary.PermissionsBoundaryArn } : {}),
          Tags: tags(user.Tags),
          InlinePolicies: inline(user.UserPolicyList),
          AttachedPolicyArns: attached(user.AttachedManagedPolicies),
          Groups: user.GroupList ?? [],
        },
      ]),
    ),
    groups: Object.fromEntries(
      pages.flatMap((p) => p.GroupDetailList ?? []).map((group) => [
        group.GroupName!,
        { Path: group.Path ?? '/', GroupName: group.GroupName!, GroupId: group.GroupId, InlinePolicies: inline(group.GroupPolicyList), AttachedPolicyArns: attached(group.AttachedManagedPolicies) },
      ]),
    ),
    policies,
    instanceProfiles: profiles,
    samlProviders: await readSamlProviders(iam, named.samlProviders),
    oidcProviders: await readOidcProviders(iam, named.oidcUrls),
    buckets: Object.fromEntries(await mapBounded([...named.buckets], DISCOVERY_CONCURRENCY, async (name) => [name, await readBucket(clients.s3, name, accountId)] as const)),
  };
}

async function allPolicyTags(iam: IAMClient, PolicyArn: string): Promise<Tag[]> {
  const found: Tag[] = [];
  let Marker: string | undefined;
  do {
    const page = await iam.send(new ListPolicyTagsCommand({ PolicyArn, Marker }));
    found.push(...tags(page.Tags));
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return found;
}

async function readSamlProviders(iam: IAMClient, names: ReadonlySet<string>): Promise<RestoreState['samlProviders']> {
  const { SAMLProviderList } = await iam.send(new ListSAMLProvidersCommand({}));
  const arns = (SAMLProviderList ?? []).map((p) => p.Arn!).filter((arn) => names.has(arn.split('/').pop()!));
  return Object.fromEntries(
    await mapBounded(arns, DISCOVERY_CONCURRENCY, async (SAMLProviderArn) => {
      const provider = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn }));
      const Name = SAMLProviderArn.split('/').pop()!;
      return [Name, { Name, SAMLMetadataDocument: provider.SAMLMetadataDocument ?? '', Tags: tags(provider.Tags) }] as const;
    }),
  );
}

async function readOidcProviders(iam: IAMClient, urls: ReadonlySet<string>): Promise<RestoreState['oidcProviders']> {
  const { OpenIDConnectProviderList } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  const arns = (OpenIDConnectProviderList ?? []).map((p) => p.Arn!).filter((arn) => urls.has(arn.split(':oidc-provider/')[1] ?? ''));
  return Object.fromEntries(
    await mapBounded(arns, DISCOVERY_CONCURRENCY, async (OpenIDConnectProviderArn) => {
      const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn }));
      const Url = OpenIDConnectProviderArn.split(':oidc-provider/')[1]!;
      return [Url, { Url, ClientIDList: provider.ClientIDList ?? [], ThumbprintList: provider.ThumbprintList ?? [], Tags: tags(provider.Tags) }] as const;
    }),
  );
}

/** A bucket's settings, each absent when S3 says there is none; every call names this account as the owner. */
async function readBucket(s3: S3Client, Bucket: string, ExpectedBucketOwner: string): Promise<BucketState> {
  const owned = { Bucket, ExpectedBucketOwner };
  if (!(await unlessMissing(s3.send(new HeadBucketCommand(owned)).then(() => true), /^(NotFound|NoSuchBucket)$/))) return { exists: false };
  const [policy, lifecycle, tagging, access, encryption] = await Promise.all([
    unlessMissing(s3.send(new GetBucketPolicyCommand(owned)), /^NoSuchBucketPolicy$/),
    unlessMissing(s3.send(new GetBucketLifecycleConfigurationCommand(owned)), /^NoSuchLifecycleConfiguration$/),
    unlessMissing(s3.send(new GetBucketTaggingCommand(owned)), /^NoSuchTagSet$/),
    unlessMissing(s3.send(new GetPublicAccessBlockCommand(owned)), /^NoSuchPublicAccessBlockConfiguration$/),
    unlessMissing(s3.send(new GetBucketEncryptionCommand(owned)), /^ServerSideEncryptionConfigurationNotFoundError$/),
  ]);
  return {
    exists: true,
    ...(policy?.Policy ? { Policy: policy.Policy } : {}),
    ...(lifecycle?.Rules?.length ? { LifecycleRules: lifecycle.Rules as unknown as Record<string, unknown>[] } : {}),
    ...(lifecycle?.TransitionDefaultMinimumObjectSize ? { TransitionDefaultMinimumObjectSize: lifecycle.TransitionDefaultMinimumObjectSize } : {}),
    ...(tagging?.TagSet?.length ? { Tags: tags(tagging.TagSet) } : {}),
    ...(access?.PublicAccessBlockConfiguration ? { PublicAccessBlockConfiguration: access.PublicAccessBlockConfiguration as Record<string, boolean> } : {}),
    ...(encryption?.ServerSideEncryptionConfiguration ? { ServerSideEncryptionConfiguration: encryption.ServerSideEncryptionConfiguration as unknown as Record<string, unknown> } : {}),
  };
}
