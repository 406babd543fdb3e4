/**
 * Rewrites a bucket policy without the provider: AWS principals in a provider account, and deleted principals shown
 * by their unique ids, are taken out of each Allow statement (a statement left with no principal goes); everything else is kept as it was, field for field.
 * Statements that let an AWS service deliver into the bucket are reported, since something still writes there.
 */
import { asList, statementsOf, type PolicyDocument, type PolicyStatement } from './inventory';
import { isDeletedPrincipal } from './trust';

export interface PolicyRewrite {
  /** The new policy text, `null` when nothing is left (delete the policy), undefined when unchanged. */
  readonly policy?: string | null;
  /** What was taken out, for the plan's diff. */
  readonly removed: readonly string[];
  /** Services still allowed to write into the bucket, e.g. `config.amazonaws.com (s3:PutObject)`. */
  readonly deliveries: readonly string[];
}

const accountOf = (principal: string) => (/^\d{12}$/.test(principal) ? principal : /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1]);

export function rewriteBucketPolicy(text: string | undefined, providerAccountIds: readonly string[]): PolicyRewrite {
  if (!text) return { removed: [], deliveries: [] };
  const document = JSON.parse(text) as PolicyDocument;
  const removed: string[] = [];
  const deliveries: string[] = [];
  const kept: PolicyStatement[] = [];
  for (const statement of statementsOf(document)) {
    const principal = statement.Principal;
    if (statement.Effect === 'Allow' && principal && principal !== '*' && principal.Service) {
      const writes = asList(statement.Action).filter((a) => /^s3:(PutObject|\*)/.test(a));
      if (writes.length) deliveries.push(`${asList(principal.Service).join(', ')} (${writes.join(', ')})`);
    }
    const aws = principal && principal !== '*' ? asList(principal.AWS) : [];
    // A deleted principal (its unique id, see isDeletedPrincipal) grants nothing to anyone any more: it goes too.
    const provider = aws.filter((p) => providerAccountIds.includes(accountOf(p) ?? '') || isDeletedPrincipal(p));
    if (!provider.length || statement.Effect !== 'Allow') {
      kept.push(statement);
      continue;
    }
    const others = aws.filter((p) => !provider.includes(p));
    const label = statement.Sid ? `statement ${statement.Sid}` : 'a statement';
    const restPrincipals = Object.entries(principal as Record<string, unknown>).filter(([type]) => type !== 'AWS');
    if (!others.length && !restPrincipals.length) {
      removed.push(`${label} for ${provider.join(', ')}`);
      continue;
    }
    removed.push(`${provider.join(', ')} from ${label}`);
    const rest = Object.fromEntries(restPrincipals);
    kept.push({ ...statement, Principal: { ...rest, ...(others.length ? { AWS: others.length === 1 ? others[0]! : others } : {}) } as never });
  }
  if (!removed.length) return { removed, deliveries };
  return { policy: kept.length ? JSON.stringify({ ...document, Statement: kept }) : null, removed, deliveries };
}
