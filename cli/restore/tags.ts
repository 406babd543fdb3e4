/**
 * Tags a departure removed from what it kept (`removeTagKeys` on the CAM provider's role, user and policy).
 * - Put back by: TagRole, TagUser or TagPolicy with the removed tags and their values.
 * - The same when: each tag is there with its value. A tag there with another value is a conflict (someone set it
 *   since): never overwritten. Needs: the entity, which the departure kept; gone since, nothing can be tagged.
 */
import type { TagsBackup } from '../../lambda/engine/backup';
import type { Action } from '../../lambda/engine/model';
import { itemFrom, settled } from './context';
import { iamStep, tagDifference, type RestoreItem, type RestoreState } from './model';

export function planTags(action: Action, backup: TagsBackup, state: RestoreState): RestoreItem {
  const kind = action.resource.replace(/^iam:/, '') as 'role' | 'user' | 'policy';
  const name = `tags of ${kind} ${action.name}`;
  const sources = [action.name];
  const current = kind === 'role' ? state.roles[action.name] : kind === 'user' ? state.users[action.name] : state.policies[action.arn];
  if (!current) return settled('iam:tags', name, sources, 'needs', `the ${kind}, which the departure kept, is gone now: nothing to tag`, [`needs: ${kind} ${action.name} (deleted since the departure)`]);
  const { missing, differing } = tagDifference(backup.Tags, current.Tags);
  const target = kind === 'role' ? { RoleName: action.name } : kind === 'user' ? { UserName: action.name } : { PolicyArn: action.arn };
  const call = kind === 'role' ? 'TagRole' : kind === 'user' ? 'TagUser' : 'TagPolicy';
  return itemFrom({
    phase: 'iam:tags',
    name,
    sources,
    steps: missing.length ? [iamStep(call, { ...target, Tags: missing })] : [],
    notes: differing.map((tagKey) => `conflict: tag ${tagKey} has another value now: not overwritten`),
    reasons: { restore: `removed by the departure: ${missing.map((t) => `${t.Key}=${t.Value}`).join(', ')} put back`, same: 'the tags are there with their values' },
  });
}
