/**
 * One rewrite for every resource policy (the provider buckets' and every policy the sweep reads): the provider's
 * grants are taken out of each Allow statement, everything else is kept as it was, field for field.
 * - A principal is the provider's when it is a provider account (its id, or any IAM/STS ARN in it, root included),
 *   one of `principals` (ARNs and unique ids of principals this run deletes, federation providers it deletes), or a
 *   deleted principal shown by its unique id (`AROA...`/`AIDA...`: it grants nothing to anyone any more).
 * - A condition is the provider's when a positive operator tests `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths`
 *   against a provider organization, or `aws:PrincipalAccount`, `aws:SourceAccount`, `aws:SourceOwner`,
 *   `aws:PrincipalArn`, `aws:SourceArn` against a provider account: those values go, and a key left with none takes
 *   its statement with it (the statement let in nobody else).
 * - A statement left without principals goes; a policy left without statements is `null` (delete it, or flag it
 *   where the service cannot go without one).
 * - "*" without a condition (public), and Allow with NotPrincipal (everyone but the named), are reported, never changed.
 * Deny statements are never changed: they only take access away.
 */
import { asList, statementsOf, type PolicyDocument, type PolicyStatement } from './inventory';
import { isDeletedPrincipal } from './trust';

/** Who counts as the provider. */
export interface Grantees {
  readonly accounts: readonly string[];
  /** `o-...` ids: conditions on the principal's organization. */
  readonly organizations?: readonly string[];
  /** ARNs and unique ids of principals, and ARNs of federation providers, that this run deletes. */
  readonly principals?: readonly string[];
}

export interface PolicyRewrite {
  /** The new policy text, `null` when nothing is left, undefined when unchanged. */
  readonly policy?: string | null;
  /** What goes, e.g. `589942003651 from statement Shared`, `statement Provider for 589942003651`. */
  readonly removed: readonly string[];
  /** Statements open to anyone ("*" without a condition) or to all but some (NotPrincipal): reported, left. */
  readonly open: readonly string[];
  /** Per statement that changes: its Sid (if any) and whether it goes whole (services that remove by Sid). */
  readonly changes: readonly { readonly sid?: string; readonly drop: boolean }[];
  /** Services allowed to write objects (a bucket's deliveries), e.g. `config.amazonaws.com (s3:PutObject)`. */
  readonly deliveries: readonly string[];
}

const ACCOUNT_KEYS = ['aws:principalaccount', 'aws:sourceaccount', 'aws:sourceowner'];
const ARN_KEYS = ['aws:principalarn', 'aws:sourcearn'];

/** The account of a principal (bare id, or an IAM/STS ARN). */
export const accountOf = (principal: string) => (/^\d{12}$/.test(principal) ? principal : /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1]);

/** Why a principal value is the provider's, if it is. */
export function providerPrincipal(principal: string, grantees: Grantees): boolean {
  return grantees.accounts.includes(accountOf(principal) ?? '') || !!grantees.principals?.includes(principal) || isDeletedPrincipal(principal);
}

/** Whether one value of a condition key names the provider. */
function providerValue(key: string, value: unknown, grantees: Grantees): boolean {
  if (typeof value !== 'string') return false;
  if (key === 'aws:principalorgid') return !!grantees.organizations?.includes(value);
  if (key === 'aws:principalorgpaths') return !!grantees.organizations?.some((org) => value.startsWith(`${org}/`));
  if (ACCOUNT_KEYS.includes(key)) return grantees.accounts.includes(value);
  return ARN_KEYS.includes(key) && grantees.accounts.includes(value.split(':')[4] ?? '');
}

type Condition = Record<string, Record<string, unknown>>;

export function rewritePolicy(text: string | undefined, grantees: Grantees): PolicyRewrite {
  const removed: string[] = [];
  const open: string[] = [];
  const changes: { sid?: string; drop: boolean }[] = [];
  const deliveries: string[] = [];
  if (!text) return { removed, open, changes, deliveries };
  const document = JSON.parse(text) as PolicyDocument;
  const kept: PolicyStatement[] = [];
  for (const statement of statementsOf(document)) {
    const label = statement.Sid ? `statement ${statement.Sid}` : 'a statement';
    const principal = statement.Principal as Record<string, unknown> | string | undefined;
    const allow = statement.Effect === 'Allow';
    // A bare string is "*" or, as some services store one principal, that principal.
    const types = typeof principal === 'string' ? { AWS: principal } : (principal ?? {});
    if (allow && typeof principal === 'object' && principal.Service) {
      const writes = asList(statement.Action).filter((a) => /^s3:(PutObject|\*)/.test(a));
      if (writes.length) deliveries.push(`${asList(principal.Service as string).join(', ')} (${writes.join(', ')})`);
    }
    if (allow && (statement as { NotPrincipal?: unknown }).NotPrincipal) open.push(`${label} allows everyone but its NotPrincipal`);
    const everyone = Object.values(types).some((value) => asList(value as string).includes('*'));
    if (!allow) {
      kept.push(statement);
      continue;
    }
    // Principals: the provider's go, the rest stay.
    const goes: string[] = [];
    const rest: Record<string, unknown> = {};
    for (const [type, value] of Object.entries(types)) {
      const list = asList(value as string);
      const theirs = list.filter((p) => p !== '*' && providerPrincipal(p, grantees));
      goes.push(...theirs);
      const others = list.filter((p) => !theirs.includes(p));
      if (others.length) rest[type] = others.length === 1 ? others[0] : others;
    }
    // Conditions: the provider's values go; a key left empty means the statement was for the provider alone.
    let condition = statement.Condition as Condition | undefined;
    let emptied = false;
    for (const [operator, tests] of Object.entries(condition ?? {})) {
      if (/Not|Null|Bool/.test(operator)) continue;
      for (const [key, value] of Object.entries(tests)) {
        const values = asList(value as string);
        const theirs = values.filter((v) => providerValue(key.toLowerCase(), v, grantees));
        if (!theirs.length) continue;
        goes.push(...theirs.map((v) => `${key} ${v}`));
        const others = values.filter((v) => !theirs.includes(v));
        emptied ||= !others.length;
        condition = { ...condition, [operator]: { ...condition![operator], [key]: others.length === 1 ? others[0] : others } };
      }
    }
    if (everyone && !statement.Condition) open.push(`${label} allows everyone ("*", no condition)`);
    if (!goes.length) {
      kept.push(statement);
      continue;
    }
    if (emptied || !Object.keys(rest).length) {
      removed.push(`${label} for ${goes.join(', ')}`);
      changes.push({ sid: statement.Sid, drop: true });
      continue;
    }
    removed.push(`${goes.join(', ')} from ${label}`);
    changes.push({ sid: statement.Sid, drop: false });
    kept.push({ ...statement, ...(principal ? { Principal: principal === '*' ? '*' : rest } : {}), ...(condition ? { Condition: condition } : {}) } as PolicyStatement);
  }
  if (!removed.length) return { removed, open, changes, deliveries };
  return { policy: kept.length ? JSON.stringify({ ...document, Statement: kept }) : null, removed, open, changes, deliveries };
}
