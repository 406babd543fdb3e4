/**
 * IAM instance profiles.
 * - Found in: ListInstanceProfiles (paged), on their own: GetAccountAuthorizationDetails shows a profile only inside
 *   the role it holds, so one that a role left (a run killed between RemoveRoleFromInstanceProfile and
 *   DeleteInstanceProfile) would be out of sight for good.
 * - The provider's when: its name has a provider prefix and every role it holds is deleted by this run.
 * - Protected by: `exclude`, a provider-like path, a role it holds that stays.
 * - Removed by: DeleteInstanceProfile, after the roles (each role being deleted leaves its profiles first, in its own
 *   action: AWS refuses the delete while the profile holds a role).
 * - Backed up from the inventory, plus its tags (GetInstanceProfile: listing returns none).
 */
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import type { InstanceProfileBackup, Tag } from '../engine/backup';
import type { InstanceProfile } from '../engine/inventory';
import { step } from '../engine/model';
import { prefixNamed, readAccount, type Permission } from '../engine/permissions';
import { resourceKey, type BackupContext, type PlanContext, type ResourceKind, type Verdict } from './kind';

function decide(profile: InstanceProfile, context: PlanContext): Verdict {
  if (context.config.exclude.includes(profile.name)) return { action: 'skip', reason: 'excluded by config' };
  const prefix = context.prefixOf(profile.name);
  if (!prefix) return { action: 'skip', reason: 'not a provider instance profile' };
  const outOfReach = context.providerLikePath(profile.path);
  if (outOfReach) return { action: 'flag', reason: `name starts with provider prefix "${prefix}", but ${outOfReach}` };
  const staying = profile.roleNames.filter((role) => context.decisions.get(resourceKey('iam:role', role)) !== 'delete');
  if (staying.length) return { action: 'skip', reason: `holds role ${staying.join(', ')}, which stays` };
  return { action: 'delete', reason: `name starts with provider prefix "${prefix}"` };
}

async function backup(profile: InstanceProfile, _action: unknown, context: BackupContext): Promise<InstanceProfileBackup> {
  const { InstanceProfile: read } = await context.clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profile.name }));
  return { Path: profile.path, InstanceProfileName: profile.name, Tags: (read?.Tags ?? []) as Tag[], Roles: profile.roleNames };
}

export const IamInstanceProfile: ResourceKind<InstanceProfile> = {
  type: 'iam:instance-profile',
  dependsOn: ['iam:role'],
  list: (inventory) => inventory.instanceProfiles,
  describe: (profile) => ({ name: profile.name, arn: profile.arn }),
  decide,
  steps: (profile) => [step('DeleteInstanceProfile', { InstanceProfileName: profile.name })],
  backup,
  permissions: [
    readAccount(['iam:ListInstanceProfiles']),
    {
      sid: 'DeleteProviderInstanceProfiles',
      actions: ['iam:DeleteInstanceProfile'],
      resources: prefixNamed('instance-profile'),
      reason: "The provider's instance profiles are known only by their name prefix, at any path.",
    },
    {
      sid: 'ReadProviderInstanceProfilesForBackup',
      actions: ['iam:GetInstanceProfile'],
      resources: prefixNamed('instance-profile'),
      reason: "A deleted instance profile's tags, recorded for restore.",
    },
  ] satisfies Permission[],
};
