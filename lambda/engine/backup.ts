/**
 * Backup: what an applied action deleted or changed, recorded before its first step runs, so that `ctl-departure
 * restore` can put it back. Each definition is written in AWS's own field names (those of the Create and Put calls that
 * recreate it), documents decoded to JSON objects, so a reader can check it against the API reference and restore
 * maps it to calls without translation.
 *
 * What no API can put back is recorded only to be reported: credentials (which existed, never their secrets) and
 * unique ids (a policy elsewhere that named a deleted role by ARN now shows its old unique id and stays broken,
 * as AWS documents; a recreated role gets a new one).
 */
import { decodeDocument } from './discover';
import type { PolicyDocument } from './inventory';
import type { Action } from './model';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface InlinePolicy {
  readonly PolicyName: string;
  readonly PolicyDocument: PolicyDocument;
}

/** A principal a managed policy was attached to, or whose permissions boundary it was. */
export interface PrincipalRef {
  readonly kind: 'role' | 'user' | 'group';
  readonly name: string;
}

/** An instance profile a deleted role was in. */
export interface InstanceProfileMembership {
  readonly InstanceProfileName: string;
  readonly Path: string;
  /** True when this run deletes the profile too (it is then an `iam:instance-profile` action with its own backup). */
  readonly deletedByThisRun: boolean;
}

export interface RoleBackup {
  readonly Path: string;
  readonly RoleName: string;
  readonly AssumeRolePolicyDocument: PolicyDocument;
  readonly Description?: string;
  readonly MaxSessionDuration?: number;
  /** ARN of the permissions boundary. */
  readonly PermissionsBoundary?: string;
  readonly Tags: readonly Tag[];
  readonly InlinePolicies: readonly InlinePolicy[];
  readonly AttachedPolicyArns: readonly string[];
  readonly InstanceProfiles: readonly InstanceProfileMembership[];
  /** The old unique id (AROA...): not restorable. */
  readonly RoleId?: string;
}

export interface PolicyVersionBackup {
  readonly VersionId: string;
  readonly IsDefaultVersion: boolean;
  readonly Document: PolicyDocument;
  readonly CreateDate?: string;
}

export interface PolicyBackup {
  readonly Path: string;
  readonly PolicyName: string;
  readonly Description?: string;
  readonly Tags: readonly Tag[];
  readonly DefaultVersionId: string;
  /** Every version, oldest first: restore recreates them in this order and sets the same one as default. */
  readonly Versions: readonly PolicyVersionBackup[];
  /** Principals it was detached from by this run (customer principals included). */
  readonly AttachedTo: readonly PrincipalRef[];
  /** Principals that used it as their permissions boundary when it was read. */
  readonly BoundaryOf: readonly PrincipalRef[];
  readonly PolicyId?: string;
}

/** Which credentials a deleted user had: recorded to be reported, never restored. */
export interface CredentialsRecord {
  readonly accessKeyIds: readonly string[];
  readonly loginProfile: boolean;
  readonly mfaDevices: readonly string[];
  readonly signingCertificateIds: readonly string[];
  readonly sshPublicKeyIds: readonly string[];
  readonly serviceSpecificCredentialIds: readonly string[];
}

export interface UserBackup {
  readonly Path: string;
  readonly UserName: string;
  readonly PermissionsBoundary?: string;
  readonly Tags: readonly Tag[];
  readonly InlinePolicies: readonly InlinePolicy[];
  readonly AttachedPolicyArns: readonly string[];
  readonly Groups: readonly string[];
  readonly Credentials?: CredentialsRecord;
  readonly UserId?: string;
}

export interface GroupBackup {
  readonly Path: string;
  readonly GroupName: string;
  readonly InlinePolicies: readonly InlinePolicy[];
  readonly AttachedPolicyArns: readonly string[];
  /** Users removed from the group by this run. */
  readonly Members: readonly string[];
  readonly GroupId?: string;
}

export interface InstanceProfileBackup {
  readonly Path: string;
  readonly InstanceProfileName: string;
  readonly Tags: readonly Tag[];
  readonly Roles: readonly string[];
}

export interface SamlProviderBackup {
  readonly Name: string;
  readonly SAMLMetadataDocument: string;
  readonly Tags: readonly Tag[];
}

export interface OidcProviderBackup {
  readonly Url: string;
  readonly ClientIDList: readonly string[];
  readonly ThumbprintList: readonly string[];
  readonly Tags: readonly Tag[];
}

/** A provider bucket's settings that this run replaced, as they were (absent: there was none). */
export interface BucketBackup {
  readonly Bucket: string;
  /** The bucket policy (JSON text) before statements were removed. */
  readonly Policy?: string;
  /** Lifecycle rules as S3 returned them, before the engine's rule was merged in. */
  readonly LifecycleRules?: readonly Record<string, unknown>[];
  readonly TransitionDefaultMinimumObjectSize?: string;
  readonly Tags?: readonly Tag[];
  readonly PublicAccessBlockConfiguration?: Readonly<Record<string, boolean>>;
  readonly ServerSideEncryptionConfiguration?: Readonly<Record<string, unknown>>;
  /** Set when the bucket itself is deleted: objects are not restorable from the report (the archive has the copy). */
  readonly deleted?: boolean;
}

/** Tags a `preserve` action removed, with their values. */
export interface TagsBackup {
  readonly Tags: readonly Tag[];
}

/** An action's backup, by the action's resource type. */
export interface BackupByResource {
  readonly 'iam:role': RoleBackup | TagsBackup;
  readonly 'iam:policy': PolicyBackup | TagsBackup;
  readonly 'iam:user': UserBackup | TagsBackup;
  readonly 'iam:group': GroupBackup;
  readonly 'iam:instance-profile': InstanceProfileBackup;
  readonly 'iam:saml-provider': SamlProviderBackup;
  readonly 'iam:oidc-provider': OidcProviderBackup;
  readonly 's3:bucket': BucketBackup;
}

export type Backup = BackupByResource[keyof BackupByResource];

// Helpers the kinds' `backup` functions share (lambda/resources/*.ts).

/** Tags as the Create and Tag calls take them. */
export const tagList = (tags: Readonly<Record<string, string>>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** A document discovery kept as IAM sent it, decoded; one it did not read fails the backup (nothing is guessed). */
export function decoded(text: string | undefined, what: string): PolicyDocument {
  if (!text) throw new Error(`${what} was read without its document`);
  return decodeDocument(text);
}

/** A principal's inline policies, with their documents. */
export function inlinePolicies(principal: { readonly inlinePolicyNames: readonly string[]; readonly inlineDocuments?: Readonly<Record<string, string>> }): InlinePolicy[] {
  return principal.inlinePolicyNames.map((PolicyName) => ({ PolicyName, PolicyDocument: decoded(principal.inlineDocuments?.[PolicyName], `inline policy ${PolicyName}`) }));
}

/** What a `preserve` action's untag step (its only step) removes: the tags, with the values they had. */
export function removedTags(action: Action, tags: Readonly<Record<string, string>>): TagsBackup {
  return { Tags: ((action.steps[0]?.input.TagKeys ?? []) as string[]).map((Key) => ({ Key, Value: tags[Key] ?? '' })) };
}
