/**
 * The stack instances of the rollout's StackSets: which accounts each covers, with which parameters. Every
 * account is covered by exactly one StackSet, or two cleanups would race on the same IAM roles.
 *
 * The `AWS::CloudFormation::StackSet` resource handler (aws-cloudformation-resource-providers-cloudformation,
 * aws-cloudformation-stackset) keys a service-managed StackSet's instances by OU and region, and refuses an OU that
 * comes with more than one parameter set ("An OrganizationalUnitIds cannot be associated with more than one
 * Parameters set"), whatever the accounts each group names. So a service-managed StackSet has one parameter set
 * per OU; an account with overrides is deployed by a StackSet of its own. Self-managed instances are keyed by
 * account, so one StackSet holds every account with its own overrides.
 */
import type * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import type { RolloutSettings } from './rollout';

type Group = cloudformation.CfnStackSet.StackInstancesProperty;

const overridesOf = (rollout: RolloutSettings, account: string) =>
  Object.entries(rollout.accountOverrides[account] ?? {}).map(([parameterKey, parameterValue]) => ({ parameterKey, parameterValue }));

/**
 * The main StackSet's instances. Self-managed: every account, those with overrides in a group each. Service-managed:
 * the OUs, narrowed to `accountIds` (INTERSECTION) when given, always without the overridden accounts (left out of
 * the INTERSECTION, or DIFFERENCE), and with no parameter overrides at all.
 */
export function mainTargets(rollout: RolloutSettings): Group[] {
  const regions = [rollout.region];
  const overridden = Object.keys(rollout.accountOverrides);
  if (rollout.permissionModel === 'SELF_MANAGED') {
    const plain = rollout.accountIds.filter((account) => !overridden.includes(account));
    return [
      ...(plain.length ? [{ regions, deploymentTargets: { accounts: plain } }] : []),
      ...overridden.map((account) => ({ regions, deploymentTargets: { accounts: [account] }, parameterOverrides: overridesOf(rollout, account) })),
    ];
  }
  const organizationalUnitIds = [...rollout.organizationalUnitIds];
  if (rollout.accountIds.length) {
    const accounts = rollout.accountIds.filter((account) => !overridden.includes(account));
    // An INTERSECTION with no accounts is refused ("Accounts should be specified"): then the StackSet has no instances.
    return accounts.length ? [{ regions, deploymentTargets: { organizationalUnitIds, accounts, accountFilterType: 'INTERSECTION' } }] : [];
  }
  if (overridden.length) return [{ regions, deploymentTargets: { organizationalUnitIds, accounts: overridden, accountFilterType: 'DIFFERENCE' } }];
  return [{ regions, deploymentTargets: { organizationalUnitIds } }];
}

/** Service-managed: the instance of one overridden account, in its own StackSet: one group, so one parameter set per OU. */
export function overrideTargets(rollout: RolloutSettings, account: string): Group[] {
  return [
    {
      regions: [rollout.region],
      deploymentTargets: { organizationalUnitIds: [...rollout.organizationalUnitIds], accounts: [account], accountFilterType: 'INTERSECTION' },
      parameterOverrides: overridesOf(rollout, account),
    },
  ];
}
