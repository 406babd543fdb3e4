/**
 * What every kind of the sweep shares (lambda/resources/sweep.ts): a resource of some region whose resource-based
 * policy or share lets the provider in. Each kind says how it is found (`find`, per region), what in it is the
 * provider's (`review`: the policy rewrite of engine/policy-rewrite.ts, or a share's principals) and how that is
 * removed (the steps, in the resource's region); this file decides, the same way for all:
 * - unreadable (the service in a region, or one resource): flag, with the error; the run goes on;
 * - grants the provider: flag, saying what; with `resourcePolicies.remove` (for this service) the provider's grants
 *   are removed (`delete`: the grant goes, the resource stays) unless the kind cannot do it safely (then flag, saying why);
 * - open to anyone ("*" without a condition, a public share, Allow with NotPrincipal): flag, never changed;
 * - else skip.
 */
import type { AwsClients } from '../engine/aws';
import type { DepartureConfig } from '../engine/config';
import { removes, type SweepService } from '../engine/sweep-config';
import type { PolicyHolder } from '../engine/inventory';
import type { ResourceType, Service, Step } from '../engine/model';
import type { Permission } from '../engine/permissions';
import { accountOf, rewritePolicy, type Grantees, type PolicyRewrite } from '../engine/policy-rewrite';
import { asList, statementsOf, type PolicyDocument, type PolicyStatement } from '../engine/inventory';
import { isDeletedPrincipal } from '../engine/trust';
import { resourceKey, type PlanContext, type ResourceKind, type Verdict } from './kind';

/** What a kind's discovery knows besides its clients. */
export interface FindContext {
  readonly accountId: string;
  readonly partition: string;
  readonly config: DepartureConfig;
  /** The provider buckets (config `buckets.names`), which the S3 bucket kind already handles. */
  readonly providerBuckets: readonly string[];
}

/** What in one resource is the provider's, and how it would go. */
export interface Review {
  /** The provider's grants, in words (`589942003651 from statement Shared`). */
  readonly removed: readonly string[];
  /** Grants to anyone: reported, never changed. */
  readonly open: readonly string[];
  /** The steps that remove `removed`, or why this kind cannot remove them safely (then the action is flagged). */
  readonly steps: () => Step[] | string;
}

export interface SweepKind extends ResourceKind<PolicyHolder> {
  readonly service: SweepService;
  /** Read once for the whole account (S3's bucket list is global), not per region. */
  readonly global?: boolean;
  /** Every resource of this kind in the region that has a policy or a share (and an item per resource it could not read). */
  readonly find: (clients: AwsClients, region: string, context: FindContext) => Promise<PolicyHolder[]>;
  /** What in the resource is the provider's (pure). */
  readonly review: SweepKindOptions['review'];
}

export interface SweepKindOptions {
  readonly type: ResourceType;
  readonly service: SweepService;
  readonly global?: boolean;
  readonly find: SweepKind['find'];
  readonly review: (holder: PolicyHolder, grantees: SweepGrantees, context: PlanContext) => Review;
  readonly permissions: readonly Permission[];
}

/** The provider for the sweep: the shared rewrite's matchers, and its accounts and organizations for shares. */
export interface SweepGrantees extends Grantees {
  readonly accounts: readonly string[];
  readonly organizations: readonly string[];
}

const ACCOUNT_KEYS = ['aws:principalaccount', 'aws:sourceaccount', 'aws:sourceowner'];
const ARN_KEYS = ['aws:principalarn', 'aws:sourcearn'];

/**
 * The sweep's provider: a principal of a provider account (its id, any ARN in it), one this run deletes (ARN or unique
 * id), a deleted one (a unique id: it grants nothing any more); a positive condition on `aws:PrincipalOrgID` or
 * `aws:PrincipalOrgPaths` naming a provider organization, or on `aws:PrincipalAccount`, `aws:SourceAccount`,
 * `aws:SourceOwner`, `aws:PrincipalArn`, `aws:SourceArn` naming a provider account (a service acting for it).
 */
export function sweepGrantees(accounts: readonly string[], organizations: readonly string[], principals: readonly string[] = []): SweepGrantees {
  const providerValue = (key: string, value: unknown) => {
    if (typeof value !== 'string') return false;
    if (key === 'aws:principalorgid') return organizations.includes(value);
    if (key === 'aws:principalorgpaths') return organizations.some((org) => value.startsWith(`${org}/`));
    if (ACCOUNT_KEYS.includes(key)) return accounts.includes(value);
    return ARN_KEYS.includes(key) && accounts.includes(value.split(':')[4] ?? '');
  };
  return {
    accounts,
    organizations,
    principal: (p) => accounts.includes(accountOf(p) ?? '') || principals.includes(p) || isDeletedPrincipal(p),
    statement: (statement) => withoutProviderConditions(statement, providerValue),
  };
}

/**
 * A statement without the provider's condition values: they go from their key, and a key left with none means the
 * statement let in the provider alone (`emptied`). Negated and null tests only narrow access: never read.
 */
function withoutProviderConditions(statement: PolicyStatement, providerValue: (key: string, value: unknown) => boolean) {
  type Condition = Record<string, Record<string, unknown>>;
  const goes: string[] = [];
  let condition = statement.Condition as Condition | undefined;
  let emptied = false;
  for (const [operator, tests] of Object.entries(condition ?? {})) {
    if (/Not|Null|Bool/.test(operator)) continue;
    for (const [key, value] of Object.entries(tests)) {
      const values = asList(value as string);
      const others = values.filter((v) => !providerValue(key.toLowerCase(), v));
      if (others.length === values.length) continue;
      goes.push(...values.filter((v) => !others.includes(v)).map((v) => `${key} ${v}`));
      emptied ||= !others.length;
      condition = { ...condition, [operator]: { ...condition![operator], [key]: others.length === 1 ? others[0] : others } };
    }
  }
  return { goes, emptied, statement: goes.length ? ({ ...statement, Condition: condition } as PolicyStatement) : statement };
}

/** Statements open to anyone: "*" without a condition (public), or Allow with NotPrincipal (all but the named). */
export function openStatements(text: string | undefined): string[] {
  if (!text) return [];
  return statementsOf(JSON.parse(text) as PolicyDocument).flatMap((statement) => {
    if (statement.Effect !== 'Allow') return [];
    const label = statement.Sid ? `statement ${statement.Sid}` : 'a statement';
    if (statement.NotPrincipal) return [`${label} allows everyone but its NotPrincipal`];
    const principal = statement.Principal;
    const everyone = principal === '*' || Object.values(principal ?? {}).some((value) => asList(value as string).includes('*'));
    return everyone && !statement.Condition ? [`${label} allows everyone ("*", no condition)`] : [];
  });
}

/** Principals this run deletes, by kind: the sweep treats grants to them as the provider's. */
const DELETED_PRINCIPAL_KINDS = ['iam:role', 'iam:user', 'iam:saml-provider', 'iam:oidc-provider'] as const;

const granteesCache = new WeakMap<PlanContext, SweepGrantees>();

/**
 * Who is the provider for the sweep: its accounts and organizations (config), and every principal this run deletes
 * (roles and users by ARN and by unique id, which a policy shows once they are gone; federation providers by ARN).
 */
export function granteesOf(context: PlanContext): SweepGrantees {
  let grantees = granteesCache.get(context);
  if (grantees) return grantees;
  const deleted = (type: ResourceType, name: string) => context.decisions.get(resourceKey(type, name)) === 'delete';
  const { roles, users, samlProviders, oidcProviders } = context.inventory;
  const principals = [
    ...[...roles.filter((r) => deleted('iam:role', r.name)), ...users.filter((u) => deleted('iam:user', u.name))].flatMap((p) => [p.arn, ...(p.id ? [p.id] : [])]),
    ...samlProviders.filter((p) => deleted('iam:saml-provider', p.name)).map((p) => p.arn),
    ...oidcProviders.filter((p) => deleted('iam:oidc-provider', p.url)).map((p) => p.arn),
  ];
  grantees = sweepGrantees(context.config.providerAccountIds, context.config.providerOrganizationIds ?? [], principals);
  granteesCache.set(context, grantees);
  return grantees;
}

export function sweepKind(options: SweepKindOptions): SweepKind {
  const decide = (holder: PolicyHolder, context: PlanContext): Verdict => {
    if (holder.error) return { action: 'flag', reason: `could not be read, not reviewed: ${holder.error}` };
    if (context.config.exclude.includes(holder.name) || context.config.exclude.includes(holder.arn)) return { action: 'skip', reason: 'excluded by config' };
    const review = options.review(holder, granteesOf(context), context);
    const open = review.open.length ? `open to anyone, never changed here: ${review.open.join('; ')}` : '';
    if (!review.removed.length) return open ? { action: 'flag', reason: open } : { action: 'skip', reason: 'not a provider grant' };
    const grants = `grants the provider: ${review.removed.join('; ')}${open ? `; ${open}` : ''}`;
    if (!removes(context.config, options.service)) return { action: 'flag', reason: `${grants}; set resourcePolicies.remove (or .${options.service}) to remove it` };
    const steps = review.steps();
    if (typeof steps === 'string') return { action: 'flag', reason: `${grants}; not removed: ${steps}` };
    return { action: 'delete', reason: `${grants}: removed, the resource stays (resourcePolicies.remove.${options.service})` };
  };
  return {
    type: options.type,
    service: options.service,
    ...(options.global ? { global: true } : {}),
    dependsOn: [],
    decidedAfter: [...DELETED_PRINCIPAL_KINDS],
    list: (inventory) => (inventory.resourcePolicies?.items ?? []).filter((holder) => holder.type === options.type),
    describe: (holder) => ({ name: holder.name, arn: holder.arn, region: holder.region }),
    decide,
    steps: (holder, _verdict, context) => {
      const steps = options.review(holder, granteesOf(context), context).steps();
      return typeof steps === 'string' ? [] : steps;
    },
    find: options.find,
    review: options.review,
    permissions: options.permissions,
  };
}

/** A step of the resource's region (the engine's own `step` knows only the run's region). */
export function regionalStep(call: string, input: Record<string, unknown>, service: Service, region: string): Step {
  return { service, call, input, region, status: 'planned' };
}

/** The review of a kind with a JSON policy: the shared rewrite, and the kind's steps for its outcome. */
export function policyReview(holder: PolicyHolder, grantees: Grantees, steps: (rewrite: PolicyRewrite) => Step[] | string): Review {
  const rewrite = rewritePolicy(holder.policy, grantees);
  return { removed: rewrite.removed, open: openStatements(holder.policy), steps: () => steps(rewrite) };
}

/** Sid-by-Sid removal (Lambda, EventBridge): only whole statements can go; a shared one cannot be rewritten there. */
export function bySid(rewrite: PolicyRewrite, remove: (sid: string) => Step): Step[] | string {
  const partial = rewrite.changes.find((change) => !change.drop || !change.sid);
  if (partial) {
    return partial.sid
      ? `statement ${partial.sid} also lets in others, and this service removes whole statements only: edit it by hand`
      : 'a statement without a Sid cannot be removed by this service: edit it by hand';
  }
  return rewrite.changes.map((change) => remove(change.sid!));
}

/** A failed read of one resource: an item of its own, flagged, so the rest of the region is still reviewed. */
export function unreadable(type: ResourceType, region: string, name: string, arn: string, error: unknown): PolicyHolder {
  const e = error as { name?: string; message?: string };
  return { type, region, name, arn, error: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}` };
}

/** Reads `read` for a resource; errors named in `none` mean it has no policy (undefined), others become an item. */
export async function readPolicy(read: () => Promise<string | undefined>, none: RegExp): Promise<{ policy?: string; error?: unknown }> {
  try {
    const policy = await read();
    return policy ? { policy } : {};
  } catch (error) {
    if (none.test((error as { name?: string }).name ?? '')) return {};
    return { error };
  }
}

/** Every page of a paged read: `next` gives the token for the following page, if any. */
export async function allPages<P, T>(read: (token?: string) => Promise<P>, items: (page: P) => readonly T[] | undefined, next: (page: P) => string | undefined): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await read(token);
    all.push(...(items(page) ?? []));
    token = next(page);
  } while (token);
  return all;
}
