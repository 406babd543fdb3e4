/** Reading trust policies: who may assume a role. */
import { asList, statementsOf, type PolicyDocument } from './inventory';

/** The principals of one type (`AWS`, `Federated`, `Service`) that the `Allow` statements of a trust policy let in. */
export function allowedPrincipals(trustPolicy: PolicyDocument, type: 'AWS' | 'Federated' | 'Service'): string[] {
  return statementsOf(trustPolicy)
    .filter((statement) => statement.Effect === 'Allow' && statement.Principal && statement.Principal !== '*')
    .flatMap((statement) => asList((statement.Principal as Record<string, string | readonly string[]>)[type]));
}

/**
 * The provider account ids that a trust policy lets in, through an AWS principal given as a bare account id or
 * any ARN in that account (root, role, user, assumed role).
 */
export function trustedProviderAccounts(trustPolicy: PolicyDocument, providerAccountIds: readonly string[]): string[] {
  const found = new Set<string>();
  for (const principal of allowedPrincipals(trustPolicy, 'AWS')) {
    const account = /^\d{12}$/.test(principal) ? principal : /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
    if (account && providerAccountIds.includes(account)) found.add(account);
  }
  return [...found];
}
