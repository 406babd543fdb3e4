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

/**
 * A principal IAM can no longer name: a policy stores a role or user principal by its unique id, and shows the id
 * (`AROA...` for a role, `AIDA...` for a user, with no account) once that principal is deleted (IAM User Guide,
 * "IAM identifiers", unique identifiers; and role trust policy examples). Whose it was cannot be told any more.
 */
export function isDeletedPrincipal(principal: string): boolean {
  return /^A(ROA|IDA)[A-Z0-9]{12,}$/.test(principal);
}

/** The deleted principals (unique ids) that the Allow statements of a trust policy still name. */
export function deletedPrincipals(trustPolicy: PolicyDocument): string[] {
  return [...new Set(allowedPrincipals(trustPolicy, 'AWS').filter(isDeletedPrincipal))];
}
