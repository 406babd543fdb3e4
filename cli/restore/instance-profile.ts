/**
 * Instance profiles: those a departure deleted, and the roles it took out of profiles that stay (a provider role in a
 * customer's profile).
 * - Recreated by: CreateInstanceProfile with its path and tags, then AddRoleToInstanceProfile for the role it held,
 *   after the roles (an instance profile holds at most one role: AWS answers LimitExceeded for a second).
 * - The same when: a profile of that name has the same path; the role goes back in when it is empty. A profile that
 *   holds another role now is a conflict: the role is never swapped.
 * - Needs: the role, there or restored by this run.
 */
import type { InstanceProfileBackup } from '../../lambda/engine/backup';
import type { Step } from '../../lambda/engine/model';
import { availability, itemFrom, key, needsLine, settled, type RestoreContext } from './context';
import { iamStep, tagDifference, type RestoreItem } from './model';

/** The role's membership, planned for a profile that is there (or recreated) with `current` roles in it. */
function roleParts(profile: string, roles: readonly string[], current: readonly string[], context: RestoreContext, steps: Step[], notes: string[]): number {
  let added = 0;
  const holding = [...current];
  for (const RoleName of roles) {
    if (holding.includes(RoleName)) continue;
    const there = availability(context, key.role(RoleName), RoleName in context.state.roles);
    if (there === 'missing' || there === 'conflict') {
      notes.push(needsLine(context, `role ${RoleName} (to put it in the profile)`, key.role(RoleName)));
      continue;
    }
    if (holding.length) {
      notes.push(`conflict: the profile holds role ${holding.join(', ')} now, and AWS allows one role per instance profile: ${RoleName} not added`);
      continue;
    }
    steps.push(iamStep('AddRoleToInstanceProfile', { InstanceProfileName: profile, RoleName }));
    holding.push(RoleName);
    added++;
  }
  return added;
}

/** A deleted profile; `roles` adds the restored roles that name it, in case the profile's own backup does not. */
export function planInstanceProfile(backup: InstanceProfileBackup, roles: readonly string[], sources: readonly string[], context: RestoreContext): RestoreItem {
  const InstanceProfileName = backup.InstanceProfileName;
  const current = context.state.instanceProfiles[InstanceProfileName];
  if (current && current.Path !== backup.Path) {
    context.planned.set(key.profile(InstanceProfileName), 'conflict');
    return settled('iam:instance-profile', InstanceProfileName, sources, 'conflict', `the name is taken by an instance profile with another path ${current.Path} (backed up: ${backup.Path}): not overwritten`);
  }
  context.planned.set(key.profile(InstanceProfileName), 'ours');
  const steps: Step[] = [];
  const notes: string[] = [];
  const done: string[] = [];
  if (!current) {
    steps.push(iamStep('CreateInstanceProfile', { InstanceProfileName, Path: backup.Path, ...(backup.Tags.length ? { Tags: backup.Tags } : {}) }));
    done.push(`recreated (path ${backup.Path}${backup.Tags.length ? `, ${backup.Tags.length} tag(s)` : ''})`);
  } else {
    const tags = tagDifference(backup.Tags, current.Tags);
    if (tags.missing.length) {
      steps.push(iamStep('TagInstanceProfile', { InstanceProfileName, Tags: tags.missing }));
      done.push(`${tags.missing.length} tag(s)`);
    }
    for (const tagKey of tags.differing) notes.push(`conflict: tag ${tagKey} has another value now: not overwritten`);
  }
  const wanted = [...new Set([...backup.Roles, ...roles])];
  if (roleParts(InstanceProfileName, wanted, current?.Roles ?? [], context, steps, notes)) done.push(`role ${wanted.join(', ')} back in it`);
  return itemFrom({
    phase: 'iam:instance-profile',
    name: InstanceProfileName,
    sources,
    steps,
    notes,
    reasons: {
      restore: current ? `there with the same path; put back: ${done.join(', ')}` : `deleted by the departure: ${done.join(', ')}`,
      same: `there with the same path and role${wanted.length === 1 ? '' : 's'}`,
    },
  });
}

/** A role the departure took out of a profile it kept. */
export function planProfileMembership(InstanceProfileName: string, RoleName: string, sources: readonly string[], context: RestoreContext): RestoreItem {
  const name = `${RoleName} in instance profile ${InstanceProfileName}`;
  const current = context.state.instanceProfiles[InstanceProfileName];
  if (!current) return settled('iam:instance-profile', name, sources, 'needs', `instance profile ${InstanceProfileName}, which the departure kept, is gone now: recreate it by hand`, [`needs: instance profile ${InstanceProfileName} (deleted since the departure)`]);
  const steps: Step[] = [];
  const notes: string[] = [];
  roleParts(InstanceProfileName, [RoleName], current.Roles, context, steps, notes);
  return itemFrom({
    phase: 'iam:instance-profile',
    name,
    sources,
    steps,
    notes,
    reasons: { restore: `taken out by the departure: the role goes back into the profile`, same: 'the role is in the profile' },
  });
}
