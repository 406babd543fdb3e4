/** Apply reports with backups, and restore states, built by hand for the restore planner's unit tests. */
import type { Backup, PolicyBackup, RoleBackup, UserBackup } from '../../lambda/engine/backup';
import type { Action, Decision, ResourceType, Step } from '../../lambda/engine/model';
import type { DepartureReport } from '../../lambda/engine/report';
import { summarize } from '../../lambda/engine/report';
import type { RestoreState } from '../../cli/restore/model';

export const ACCOUNT = '123456789012';
export const arn = (kind: string, name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:${kind}${path}${name}`;
export const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
export const READ_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:Get*'], Resource: '*' }] };
export const trust = (principal: Record<string, string | string[]>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });

/** An applied action: its steps done, with the backup apply records. */
export function applied(resource: ResourceType, name: string, backup: Backup | undefined, options: { action?: Decision; steps?: Step[]; arn?: string } = {}): Action {
  return {
    resource,
    name,
    arn: options.arn ?? '',
    action: options.action ?? 'delete',
    reason: 'test',
    status: 'done',
    steps: options.steps ?? [{ service: 'iam', call: 'Delete', input: {}, status: 'done' }],
    ...(backup ? { backup } : {}),
  };
}

export function applyReport(actions: Action[], accountId = ACCOUNT): DepartureReport {
  return {
    tool: 'ctl-departure',
    accountId,
    mode: 'apply',
    caller: `arn:aws:iam::${accountId}:user/admin`,
    organization: { status: 'standalone' },
    warnings: [],
    startedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:01:00.000Z',
    actions,
    summary: summarize(actions),
  };
}

export function emptyState(): RestoreState {
  return { accountId: ACCOUNT, partition: 'aws', roles: {}, users: {}, groups: {}, policies: {}, instanceProfiles: {}, samlProviders: {}, oidcProviders: {}, buckets: {} };
}

export function roleBackup(name: string, extra: Partial<RoleBackup> = {}): RoleBackup {
  return {
    Path: '/',
    RoleName: name,
    AssumeRolePolicyDocument: trust({ AWS: 'arn:aws:iam::589942003651:root' }),
    Tags: [],
    InlinePolicies: [],
    AttachedPolicyArns: [],
    InstanceProfiles: [],
    RoleId: `AROA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    ...extra,
  };
}

export function policyBackup(name: string, extra: Partial<PolicyBackup> = {}): PolicyBackup {
  return {
    Path: '/',
    PolicyName: name,
    Tags: [],
    DefaultVersionId: 'v1',
    Versions: [{ VersionId: 'v1', IsDefaultVersion: true, Document: ALLOW_ALL }],
    AttachedTo: [],
    BoundaryOf: [],
    ...extra,
  };
}

export function userBackup(name: string, extra: Partial<UserBackup> = {}): UserBackup {
  return { Path: '/', UserName: name, Tags: [], InlinePolicies: [], AttachedPolicyArns: [], Groups: [], UserId: `AIDA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`, ...extra };
}

/** The state an account is in when everything a backup holds is there as it was (a restore already ran). */
export function stateOf(report: DepartureReport): RestoreState {
  const state = emptyState() as { -readonly [K in keyof RestoreState]: Record<string, unknown> } & { accountId: string; partition: string };
  for (const action of report.actions) {
    const b = action.backup as Record<string, unknown> | undefined;
    if (!b) continue;
    if ('RoleName' in b) {
      const { InstanceProfiles: _profiles, ...role } = b as unknown as RoleBackup;
      state.roles[role.RoleName] = { ...role, RoleId: 'AROANEWNEWNEWNEWNEWNE' };
    } else if ('PolicyName' in b) {
      const { AttachedTo: _a, BoundaryOf: _b, ...policy } = b as unknown as PolicyBackup;
      state.policies[arn('policy', policy.PolicyName, policy.Path)] = policy;
    } else if ('UserName' in b) {
      const { Credentials: _c, ...user } = b as unknown as UserBackup;
      state.users[user.UserName] = user;
    }
  }
  return state as unknown as RestoreState;
}
