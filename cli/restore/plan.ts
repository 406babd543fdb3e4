/**
 * The restore planner: an apply report's backups and the account as it is now → restore items in the order they
 * must run, each with one decision and its reason. Pure: reads nothing, changes nothing; the same inputs give the
 * same plan. One kind per file beside this one says how its items are recreated, compared and refused.
 */
import type {
  Backup,
  BucketBackup,
  GroupBackup,
  InstanceProfileBackup,
  OidcProviderBackup,
  PolicyBackup,
  RoleBackup,
  SamlProviderBackup,
  TagsBackup,
  UserBackup,
} from '../../lambda/engine/backup';
import { isActing, type Action } from '../../lambda/engine/model';
import type { DepartureReport } from '../../lambda/engine/report';
import { planBucket } from './bucket';
import { key, needsLine, settled, type RestoreContext } from './context';
import { planOidcProvider, planSamlProvider } from './federation';
import { planGroup } from './group';
import { planInstanceProfile, planProfileMembership } from './instance-profile';
import { planMembership } from './membership';
import { oidcKey, PHASES, policyArn, type RestoreItem, type RestoreState } from './model';
import { planPolicy, planPolicyAttachment } from './policy';
import { planRole, trustedRoleNames } from './role';
import { planTags } from './tags';
import { planUser } from './user';

/** A report restore cannot work from, or an `--only` name it does not hold: one line, exit 2, nothing read or changed. */
export class RestoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefused';
  }
}

export interface RestorePlanOptions {
  /**
   * Restore only the report's actions of these names (and nothing they need: what is missing is said per item).
   * @default every action the report backed up
   */
  readonly only?: readonly string[];
}

/** An action that changed something: its backup was recorded, or one of its steps ran. */
const changedSomething = (action: Action) => isActing(action.action) && (action.backup !== undefined || action.steps.some((s) => s.status === 'done'));

/** The report's actions restore can work from, checked before any AWS call. */
export function restorable(report: DepartureReport, only: readonly string[] = []): Action[] {
  const acting = report.actions.filter(changedSomething);
  for (const name of only) {
    if (!acting.some((action) => action.name === name)) throw new RestoreRefused(`--only ${name}: no action of that name in the report changed anything; give the name of a deleted or changed resource as the report shows it`);
  }
  return acting.filter((action) => !only.length || only.includes(action.name));
}

type Sorted = {
  saml: [SamlProviderBackup, Action][];
  oidc: [OidcProviderBackup, Action][];
  policies: [PolicyBackup, Action][];
  groups: [GroupBackup, Action][];
  users: [UserBackup, Action][];
  roles: [RoleBackup, Action][];
  profiles: [InstanceProfileBackup, Action][];
  tags: [TagsBackup, Action][];
  buckets: [BucketBackup, Action][];
  /** Acting actions whose backup the report lacks (or that nothing can restore). */
  unbacked: Action[];
};

/** Each backup by its kind, told apart by the fields the backup format gives it. */
function sortBackups(actions: readonly Action[]): Sorted {
  const sorted: Sorted = { saml: [], oidc: [], policies: [], groups: [], users: [], roles: [], profiles: [], tags: [], buckets: [], unbacked: [] };
  for (const action of actions) {
    const backup: Backup | undefined = action.backup;
    if (!backup) sorted.unbacked.push(action);
    else if ('RoleName' in backup) sorted.roles.push([backup, action]);
    else if ('PolicyName' in backup) sorted.policies.push([backup, action]);
    else if ('UserName' in backup) sorted.users.push([backup, action]);
    else if ('GroupName' in backup) sorted.groups.push([backup, action]);
    else if ('InstanceProfileName' in backup) sorted.profiles.push([backup, action]);
    else if ('SAMLMetadataDocument' in backup) sorted.saml.push([backup, action]);
    else if ('Url' in backup) sorted.oidc.push([backup, action]);
    else if ('Bucket' in backup) sorted.buckets.push([backup, action]);
    else if ('Tags' in backup) sorted.tags.push([backup, action]);
    else sorted.unbacked.push(action);
  }
  return sorted;
}

/** Keys of the entities a sorted set of backups would recreate. */
function entityKeys(sorted: Sorted, state: RestoreState): [string, string][] {
  return [
    ...sorted.saml.map(([b, a]) => [key.saml(b.Name), a.name] as [string, string]),
    ...sorted.oidc.map(([b, a]) => [key.oidc(oidcKey(b.Url)), a.name] as [string, string]),
    ...sorted.policies.map(([b, a]) => [key.policy(policyArn(state, b.Path, b.PolicyName)), a.name] as [string, string]),
    ...sorted.groups.map(([b, a]) => [key.group(b.GroupName), a.name] as [string, string]),
    ...sorted.users.map(([b, a]) => [key.user(b.UserName), a.name] as [string, string]),
    ...sorted.roles.map(([b, a]) => [key.role(b.RoleName), a.name] as [string, string]),
    ...sorted.profiles.map(([b, a]) => [key.profile(b.InstanceProfileName), a.name] as [string, string]),
  ];
}

export function planRestore(report: DepartureReport, state: RestoreState, options: RestorePlanOptions = {}): RestoreItem[] {
  const only = options.only ?? [];
  const selected = restorable(report, only);
  const everything = sortBackups(report.actions.filter(changedSomething));
  const chosen = sortBackups(selected);
  const chosenKeys = new Set(entityKeys(chosen, state).map(([k]) => k));
  const context: RestoreContext = {
    state,
    planned: new Map(),
    unselected: new Map(entityKeys(everything, state).filter(([k]) => !chosenKeys.has(k))),
  };
  const items: RestoreItem[] = [];

  for (const [backup, action] of chosen.saml) items.push(planSamlProvider(backup, [action.name], context));
  for (const [backup, action] of chosen.oidc) items.push(planOidcProvider(backup, [action.name], context));
  for (const [backup, action] of chosen.policies) items.push(planPolicy(backup, [action.name], context));
  for (const [backup, action] of chosen.groups) items.push(planGroup(backup, [action.name], context));
  for (const [backup, action] of chosen.users) items.push(planUser(backup, [action.name], context));

  // Memberships: a deleted user's groups and a deleted group's members, each pair once.
  const memberships = new Map<string, { GroupName: string; UserName: string; sources: Set<string> }>();
  const addMembership = (GroupName: string, UserName: string, source: string) => {
    const id = `${GroupName}\0${UserName}`;
    const found = memberships.get(id) ?? { GroupName, UserName, sources: new Set<string>() };
    found.sources.add(source);
    memberships.set(id, found);
  };
  for (const [backup, action] of chosen.users) for (const group of backup.Groups) addMembership(group, backup.UserName, action.name);
  for (const [backup, action] of chosen.groups) for (const user of backup.Members) addMembership(backup.GroupName, user, action.name);
  for (const membership of memberships.values()) items.push(planMembership({ ...membership, sources: [...membership.sources] }, context));

  items.push(...planRoles(chosen.roles, context));

  // Instance profiles: the deleted ones with their roles, then the roles taken out of profiles that stay.
  const rolesIn = (profile: string) => chosen.roles.filter(([b]) => b.InstanceProfiles.some((p) => p.InstanceProfileName === profile)).map(([b]) => b.RoleName);
  const profilesRestored = new Set(chosen.profiles.map(([b]) => b.InstanceProfileName));
  for (const [backup, action] of chosen.profiles) items.push(planInstanceProfile(backup, rolesIn(backup.InstanceProfileName), [action.name], context));
  for (const [backup, action] of chosen.roles) {
    for (const profile of backup.InstanceProfiles) {
      if (profilesRestored.has(profile.InstanceProfileName)) continue;
      if (!(profile.InstanceProfileName in state.instanceProfiles)) {
        const line = needsLine(context, `instance profile ${profile.InstanceProfileName}`, key.profile(profile.InstanceProfileName));
        items.push(settled('iam:instance-profile', `${backup.RoleName} in instance profile ${profile.InstanceProfileName}`, [action.name], 'needs', line.replace(/^needs: /, ''), [line]));
        continue;
      }
      items.push(planProfileMembership(profile.InstanceProfileName, backup.RoleName, [action.name], context));
    }
  }

  // A deleted policy back on the principals that stay; a restored principal attaches it in its own item.
  const ownAttachments = new Set<string>([
    ...chosen.roles.flatMap(([b]) => b.AttachedPolicyArns.map((arn) => `role\0${b.RoleName}\0${arn}`)),
    ...chosen.users.flatMap(([b]) => b.AttachedPolicyArns.map((arn) => `user\0${b.UserName}\0${arn}`)),
    ...chosen.groups.flatMap(([b]) => b.AttachedPolicyArns.map((arn) => `group\0${b.GroupName}\0${arn}`)),
  ]);
  for (const [backup, action] of chosen.policies) {
    const arn = policyArn(state, backup.Path, backup.PolicyName);
    for (const principal of backup.AttachedTo) {
      if (ownAttachments.has(`${principal.kind}\0${principal.name}\0${arn}`)) continue;
      items.push(planPolicyAttachment(backup, principal, [action.name], context));
    }
  }

  for (const [backup, action] of chosen.tags) items.push(planTags(action, backup, state));
  for (const [backup, action] of chosen.buckets) items.push(planBucket(action, backup, state));
  for (const action of chosen.unbacked) items.push(settled('other', action.name, [action.name], 'cannot', unbackedReason(action)));
  return items.sort((a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase) || (a.wave ?? 0) - (b.wave ?? 0));
}

/**
 * Roles in waves: a role whose trust policy names another role restored by this run waits for it (IAM refuses a
 * trust policy naming a role that does not exist yet). Roles that name each other, or themselves, cannot be made.
 */
function planRoles(roles: readonly [RoleBackup, Action][], context: RestoreContext): RestoreItem[] {
  const items: RestoreItem[] = [];
  let pending = [...roles];
  for (let wave = 0; pending.length; wave++) {
    const waiting = new Set(pending.map(([b]) => b.RoleName));
    const ready = pending.filter(([b]) => !trustedRoleNames(b, context.state.accountId).some((name) => waiting.has(name)));
    if (!ready.length) {
      for (const [backup, action] of pending) {
        context.planned.set(key.role(backup.RoleName), 'missing');
        const others = trustedRoleNames(backup, context.state.accountId).filter((name) => waiting.has(name));
        const line = `needs: role ${others.join(', ')} first, whose trust policy (or its own) names it back: IAM refuses a trust policy naming a role that does not exist; create one with another trust policy, then put it back`;
        items.push(settled('iam:role', backup.RoleName, [action.name], 'needs', line.replace(/^needs: /, ''), [line]));
      }
      break;
    }
    for (const [backup, action] of ready) items.push(planRole(backup, [action.name], context, wave));
    const done = new Set(ready.map(([b]) => b.RoleName));
    pending = pending.filter(([b]) => !done.has(b.RoleName));
  }
  return items;
}

function unbackedReason(action: Action): string {
  if (action.resource === 'iam:mfa-device') return 'a virtual MFA device is a credential: no API gives its secret back; its user enables a new device';
  if (/^(lambda|events|config|cloudtrail):/.test(action.resource)) return `the report holds no definition of this ${action.resource}: redeploy it from its source`;
  return `the report holds no backup of this ${action.resource} (an apply by an engine that recorded none): it cannot be restored from this report`;
}
