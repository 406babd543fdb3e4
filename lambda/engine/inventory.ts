import type { LifecycleRule, PublicAccessBlockConfiguration, ServerSideEncryptionConfiguration } from '@aws-sdk/client-s3';
import type { AccessKeyUse, ResourceType } from './model';
import type { EnabledRegions } from './regions';

/**
 * The account as discovery saw it: a plain, serialisable snapshot that the planner reads and never changes.
 * Shapes follow GetAccountAuthorizationDetails, with documents decoded and names made explicit.
 */

/** An IAM policy document, decoded from the URL-encoded JSON that IAM returns. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement?: PolicyStatement | readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: '*' | { readonly [type: string]: string | readonly string[] };
  readonly NotPrincipal?: unknown;
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A managed policy as a principal lists it among its attachments. */
export interface AttachedPolicy {
  readonly name: string;
  readonly arn: string;
}

export interface InstanceProfile {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  /** Every role in the profile (AWS allows one, but the shape is a list). */
  readonly roleNames: readonly string[];
}

interface Principal {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  readonly inlinePolicyNames: readonly string[];
  /**
   * Each inline policy's document as IAM sent it (URL-encoded JSON), by name: kept as text, decoded only for the
   * backup of an action that deletes it (engine/backup.ts), so thousands of principals cost little memory.
   */
  readonly inlineDocuments?: Readonly<Record<string, string>>;
  readonly attachedPolicies: readonly AttachedPolicy[];
  /** The unique id (AROA..., AIDA..., AGPA...): recorded in a backup, never restorable; a resource policy shows it once the principal is deleted. */
  readonly id?: string;
}

export interface Role extends Principal {
  readonly trustPolicy: PolicyDocument;
  readonly instanceProfiles: readonly InstanceProfile[];
  readonly permissionsBoundaryArn?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** When and where IAM last saw the role used (`RoleLastUsed`): ISO 8601 and a region; absent if never in 400 days. */
  readonly lastUsed?: string;
  readonly lastUsedRegion?: string;
}

export interface User extends Principal {
  readonly groupNames: readonly string[];
  readonly permissionsBoundaryArn?: string;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * What hangs off the user besides policies and groups; AWS refuses DeleteUser while any remains.
   * Read only for users that may be deleted (GetAccountAuthorizationDetails does not return it).
   */
  readonly credentials?: UserCredentials;
}

export interface UserCredentials {
  readonly accessKeyIds: readonly string[];
  /** Each access key's last use (GetAccessKeyLastUsed), for the review; absent when not read. */
  readonly accessKeysLastUsed?: readonly AccessKeyUse[];
  readonly hasLoginProfile: boolean;
  readonly mfaDevices: readonly MfaDevice[];
  readonly signingCertificateIds: readonly string[];
  readonly sshPublicKeyIds: readonly string[];
  readonly serviceSpecificCredentialIds: readonly string[];
}

export interface MfaDevice {
  readonly serialNumber: string;
  /**
   * A virtual device (serial number `arn:...:mfa/...`) is deleted after it is deactivated; a FIDO security key
   * (`arn:...:u2f/...`) or a hardware token is only deactivated.
   */
  readonly virtual: boolean;
}

/** A virtual MFA device assigned to nobody (ListVirtualMFADevices, AssignmentStatus Unassigned). */
export interface VirtualMfaDevice {
  /** Its ARN, `arn:<partition>:iam::<account>:mfa/<path><name>`. */
  readonly serialNumber: string;
  readonly name: string;
  /** `/` or `/a/b/`, from the ARN. */
  readonly path: string;
}

export interface SamlProvider {
  readonly name: string;
  readonly arn: string;
}

export interface OidcProvider {
  /** The issuer URL without its scheme, as IAM shows it (and as the ARN ends). */
  readonly url: string;
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Audiences and certificate thumbprints, from the same GetOpenIDConnectProvider: kept for a backup. */
  readonly clientIds?: readonly string[];
  readonly thumbprints?: readonly string[];
}

/** Where the account stands in AWS Organizations, read with DescribeOrganization. */
export type OrganizationStatus =
  | { readonly status: 'standalone' }
  | { readonly status: 'member'; readonly id: string; readonly managementAccountId: string }
  /** The caller may not read it (e.g. denied): the report says so. */
  | { readonly status: 'unknown'; readonly error: string };

export type Group = Principal;

export interface PolicyVersion {
  readonly versionId: string;
  readonly isDefault: boolean;
  /** The document as IAM sent it (URL-encoded JSON), decoded only for a backup. */
  readonly document?: string;
  readonly createDate?: string;
}

export interface ManagedPolicy {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  readonly defaultVersionId: string;
  readonly versions: readonly PolicyVersion[];
  readonly attachmentCount: number;
  readonly boundaryUsageCount: number;
  readonly description?: string;
  readonly id?: string;
  /**
   * Tags, read only for policies that may be kept (GetAccountAuthorizationDetails does not return policy
   * tags, and a deleted policy's tags do not matter). Undefined when not read.
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Who the engine runs as; its own role is never a candidate. */
export interface CallerIdentity {
  readonly accountId: string;
  readonly arn: string;
  /** The IAM role behind an assumed-role session, when the caller is one. */
  readonly roleName?: string;
  /** The IAM user, when the caller is one. */
  readonly userName?: string;
}

export interface Inventory {
  readonly accountId: string;
  /** When discovery read the account (ISO 8601): the planner's only clock. */
  readonly readAt: string;
  /** `aws`, `aws-cn` or `aws-us-gov`: taken from the caller's ARN. */
  readonly partition: string;
  readonly caller: CallerIdentity;
  readonly roles: readonly Role[];
  readonly users: readonly User[];
  readonly groups: readonly Group[];
  /** Customer-managed policies only: AWS-managed ones cannot be deleted and are not listed. */
  readonly policies: readonly ManagedPolicy[];
  /**
   * Every instance profile, listed on its own (ListInstanceProfiles): GetAccountAuthorizationDetails shows a profile
   * only inside the role it holds, so a profile a crashed run emptied would otherwise never be seen again.
   */
  readonly instanceProfiles: readonly InstanceProfile[];
  /** Virtual MFA devices assigned to nobody: a crashed run may have deactivated a provider user's device and died. */
  readonly virtualMfaDevices: readonly VirtualMfaDevice[];
  readonly samlProviders: readonly SamlProvider[];
  readonly oidcProviders: readonly OidcProvider[];
  readonly organization: OrganizationStatus;
  /** The regions regional resources were read in (engine/regions.ts), and why not every enabled one, if so. */
  readonly enabledRegions: EnabledRegions;
  /** The provider's automation outside IAM, in every region of `enabledRegions`. */
  readonly automation: Automation;
  /** The provider's buckets named in the config, found or not. */
  readonly buckets: readonly Bucket[];
  /**
   * Everything that delivers into an S3 bucket, in every region (trails, with shadow and organization trails, and
   * Config delivery channels), read when buckets may be deleted: none is deleted while one of them writes to it.
   */
  readonly bucketWriters?: {
    readonly writers: readonly BucketWriter[];
    /** What could not be read (a region, denied): a bucket delete is refused while a writer may be unknown. */
    readonly unreadable: readonly string[];
  };
  /** The sweep's findings (lambda/resources/sweep.ts): read only when a driver runs the sweep. */
  readonly resourcePolicies?: ResourcePolicies;
}

/** Resource-based policies and shares of every region, as the sweep read them. */
export interface ResourcePolicies {
  readonly regions: readonly string[];
  /** Every resource that has a policy or a share, and one item per service and region that could not be read. */
  readonly items: readonly PolicyHolder[];
  /** Active IAM Access Analyzer findings about provider principals, per region that has an analyzer. */
  readonly findings: readonly AnalyzerFinding[];
}

/** A resource with a resource-based policy (or shares), in one region. */
export interface PolicyHolder {
  readonly type: ResourceType;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  /** The policy as the service returned it (JSON text). */
  readonly policy?: string;
  /** Shares: who it is shared with (account ids, `all` for public, organization, OU or IAM ARNs). */
  readonly sharedWith?: readonly string[];
  /** What the kind's steps name it by, when not its name (e.g. a queue's URL, a layer's version). */
  readonly ref?: Readonly<Record<string, string | number>>;
  /** Why the service (or this resource) could not be read: one flagged line, the run goes on. */
  readonly error?: string;
}

export interface AnalyzerFinding {
  readonly region: string;
  readonly analyzer: string;
  readonly id: string;
  readonly resource: string;
  readonly resourceType: string;
  readonly principals: readonly string[];
  readonly error?: string;
}

/** One provider bucket as discovery saw it. */
export interface Bucket {
  readonly name: string;
  readonly arn: string;
  /** False when the bucket does not exist: reported, not an error. */
  readonly exists: boolean;
  /** The policy as IAM stores it (JSON text), if any. */
  readonly policy?: string;
  readonly versioning?: 'Enabled' | 'Suspended';
  /** Lifecycle rules as S3 returns them, kept whole so a merge never drops a field. */
  readonly lifecycleRules: readonly LifecycleRule[];
  readonly publicAccessBlocked: boolean;
  readonly encrypted: boolean;
  /** The public access block and default encryption as S3 returned them (absent: none), kept for a backup. */
  readonly publicAccessBlock?: PublicAccessBlockConfiguration;
  readonly encryption?: ServerSideEncryptionConfiguration;
  readonly tags: Readonly<Record<string, string>>;
  /** What it holds, read only when the mode copies or deletes. */
  readonly contents?: BucketContents;
  /** What the archive bucket holds under `<name>/`, read when the mode copies or deletes into an archive bucket. */
  readonly copy?: BucketContents;
  /** The bucket's region (HeadBucket's BucketRegion). */
  readonly region?: string;
  /** Default encryption under a KMS key: the key's id or ARN (`aws/s3` when S3's own managed key). */
  readonly kmsKey?: string;
  /** `TransitionDefaultMinimumObjectSize` of the lifecycle configuration, kept when the engine rewrites it. */
  readonly transitionMinimumSize?: string;
  /** The archive bucket as this run saw it, when the mode copies into one. */
  readonly archive?: ArchiveBucket;
  /** Why the bucket (or its archive) could not be read: the bucket becomes one flagged item, the run goes on. */
  readonly error?: string;
}

export interface ArchiveBucket {
  readonly versioning?: 'Enabled' | 'Suspended';
  readonly kmsKey?: string;
}

export interface BucketContents {
  /** Current objects (latest, not delete markers). */
  readonly objects: number;
  readonly bytes: number;
  /** Every version and delete marker, for a delete. */
  readonly versions: number;
  readonly deleteMarkers: number;
  /** Keys in an archive storage class that need a restore before they can be copied (restored ones can be). */
  readonly needRestore: readonly string[];
}

/** Who writes into a bucket: a trail or a Config delivery channel of some region, for the takeover check. */
export interface BucketWriter {
  readonly bucket: string;
  /** e.g. `CloudTrail trail arn:...` or `AWS Config delivery channel default (eu-west-1)`. */
  readonly writer: string;
}

/** What runs outside IAM in the regions read, as far as the provider may have left it; each item names its region. */
export interface Automation {
  readonly lambdaFunctions: readonly (Regional & { readonly name: string; readonly arn: string; readonly role: string })[];
  /** Rules on the default event bus, with their targets. */
  readonly eventRules: readonly (Regional & {
    readonly name: string;
    readonly arn: string;
    readonly targets: readonly { readonly id: string; readonly arn: string }[];
    /** The AWS service that manages the rule (ListRules `ManagedBy`): only that service may delete it. */
    readonly managedBy?: string;
  })[];
  readonly configRules: readonly (Regional & {
    readonly name: string;
    readonly arn: string;
    /** The service (or conformance pack) that created it (`CreatedBy`): the account cannot delete it. */
    readonly createdBy?: string;
    /** It has a remediation configuration, which AWS makes DeleteConfigRule wait for. */
    readonly remediation: boolean;
  })[];
  /** Each region's Config recorder (there is at most one) and the bucket its delivery channel writes to. */
  readonly configRecorders: readonly (Regional & { readonly name: string; readonly channelName?: string; readonly bucket?: string })[];
  /** Trails by their home region (no shadow trails): a multi-region trail once. */
  readonly trails: readonly (Regional & { readonly name: string; readonly arn: string; readonly bucket?: string })[];
  /** Listers that failed (e.g. denied), each with its region: reported as warnings, never silently skipped. */
  readonly unreadable: readonly string[];
}

/** A resource of one region. */
export interface Regional {
  readonly region: string;
}

/** The buckets the provider created in every account it managed. */
export function providerBuckets(accountId: string): string[] {
  return [`config-bucket-${accountId}`, `ctlaudit-${accountId}`];
}

/** The kinds of principal a managed policy can be attached to. */
export type PrincipalKind = 'role' | 'user' | 'group';

export interface PrincipalRef {
  readonly kind: PrincipalKind;
  readonly name: string;
}

/** Policy ARN → the principals it is attached to, inverted from the principals' own attachment lists. */
export function attachmentsByPolicy(inventory: Inventory): ReadonlyMap<string, readonly PrincipalRef[]> {
  const index = new Map<string, PrincipalRef[]>();
  const add = (kind: PrincipalKind, principal: Principal) => {
    for (const policy of principal.attachedPolicies) {
      let list = index.get(policy.arn);
      if (!list) index.set(policy.arn, (list = []));
      list.push({ kind, name: principal.name });
    }
  };
  inventory.roles.forEach((role) => add('role', role));
  inventory.users.forEach((user) => add('user', user));
  inventory.groups.forEach((group) => add('group', group));
  return index;
}

/** Policy ARN → the principals that use it as their permissions boundary. */
export function boundariesByPolicy(inventory: Inventory): ReadonlyMap<string, readonly PrincipalRef[]> {
  const index = new Map<string, PrincipalRef[]>();
  const add = (kind: PrincipalKind, name: string, arn: string | undefined) => {
    if (!arn) return;
    let list = index.get(arn);
    if (!list) index.set(arn, (list = []));
    list.push({ kind, name });
  };
  inventory.roles.forEach((role) => add('role', role.name, role.permissionsBoundaryArn));
  inventory.users.forEach((user) => add('user', user.name, user.permissionsBoundaryArn));
  return index;
}

/** Statements of a document as a list, whether IAM stored one or many. */
export function statementsOf(document: PolicyDocument): readonly PolicyStatement[] {
  const statement = document.Statement;
  if (!statement) return [];
  return Array.isArray(statement) ? statement : [statement as PolicyStatement];
}

/** A string-or-list IAM field as a list. */
export function asList<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value as T];
}
