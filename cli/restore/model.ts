/**
 * Restore's vocabulary: the account as it is now (read once, a plain snapshot), and one restore item per thing a
 * departure removed or changed, each with one decision, its reason and the calls that put it back. CLI only: the
 * Lambda never restores, and its bundle carries none of this (lambda/ never imports cli/).
 */
import type {
  GroupBackup,
  InstanceProfileBackup,
  OidcProviderBackup,
  PolicyBackup,
  RoleBackup,
  SamlProviderBackup,
  Tag,
  UserBackup,
} from '../../lambda/engine/backup';
import { step as engineStep, type Service, type Status, type Step } from '../../lambda/engine/model';

/** What restore does with one item. */
export type RestoreDecision =
  /** Put back by its steps. */
  | 'restore'
  /** There already, with the same definition: nothing to do. */
  | 'same'
  /** The name is taken by something different (or a part of it differs): reported, never overwritten. */
  | 'conflict'
  /** It needs something that is neither there nor restored by this run (see `--only`): not attempted. */
  | 'needs'
  /** No API can put it back (credentials, a deleted bucket's objects, automation the report did not record). */
  | 'cannot';

export const DECISIONS: readonly RestoreDecision[] = ['restore', 'conflict', 'needs', 'cannot', 'same'];

/**
 * The phases of a restore, in the order they run: what a later phase names must exist first (federation providers
 * before the roles that trust them, policies before the principals that attach them or use them as boundary, groups
 * before memberships, roles before their instance profiles).
 */
export const PHASES = [
  'iam:saml-provider',
  'iam:oidc-provider',
  'iam:policy',
  'iam:group',
  'iam:user',
  'iam:group-membership',
  'iam:role',
  'iam:instance-profile',
  'iam:policy-attachment',
  'iam:tags',
  's3:bucket',
  'other',
] as const;

export type RestorePhase = (typeof PHASES)[number];

export interface RestoreItem {
  readonly phase: RestorePhase;
  /** What it puts back, e.g. `CTLDeveloperRole`, `CTLCustomerPolicy on group Admins`. */
  readonly name: string;
  /** Names of the report's actions it comes from: `--only NAME` selects by them. */
  readonly sources: readonly string[];
  readonly decision: RestoreDecision;
  readonly reason: string;
  /**
   * One line each: a part left out because it differs (`conflict: ...`) or needs what is missing (`needs: ...`),
   * what cannot come back (`not restorable: ...`: unique ids, policy version ids, credentials), and what else a
   * reader should know (`note: ...`).
   */
  readonly notes: readonly string[];
  /** The calls, in order; empty unless `restore` (or a `conflict` whose other parts are restored). */
  readonly steps: Step[];
  /** Roles whose trust policy names a role restored by this run go in a later wave of the role phase. */
  readonly wave?: number;
  status: Status;
  error?: string;
}

export function iamStep(call: string, input: Record<string, unknown>, service: Service = 'iam'): Step {
  return engineStep(call, input, service);
}

// ---- The account now -------------------------------------------------------------------------------------------

export type RoleState = Omit<RoleBackup, 'InstanceProfiles'> & { readonly RoleId?: string };
export type UserState = Omit<UserBackup, 'Credentials'>;
export type GroupState = Omit<GroupBackup, 'Members'>;
export type PolicyState = Omit<PolicyBackup, 'AttachedTo' | 'BoundaryOf'>;
export type InstanceProfileState = InstanceProfileBackup;
export type SamlState = SamlProviderBackup;
/** `Url` without its scheme, as IAM shows it. */
export type OidcState = OidcProviderBackup;

export interface BucketState {
  readonly exists: boolean;
  readonly Policy?: string;
  readonly LifecycleRules?: readonly Record<string, unknown>[];
  readonly TransitionDefaultMinimumObjectSize?: string;
  readonly Tags?: readonly Tag[];
  readonly PublicAccessBlockConfiguration?: Readonly<Record<string, boolean>>;
  readonly ServerSideEncryptionConfiguration?: Readonly<Record<string, unknown>>;
}

/**
 * What restore reads before deciding: every role, user, group and customer-managed policy (one
 * GetAccountAuthorizationDetails), every instance profile, and, for the entities the report names, what that call
 * omits (a role's description and session length, a policy's or profile's tags, a federation provider, a bucket).
 */
export interface RestoreState {
  readonly accountId: string;
  readonly partition: string;
  readonly roles: Readonly<Record<string, RoleState>>;
  readonly users: Readonly<Record<string, UserState>>;
  readonly groups: Readonly<Record<string, GroupState>>;
  /** Customer-managed policies, by ARN. */
  readonly policies: Readonly<Record<string, PolicyState>>;
  readonly instanceProfiles: Readonly<Record<string, InstanceProfileState>>;
  readonly samlProviders: Readonly<Record<string, SamlState>>;
  /** By URL without `https://`. */
  readonly oidcProviders: Readonly<Record<string, OidcState>>;
  /** Only the buckets the report names. */
  readonly buckets: Readonly<Record<string, BucketState>>;
}

// ---- Comparing definitions -------------------------------------------------------------------------------------

/** JSON with object keys sorted, so two documents IAM stored with keys in another order compare equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export const sameDocument = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** The tags to add (missing now) and the keys whose value differs now (a conflict: never overwritten). */
export function tagDifference(wanted: readonly Tag[], current: readonly Tag[]): { missing: Tag[]; differing: string[] } {
  const now = new Map(current.map((tag) => [tag.Key, tag.Value]));
  return {
    missing: wanted.filter((tag) => !now.has(tag.Key)),
    differing: wanted.filter((tag) => now.has(tag.Key) && now.get(tag.Key) !== tag.Value).map((tag) => tag.Key),
  };
}

/** The OIDC URL as IAM shows it and its ARN ends: no scheme. */
export const oidcKey = (url: string) => url.replace(/^https:\/\//i, '');

export const policyArn = (state: Pick<RestoreState, 'partition' | 'accountId'>, path: string, name: string) => `arn:${state.partition}:iam::${state.accountId}:policy${path}${name}`;

/** AWS-managed policies exist in every account (and are never in `RestoreState.policies`). */
export const isAwsManaged = (arn: string) => /^arn:[^:]+:iam::aws:policy\//.test(arn);

export const policyNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
