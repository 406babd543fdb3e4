/** Reading trust policies: which outside accounts may assume a role. */
import { asList, statementsOf, type PolicyDocument } from './inventory';

/**
 * The provider account ids that an `Allow` statement of the trust policy lets in, through an AWS principal
 * given as a bare account id or any ARN in that account (root, role, user, assumed role).
 */
export function trustedProviderAccounts(trustPolicy: PolicyDocument, providerAccountIds: readonly string[]): string[] {
  const found = new Set<string>();
  for (const statement of statementsOf(trustPolicy)) {
    if (statement.Effect !== 'Allow' || !statement.Principal || statement.Principal === '*') continue;
    for (const principal of asList(statement.Principal.AWS)) {
      const account = /^\d{12}$/.test(principal) ? principal : /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
      if (account && providerAccountIds.includes(account)) found.add(account);
    }
  }
  return [...found];
}
