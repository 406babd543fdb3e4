/**
 * Group memberships a departure removed: a deleted user's groups (customer groups included) and the members a
 * deleted group lost (customer users included). One item per group and user, whichever backup names it.
 * - Put back by: AddUserToGroup, once both exist (groups, then users, then memberships).
 * - The same when: the user is in the group. Needs: both the group and the user, there or restored by this run.
 */
import { availability, key, needsLine, settled, type RestoreContext } from './context';
import { iamStep, type RestoreItem } from './model';

export interface Membership {
  readonly GroupName: string;
  readonly UserName: string;
  /** The report's actions that name it (the user's, the group's, or both). */
  readonly sources: readonly string[];
}

export function planMembership(membership: Membership, context: RestoreContext): RestoreItem {
  const { GroupName, UserName, sources } = membership;
  const name = `${UserName} in group ${GroupName}`;
  const user = availability(context, key.user(UserName), UserName in context.state.users);
  const group = availability(context, key.group(GroupName), GroupName in context.state.groups);
  const missing = [
    (group === 'missing' || group === 'conflict') && needsLine(context, `group ${GroupName}`, key.group(GroupName)),
    (user === 'missing' || user === 'conflict') && needsLine(context, `user ${UserName}`, key.user(UserName)),
  ].filter((line): line is string => !!line);
  if (missing.length) {
    const decision = missing.some((line) => line.startsWith('conflict:')) ? 'conflict' : 'needs';
    return settled('iam:group-membership', name, sources, decision, missing.map((line) => line.replace(/^(needs|conflict): /, '')).join('; '), missing);
  }
  if (context.state.users[UserName]?.Groups.includes(GroupName)) return settled('iam:group-membership', name, sources, 'same', 'the user is in the group');
  return {
    phase: 'iam:group-membership',
    name,
    sources,
    decision: 'restore',
    reason: 'removed by the departure: the user goes back into the group',
    notes: [],
    steps: [iamStep('AddUserToGroup', { GroupName, UserName })],
    status: 'planned',
  };
}
