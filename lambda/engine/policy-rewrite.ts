/**
 * One rewrite for every resource policy (the provider buckets', and every policy the CLI's sweep reads): the provider's
 * grants are taken out of each Allow statement, everything else is kept as it was, field for field.
 * - Principals `grantees.principal` says are the provider's go from the statement; the others stay.
 * - What else `grantees.statement` takes out of a statement (the sweep's: the provider's values of its conditions,
 *   resource-policy.ts) goes too; when that leaves the statement letting in nobody else, it goes whole.
 * - A statement left without principals goes; a policy left without statements is `null` (delete it, or flag it where
 *   the service cannot go without one). Deny statements are never changed: they only take access away.
 * Small on purpose: the stack's function carries it (for the provider buckets); what only the sweep needs (what counts
 * as the provider's in a condition, public grants) is the sweep's (lambda/resources/resource-policy.ts).
 */
import { asList, statementsOf, type PolicyDocument, type PolicyStatement } from './inventory';
import { isDeletedPrincipal } from './trust';
import { CLEANUP_BUNDLE } from './bundle';

/** Who counts as the provider. */
export interface Grantees {
  /** A principal value (an account id, an ARN, a unique id) of the provider's. */
  readonly principal: (principal: string) => boolean;
  /**
   * Takes more of the provider's out of an Allow statement: what goes (in words), the statement without it, and whether
   * it now lets in nobody else. @default nothing more
   */
  readonly statement?: (statement: PolicyStatement) => { readonly goes: readonly string[]; readonly statement: PolicyStatement; readonly emptied: boolean };
}

export interface PolicyRewrite {
  /** The new policy text, `null` when nothing is left, undefined when unchanged. */
  readonly policy?: string | null;
  /** What goes, e.g. `589942003651 from statement Shared`, `statement Provider for 589942003651`. */
  readonly removed: readonly string[];
  /** Per statement that changes: its Sid (if any) and whether it goes whole (services that remove by Sid). */
  readonly changes: readonly { readonly sid?: string; readonly drop: boolean }[];
  /** Services allowed to write objects (a bucket's deliveries), e.g. `config.amazonaws.com (s3:PutObject)`. */
  readonly deliveries: readonly string[];
}

/** The account of a principal (a bare id, or an IAM/STS ARN). */
export const accountOf = (principal: string) => (/^\d{12}$/.test(principal) ? principal : /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1]);

/**
 * The provider as its accounts: a principal in one of them (its id, or any ARN in it, root included), or a deleted
 * principal shown by its unique id (`AROA...`/`AIDA...`, see isDeletedPrincipal), which grants nothing to anyone any more.
 */
export const providerAccounts = (accounts: readonly string[]): Grantees => ({ principal: (p) => accounts.includes(accountOf(p) ?? '') || isDeletedPrincipal(p) });

export function rewritePolicy(text: string | undefined, grantees: Grantees): PolicyRewrite {
  const removed: string[] = [];
  const changes: { sid?: string; drop: boolean }[] = [];
  const deliveries: string[] = [];
  if (!text) return { removed, changes, deliveries };
  const document = JSON.parse(text) as PolicyDocument;
  const kept: PolicyStatement[] = [];
  for (const statement of statementsOf(document)) {
    const principal = statement.Principal as Record<string, unknown> | string | undefined;
    if (statement.Effect !== 'Allow') {
      kept.push(statement);
      continue;
    }
    if (typeof principal === 'object' && principal.Service) {
      const writes = asList(statement.Action).filter((a) => /^s3:(PutObject|\*)/.test(a));
      if (writes.length) deliveries.push(`${asList(principal.Service as string).join(', ')} (${writes.join(', ')})`);
    }
    // A bare string is "*" or, as some services store a single principal, that principal.
    const goes: string[] = [];
    const rest: Record<string, unknown> = {};
    for (const [type, value] of Object.entries(typeof principal === 'string' ? { AWS: principal } : (principal ?? {}))) {
      const list = asList(value as string);
      const others = list.filter((p) => p === '*' || !grantees.principal(p));
      goes.push(...list.filter((p) => !others.includes(p)));
      if (others.length) rest[type] = others.length === 1 ? others[0] : others;
    }
    // Only the sweep takes more out of a statement: the cleanup stack's function rewrites the buckets' by account only.
    const more = (!CLEANUP_BUNDLE && grantees.statement?.(statement)) || { goes: [], statement, emptied: false };
    goes.push(...more.goes);
    if (!goes.length) {
      kept.push(statement);
      continue;
    }
    const label = statement.Sid ? `statement ${statement.Sid}` : 'a statement';
    const drop = more.emptied || !Object.keys(rest).length;
    removed.push(drop ? `${label} for ${goes.join(', ')}` : `${goes.join(', ')} from ${label}`);
    changes.push({ sid: statement.Sid, drop });
    if (!drop) kept.push({ ...more.statement, ...(principal ? { Principal: principal === '*' ? '*' : rest } : {}) } as PolicyStatement);
  }
  if (!removed.length) return { removed, changes, deliveries };
  return { policy: kept.length ? JSON.stringify({ ...document, Statement: kept }) : null, removed, changes, deliveries };
}
