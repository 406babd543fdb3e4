/**
 * The departure config: what counts as the provider's, what must survive, and what is opt-in.
 *
 * One schema for every driver (CLI file, CDK context, CloudFormation parameters). Validation refuses
 * anything it does not understand, so a typo can never widen or silently narrow the cleanup.
 */

import { CLEANUP_BUNDLE } from './bundle';
import type { ResourcePolicySettings } from './sweep-config';

/** Settings of one departure run. Every field has a safe default; see {@link DEFAULT_CONFIG}. */
export interface DepartureConfig {
  /**
   * Name prefixes that mark a policy or role as the provider's (case-sensitive, like IAM ARN matching).
   * @default ["CTL"]
   */
  readonly prefixes: readonly string[];
  /**
   * Keep the CAM provider policies, and every principal they are attached to, so the customer can go on
   * using Cloud Application Manager. Their `removeTagKeys` tags are still removed.
   * @default true
   */
  readonly keepCamProvider: boolean;
  /**
   * Names of the CAM provider policies kept when `keepCamProvider` is on.
   * @default ["CTLCAMPolicy"]
   */
  readonly camPolicyNames: readonly string[];
  /**
   * Tag keys removed from the resources that are kept.
   * @default ["Optimization"]
   */
  readonly removeTagKeys: readonly string[];
  /**
   * Names that are never touched, whatever else matches.
   * @default []
   */
  readonly exclude: readonly string[];
  /**
   * The provider's AWS account ids: a role whose trust policy lets one of them in is flagged even when its
   * name does not match a prefix.
   * @default ["589942003651"]
   */
  readonly providerAccountIds: readonly string[];
  /**
   * The provider's AWS Organizations ids (`o-...`): a resource policy whose condition lets in principals of one of
   * them (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`) grants the provider. The CLI's sweep reads it; checked by
   * SWEEP_CONFIG_CHECKS (engine/sweep-config.ts), which only the CLI passes: the stack refuses it.
   * @default []
   */
  readonly providerOrganizationIds?: readonly string[];
  /** What the CLI's sweep of resource-based policies does with the provider's grants it finds. @default flag them all */
  readonly resourcePolicies?: ResourcePolicySettings;
  /**
   * Delete (instead of flag) roles that trust a provider account but whose names do not match a prefix.
   * @default false
   */
  readonly deleteTrustingRoles: boolean;
  /**
   * Which provider identities besides roles and policies are removed. Each kind is on unless set to false.
   * @default { users: true, groups: true, samlProviders: true, oidcProviders: true }
   */
  readonly identities: IdentityKinds;
  /**
   * URL fragments (case-insensitive) that mark an OIDC identity provider as the provider's.
   * @default ["ctl.io", "centurylink", "lumen.com"]
   */
  readonly oidcUrlFragments: readonly string[];
  /**
   * Roles of the provider's own automation (its auto-remediation Lambda re-attaches CTLCustomerPolicy and strips
   * users outside groups): apply removes them before it changes anything else, so they cannot undo the cleanup.
   * @default ["CTLAccountControlsLambdaRole"]
   */
  readonly automationRoleNames: readonly string[];
  /**
   * Refuse to apply while the account is in an AWS Organization whose management account (or organization id)
   * is not in `allowedOrganizations`: the provider's service control policies may deny the deletions.
   * @default false
   */
  readonly requireStandalone: boolean;
  /**
   * Organizations an account may be in when `requireStandalone` is on: management account ids or `o-` ids.
   * @default []
   */
  readonly allowedOrganizations: readonly string[];
  /**
   * The provider's automation outside IAM, in every region read (see `regions`), is flagged for review; a kind set to
   * true here is deleted instead.
   * @default { lambdaFunctions: false, eventRules: false, configRules: false, configRecorder: false, trails: false }
   */
  readonly deleteAutomation: AutomationKinds;
  /** What happens to the provider's S3 buckets. */
  readonly buckets: BucketSettings;
  /**
   * The regions where the provider's automation is looked for, of those the account has enabled (`us-east-1`, ...).
   * Who writes into a provider bucket is read in every enabled region whatever this says.
   * @default every enabled region (Account Management ListRegions)
   */
  readonly regions?: readonly string[];
  /**
   * A provider role or access key used within this many days before discovery is named in the report's warnings:
   * worth a second look before apply.
   * @default 30
   */
  readonly recentUseDays: number;
  /**
   * Prefixes of `prefixes` accepted although they are too broad (see {@link broadPrefix}), each named exactly: the
   * one deliberate way to use a short prefix or one that overlaps names AWS gives.
   * @default []
   */
  readonly allowBroadPrefixes: readonly string[];
  /** Fragments of `oidcUrlFragments` accepted although they are too broad (see {@link broadOidcFragment}). @default [] */
  readonly allowBroadOidcUrlFragments: readonly string[];
  /**
   * Email domains of the provider: an alternate contact or contact information naming one needs attention (readiness).
   * @default ["ctl.io", "centurylink.com", "lumen.com"]
   */
  readonly providerEmailDomains: readonly string[];
  /** What only the customer knows for the provider's departure ticket (`ctl-departure ticket`), kept for reruns. */
  readonly ticket: TicketSettings;
}

/** The departure ticket's fields that no API can answer. Every key is optional; a missing one is left blank. */
export interface TicketSettings {
  readonly goal?: string;
  /** YYYY-MM-DD. */
  readonly targetDate?: string;
  /** The customer's account representative at the provider. */
  readonly representative?: string;
  readonly accountsWithoutRootAccess?: readonly string[];
  /** How the provider should deliver the root credentials (e.g. by phone to a named person). */
  readonly rootCredentialDelivery?: string;
  /** Who removes the member accounts from the provider's organization. */
  readonly removedBy?: 'provider' | 'customer';
  /** With removedBy customer: the IAM users that need the permission to leave. */
  readonly iamUsersNeedingPermission?: readonly string[];
  readonly specialConsiderations?: string;
}

/** How a provider bucket ends. In every mode, bucket-policy statements that let the provider in are removed. */
export type BucketMode =
  /** Nothing else changes. */
  | 'keep'
  /** In place: public access blocked, encryption on, tagged, and a lifecycle rule to `storageClass`. */
  | 'archive'
  /** Server-side copy of every object into `archiveBucket` under `<bucket>/`. */
  | 'copy'
  /** Every version and delete marker, then the bucket: only after a verified copy, or `deleteWithoutArchive`. */
  | 'delete';

export interface BucketSettings {
  /** @default "keep" */
  readonly mode: BucketMode;
  /**
   * Bucket names; `{accountId}` stands for the account's id.
   * @default ["config-bucket-{accountId}", "ctlaudit-{accountId}"]
   */
  readonly names: readonly string[];
  /** Where `copy` puts the objects (and where `delete` looks for a verified copy). */
  readonly archiveBucket?: string;
  /** @default "DEEP_ARCHIVE" */
  readonly storageClass: string;
  /** Days before the archive lifecycle rule moves objects. @default 0 */
  readonly transitionDays: number;
  /** `copy` also copies noncurrent versions, oldest first. @default false */
  readonly copyVersions: boolean;
  /** `delete` without a verified copy. @default false */
  readonly deleteWithoutArchive: boolean;
  /** Objects larger than this are copied by multipart UploadPartCopy (CopyObject's limit is 5 GiB). @default 5 GiB */
  readonly multipartThresholdBytes: number;
  /**
   * A bucket with more objects than this is copied by an S3 Batch Operations job instead of by the run itself.
   * Measured: the engine copies about 130 small objects a second against moto on 2 cores (bench:copy), and a
   * Lambda run has at most 15 minutes. @default 50000
   */
  readonly batchThresholdObjects: number;
  /** Or holding more bytes than this. @default 1 TiB */
  readonly batchThresholdBytes: number;
  /** The role S3 Batch Operations assumes to copy (trusting batchoperations.s3.amazonaws.com). */
  readonly batchRoleArn?: string;
}

const STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'];
const BUCKET_MODES: readonly BucketMode[] = ['keep', 'archive', 'copy', 'delete'];

/** Kinds of the provider's automation outside IAM whose deletion can be switched on one by one. */
export interface AutomationKinds {
  readonly lambdaFunctions: boolean;
  readonly eventRules: boolean;
  readonly configRules: boolean;
  /** The AWS Config recorder and its delivery channel, when they deliver to a provider bucket. */
  readonly configRecorder: boolean;
  readonly trails: boolean;
}

/** Provider identity kinds that can be switched off one by one. */
export interface IdentityKinds {
  readonly users: boolean;
  readonly groups: boolean;
  readonly samlProviders: boolean;
  readonly oidcProviders: boolean;
}

export const DEFAULT_CONFIG: DepartureConfig = Object.freeze({
  prefixes: ['CTL'],
  keepCamProvider: true,
  camPolicyNames: ['CTLCAMPolicy'],
  removeTagKeys: ['Optimization'],
  exclude: [],
  providerAccountIds: ['589942003651'],
  deleteTrustingRoles: false,
  identities: Object.freeze({ users: true, groups: true, samlProviders: true, oidcProviders: true }),
  oidcUrlFragments: ['ctl.io', 'centurylink', 'lumen.com'],
  automationRoleNames: ['CTLAccountControlsLambdaRole'],
  requireStandalone: false,
  allowedOrganizations: [],
  deleteAutomation: Object.freeze({ lambdaFunctions: false, eventRules: false, configRules: false, configRecorder: false, trails: false }),
  buckets: Object.freeze({
    mode: 'keep',
    names: ['config-bucket-{accountId}', 'ctlaudit-{accountId}'],
    storageClass: 'DEEP_ARCHIVE',
    transitionDays: 0,
    copyVersions: false,
    deleteWithoutArchive: false,
    multipartThresholdBytes: 5 * 1024 ** 3,
    batchThresholdObjects: 50_000,
    batchThresholdBytes: 1024 ** 4,
  }),
  recentUseDays: 30,
  allowBroadPrefixes: [],
  allowBroadOidcUrlFragments: [],
  providerEmailDomains: ['ctl.io', 'centurylink.com', 'lumen.com'],
  ticket: Object.freeze({}),
});

/** A config that cannot be used; `field` is the dotted path of the offending key. */
export class ConfigError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`config "${field}": ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Characters IAM allows in role, policy, user and group names. */
const IAM_NAME = /^[\w+=,.@-]+$/;
const ACCOUNT_ID = /^\d{12}$/;

/** Checks one key's value and returns it resolved; throws ConfigError naming the field. */
export type Checker = (field: string, value: unknown) => unknown;

export const bool: Checker = (field, value) => {
  if (typeof value !== 'boolean') throw new ConfigError(field, `must be true or false, not ${JSON.stringify(value)}`);
  return value;
};

export function stringList(item: (field: string, value: string) => void, options: { nonEmpty?: boolean } = {}): Checker {
  return (field, value) => {
    if (!Array.isArray(value)) throw new ConfigError(field, `must be a JSON array of strings, not ${JSON.stringify(value)}`);
    if (options.nonEmpty && value.length === 0) throw new ConfigError(field, 'must name at least one entry');
    value.forEach((entry, i) => {
      if (typeof entry !== 'string') throw new ConfigError(`${field}[${i}]`, `must be a string, not ${JSON.stringify(entry)}`);
      item(`${field}[${i}]`, entry);
    });
    return Object.freeze([...new Set(value as string[])]);
  };
}

const iamName = (field: string, value: string) => {
  if (!IAM_NAME.test(value)) throw new ConfigError(field, `"${value}" is not an IAM name (letters, digits and +=,.@_- only)`);
};

/** What `exclude` may name: an IAM name, or an OIDC provider by its URL without `https://`, path included. */
const excludedName = (field: string, value: string) => {
  if (!/^[\w+=,.@/:~%-]+$/.test(value) || value.includes('//')) throw new ConfigError(field, `"${value}" is neither an IAM name nor an OIDC provider URL without https://`);
};

/** A prefix is a literal: an empty one or a wildcard would make every resource the provider's. */
const prefix = (field: string, value: string) => {
  if (value.trim() === '') throw new ConfigError(field, 'must not be empty: an empty prefix matches every resource; use a literal such as "CTL"');
  if (/[*?]/.test(value)) throw new ConfigError(field, `"${value}" contains a wildcard; prefixes are literal, write "CTL" rather than "CTL*"`);
  iamName(field, value);
};

/**
 * Starts of names that AWS, IAM Identity Center, CDK and StackSets give in every account (compared ignoring case):
 * `AWSServiceRoleFor*`, `AWSReservedSSO_*`, `AWSSSO_*`, `aws-*`, `Amazon*`, `cdk-*`, `stacksets-exec-*`,
 * `OrganizationAccountAccessRole`.
 */
const AWS_NAME_STARTS = ['AWS', 'Amazon', 'cdk-', 'stacksets-exec-', 'OrganizationAccountAccessRole'];

/**
 * Why a prefix would match more than the provider's names: shorter than 3 characters, not starting with a letter, or
 * overlapping a name AWS gives (the start of one, like "Org", or starting with one, like "AWSFoo").
 */
export function broadPrefix(value: string): string | undefined {
  if (value.length < 3 || !/^[A-Za-z]/.test(value)) return 'a prefix needs at least 3 characters and must start with a letter';
  const lower = value.toLowerCase();
  const start = AWS_NAME_STARTS.find((name) => lower.startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(lower));
  return start && `it overlaps names AWS gives (${start}...)`;
}

/** What an issuer URL fragment may hold: a host or part of one, and a path. */
const URL_FRAGMENT = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(\/[\w.~-]+)*$/i;

/**
 * Issuers many accounts trust. A fragment inside one matches it. A host under the domain of one of three labels or
 * more (`oidc.eks.<region>.amazonaws.com`, `token.actions.githubusercontent.com`) issues for every tenant: a fragment
 * naming such a host needs the path that names the tenant.
 */
const KNOWN_ISSUERS = [
  'token.actions.githubusercontent.com', 'accounts.google.com', 'login.microsoftonline.com', 'sts.windows.net', 'oidc.eks.amazonaws.com',
  'cognito-identity.amazonaws.com', 'app.terraform.io', 'oidc.circleci.com', 'api.bitbucket.org', 'gitlab.com', 'okta.com', 'auth0.com', 'onelogin.com',
];

/**
 * Why an OIDC URL fragment would match more than the provider's issuers: under 6 characters, neither a host (with a
 * dot) nor a word of 8 or more, inside a well-known issuer, or a host of a multi-tenant issuer without a path.
 */
export function broadOidcFragment(value: string): string | undefined {
  const lower = value.toLowerCase();
  const host = lower.split('/')[0]!;
  if (lower.length < 6 || !(host.includes('.') || host.length > 7)) return 'a fragment needs 6 characters and a dot (a host such as "auth.ctl.io"), or a word of 8';
  // A region names no tenant: "eks.eu-west-1" is as broad as "eks".
  const regionless = lower.replace(/[a-z]{2}(-[a-z]+)+-\d\.?/g, '');
  for (const known of KNOWN_ISSUERS) {
    if (known.includes(regionless)) return `it matches ${known}, an issuer many accounts trust`;
    const domain = known.split('.').slice(-2).join('.');
    if (lower === host && domain !== known && `.${host}`.endsWith(`.${domain}`)) return `hosts under ${domain} issue for every tenant: add the path that names the provider's`;
  }
  return undefined;
}

const accountId = (field: string, value: string) => {
  if (!ACCOUNT_ID.test(value)) throw new ConfigError(field, `"${value}" is not a 12-digit AWS account id`);
};

const tagKey = (field: string, value: string) => {
  if (value.length === 0 || value.length > 128) throw new ConfigError(field, 'must be a tag key of 1 to 128 characters');
};

const urlFragment = (field: string, value: string) => {
  if (!URL_FRAGMENT.test(value)) throw new ConfigError(field, `"${value}" is not a host or host/path such as "auth.ctl.io"`);
};

/** An email domain: dot-separated labels ending in a top-level domain (`ctl.io`, not `io`). */
const emailDomain = (field: string, value: string) => {
  if (!/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/i.test(value)) {
    throw new ConfigError(field, `"${value}" is not an email domain such as "ctl.io": too broad or malformed to name the provider's contacts`);
  }
};

/** A region code such as `us-east-1`, `us-gov-west-1` or `eu-isoe-west-1`. */
const region = (field: string, value: string) => {
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)) throw new ConfigError(field, `"${value}" is not a region such as "us-east-1"`);
};

const organization = (field: string, value: string) => {
  if (!ACCOUNT_ID.test(value) && !/^o-[a-z0-9]{10,32}$/.test(value)) {
    throw new ConfigError(field, `"${value}" is neither a 12-digit management account id nor an organization id such as "o-abcd123456"`);
  }
};

/** An object of booleans with known keys; missing keys keep their default. */
export function flags<T extends object>(defaults: T): Checker {
  return (field, value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(field, `must be an object such as ${JSON.stringify(defaults)}`);
    }
    const resolved: Record<string, boolean> = { ...(defaults as Record<string, boolean>) };
    for (const [key, flag] of Object.entries(value)) {
      if (!Object.hasOwn(defaults, key)) throw new ConfigError(`${field}.${key}`, `unknown key; the known keys are ${Object.keys(defaults).join(', ')}`);
      resolved[key] = bool(`${field}.${key}`, flag) as boolean;
    }
    return Object.freeze(resolved);
  };
}

/** S3's rules for a bucket name (General purpose bucket naming rules, Amazon S3 User Guide). */
const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** A bucket name, where `{accountId}` may stand once for the 12 digits of the account's id. */
const bucketName = (field: string, value: string) => {
  if (value.split('{accountId}').length > 2) throw new ConfigError(field, `"${value}" names {accountId} twice: write it once`);
  if (!BUCKET_NAME.test(value.replace('{accountId}', '123456789012'))) {
    throw new ConfigError(field, `"${value}" is not an S3 bucket name (3 to 63 of a-z 0-9 . -, {accountId} counting 12)`);
  }
};

/** An IAM role ARN of any partition, with an optional path, and no wildcard. */
export const BATCH_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The `buckets` object: known keys only, each checked, the modes' requirements enforced. */
const bucketSettings: Checker = (field, value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(field, 'must be an object such as {"mode": "archive"}');
  const defaults = DEFAULT_CONFIG.buckets;
  const resolved: Record<string, unknown> = { ...defaults };
  // The cleanup stack's properties carry neither copyVersions nor the thresholds: its function refuses them as unknown.
  for (const [key, entry] of Object.entries(value)) {
    const at = `${field}.${key}`;
    if (key === 'mode') {
      if (!BUCKET_MODES.includes(entry as BucketMode)) throw new ConfigError(at, `must be one of ${BUCKET_MODES.join(', ')}, not ${JSON.stringify(entry)}`);
    } else if (key === 'names') {
      stringList(bucketName)(at, entry);
    } else if (key === 'archiveBucket') {
      if (typeof entry !== 'string') throw new ConfigError(at, 'must be a bucket name');
      bucketName(at, entry);
    } else if (key === 'storageClass') {
      if (!STORAGE_CLASSES.includes(entry as string)) throw new ConfigError(at, `must be one of ${STORAGE_CLASSES.join(', ')}, not ${JSON.stringify(entry)}`);
    } else if (key === 'batchRoleArn') {
      // One role, named exactly: no wildcards (IAM would let the function pass every role they match).
      if (typeof entry !== 'string' || !BATCH_ROLE_ARN.test(entry)) throw new ConfigError(at, 'must be one IAM role ARN, without wildcards, such as "arn:aws:iam::123456789012:role/s3-batch-copy"');
    } else if (key === 'transitionDays' || (!CLEANUP_BUNDLE && (key === 'multipartThresholdBytes' || key === 'batchThresholdObjects' || key === 'batchThresholdBytes'))) {
      const minimum = key === 'transitionDays' ? 0 : key === 'multipartThresholdBytes' ? 5 * 1024 ** 2 : 1;
      if (!Number.isInteger(entry) || (entry as number) < minimum) throw new ConfigError(at, `must be a whole number of at least ${minimum}`);
    } else if ((!CLEANUP_BUNDLE && key === 'copyVersions') || key === 'deleteWithoutArchive') {
      bool(at, entry);
    } else {
      throw new ConfigError(at, `unknown key; the known keys are ${Object.keys(defaults).concat('archiveBucket', 'batchRoleArn').join(', ')}`);
    }
    resolved[key] = key === 'names' ? Object.freeze([...(entry as string[])]) : entry;
  }
  if (resolved.mode === 'copy' && !resolved.archiveBucket) throw new ConfigError(`${field}.archiveBucket`, 'is required in copy mode: name the bucket that receives the copy');
  if (resolved.mode === 'archive') {
    // A lifecycle transition to STANDARD is not a transition; to the IA classes S3 requires at least 30 days
    // (S3 User Guide, "Transitioning objects using Amazon S3 Lifecycle": constraints).
    if (resolved.storageClass === 'STANDARD') throw new ConfigError(`${field}.storageClass`, 'cannot be STANDARD in archive mode: a lifecycle rule moves objects to another class, such as DEEP_ARCHIVE');
    if (['STANDARD_IA', 'ONEZONE_IA'].includes(resolved.storageClass as string) && (resolved.transitionDays as number) < 30) {
      throw new ConfigError(`${field}.transitionDays`, `must be at least 30 for ${resolved.storageClass as string}: S3 refuses an earlier transition to it`);
    }
  }
  if (resolved.archiveBucket && (resolved.names as string[]).includes(resolved.archiveBucket as string)) {
    throw new ConfigError(`${field}.archiveBucket`, 'must not be one of the provider buckets it archives');
  }
  return Object.freeze(resolved);
};



/** The ticket's fields are checked where the ticket is written (cli/ticket.ts): the engine never reads them. */
const ticketSettings: Checker = (field, value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(field, 'must be an object such as {"targetDate": "2027-01-31"}');
  return Object.freeze({ ...value });
};

/** The keys the cleanup stack's properties can carry (lambda/properties.ts: PROPERTY_KEYS and the bucket properties). */
const STACK_CHECKS = {
  prefixes: stringList(prefix, { nonEmpty: true }),
  keepCamProvider: bool,
  camPolicyNames: stringList(iamName),
  removeTagKeys: stringList(tagKey),
  exclude: stringList(excludedName),
  providerAccountIds: stringList(accountId),
  oidcUrlFragments: stringList(urlFragment),
  buckets: bucketSettings,
  allowBroadPrefixes: stringList(prefix),
  allowBroadOidcUrlFragments: stringList(urlFragment),
} as const satisfies Partial<Record<keyof DepartureConfig, Checker>>;

/**
 * Every key's check. The cleanup stack's function (CLEANUP_BUNDLE, see engine/bundle.ts) is only ever given the keys
 * of STACK_CHECKS, so it carries only their checks: any other key is refused there as unknown, and the bundler drops
 * the rest (template bytes).
 */
const CHECKS: Readonly<Partial<Record<keyof DepartureConfig, Checker>>> = CLEANUP_BUNDLE
  ? STACK_CHECKS
  : {
      // The order of the keys is the one help and errors list them in.
      prefixes: STACK_CHECKS.prefixes,
      keepCamProvider: bool,
      camPolicyNames: STACK_CHECKS.camPolicyNames,
      removeTagKeys: STACK_CHECKS.removeTagKeys,
      exclude: STACK_CHECKS.exclude,
      providerAccountIds: STACK_CHECKS.providerAccountIds,
      deleteTrustingRoles: bool,
      identities: flags(DEFAULT_CONFIG.identities),
      oidcUrlFragments: STACK_CHECKS.oidcUrlFragments,
      automationRoleNames: stringList(iamName),
      requireStandalone: bool,
      allowedOrganizations: stringList(organization),
      deleteAutomation: flags(DEFAULT_CONFIG.deleteAutomation),
      buckets: bucketSettings,
      regions: stringList(region, { nonEmpty: true }),
      recentUseDays: (field, value) => {
        if (!Number.isInteger(value) || (value as number) < 0) throw new ConfigError(field, `must be a whole number of days (0: no such warning), not ${JSON.stringify(value)}`);
        return value;
      },
      allowBroadPrefixes: STACK_CHECKS.allowBroadPrefixes,
      allowBroadOidcUrlFragments: STACK_CHECKS.allowBroadOidcUrlFragments,
      providerEmailDomains: stringList(emailDomain),
      ticket: ticketSettings,
    } satisfies { readonly [K in keyof DepartureConfig]: Checker };

/** Keys accepted in a config; the drivers use it to list them in help and errors. */
export const CONFIG_KEYS = Object.keys(CHECKS) as (keyof DepartureConfig)[];

/**
 * Validates a parsed config object and fills in defaults. `more` checks keys of a driver's own (the CLI's sweep,
 * SWEEP_CONFIG_CHECKS): without it they are unknown keys, as in the stack.
 * @throws ConfigError naming the first offending field and what to write instead.
 */
export function resolveConfig(input: unknown, more: Readonly<Partial<Record<keyof DepartureConfig, Checker>>> = {}): DepartureConfig {
  if (input === undefined) return DEFAULT_CONFIG;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('(root)', `must be a JSON object such as {"prefixes": ["CTL"]}, not ${JSON.stringify(input)}`);
  }
  const resolved: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const checks: Record<string, Checker> = { ...CHECKS, ...more };
  for (const [key, value] of Object.entries(input)) {
    // Own keys only: "constructor", "toString" or "__proto__" are not settings.
    if (!Object.hasOwn(checks, key)) throw new ConfigError(key, `unknown key; the known keys are ${Object.keys(checks).join(', ')}`);
    resolved[key] = checks[key]!(key, value);
  }
  const config = resolved as unknown as DepartureConfig;
  refuseBroad('prefixes', config.prefixes, config.allowBroadPrefixes, broadPrefix);
  refuseBroad('oidcUrlFragments', config.oidcUrlFragments, config.allowBroadOidcUrlFragments, broadOidcFragment);
  return Object.freeze(resolved) as unknown as DepartureConfig;
}

/** Refuses an entry too broad to name the provider's, unless its `allowBroad...` list names it exactly. */
function refuseBroad(key: 'prefixes' | 'oidcUrlFragments', values: readonly string[], allowed: readonly string[], broad: (value: string) => string | undefined): void {
  const allowKey = key === 'prefixes' ? 'allowBroadPrefixes' : 'allowBroadOidcUrlFragments';
  values.forEach((value, i) => {
    const why = allowed.includes(value) ? undefined : broad(value);
    if (why) throw new ConfigError(`${key}[${i}]`, `"${value}" is too broad: ${why}; if it really names only the provider's, also list it in ${allowKey}`);
  });
  allowed.forEach((value, i) => {
    if (!values.includes(value)) throw new ConfigError(`${allowKey}[${i}]`, `"${value}" is not one of ${key}: name exactly the entry to accept`);
  });
}
