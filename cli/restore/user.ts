/**
 * Users a departure deleted.
 * - Recreated by: CreateUser with its path, permissions boundary and tags, then PutUserPolicy and AttachUserPolicy.
 *   Its group memberships are items of their own (membership.ts), after the groups exist.
 * - The same when: a user of that name has the same path and boundary; then only missing inline policies,
 *   attachments and tags are put back (another value there is a conflict, never overwritten).
 * - Needs: its boundary policy. Cannot: its credentials (access keys, console password, MFA devices, signing
 *   certificates, SSH keys, service-specific credentials): the report records which existed, never a secret, and
 *   AWS never shows a secret twice; new ones must be made and handed over.
 */
import type { CredentialsRecord, UserBackup } from '../../lambda/engine/backup';
import type { Step } from '../../lambda/engine/model';
import { availability, itemFrom, key, needsLine, settled, uniqueIdNote, type RestoreContext } from './context';
import { restorePolicies } from './principal-policies';
import { iamStep, isAwsManaged, policyNameOf, tagDifference, type RestoreItem } from './model';

/** What the user had that no API can give back, or nothing. */
export function credentialsNote(credentials: CredentialsRecord | undefined): string | undefined {
  if (!credentials) return undefined;
  const had = [
    credentials.accessKeyIds.length && `access key ${credentials.accessKeyIds.join(', ')}`,
    credentials.loginProfile && 'a console password',
    credentials.mfaDevices.length && `MFA device ${credentials.mfaDevices.join(', ')}`,
    credentials.signingCertificateIds.length && `signing certificate ${credentials.signingCertificateIds.join(', ')}`,
    credentials.sshPublicKeyIds.length && `SSH key ${credentials.sshPublicKeyIds.join(', ')}`,
    credentials.serviceSpecificCredentialIds.length && `service-specific credential ${credentials.serviceSpecificCredentialIds.join(', ')}`,
  ].filter((x): x is string => !!x);
  return had.length ? `not restorable: its credentials (${had.join('; ')}): secrets are never shown twice; make new ones and hand them over` : undefined;
}

export function planUser(backup: UserBackup, sources: readonly string[], context: RestoreContext): RestoreItem {
  const { state } = context;
  const UserName = backup.UserName;
  const current = state.users[UserName];
  const credentials = credentialsNote(backup.Credentials);
  if (current) {
    const differences = [
      current.Path !== backup.Path && `path ${current.Path} (backed up: ${backup.Path})`,
      current.PermissionsBoundary !== backup.PermissionsBoundary && 'permissions boundary',
    ].filter((d): d is string => !!d);
    if (differences.length) {
      context.planned.set(key.user(UserName), 'conflict');
      return settled('iam:user', UserName, sources, 'conflict', `the name is taken by a user with another ${differences.join(', ')}: not overwritten`);
    }
  } else if (backup.PermissionsBoundary && !isAwsManaged(backup.PermissionsBoundary)) {
    const there = availability(context, key.policy(backup.PermissionsBoundary), backup.PermissionsBoundary in state.policies);
    if (there === 'missing' || there === 'conflict') {
      context.planned.set(key.user(UserName), 'missing');
      const line = needsLine(context, `permissions boundary ${policyNameOf(backup.PermissionsBoundary)}`, key.policy(backup.PermissionsBoundary));
      return settled('iam:user', UserName, sources, 'needs', `cannot be created: ${line.replace(/^(needs|conflict): /, '')}`, [line]);
    }
  }

  context.planned.set(key.user(UserName), 'ours');
  const steps: Step[] = [];
  const notes: string[] = [];
  const done: string[] = [];
  if (!current) {
    steps.push(
      iamStep('CreateUser', {
        UserName,
        Path: backup.Path,
        ...(backup.PermissionsBoundary ? { PermissionsBoundary: backup.PermissionsBoundary } : {}),
        ...(backup.Tags.length ? { Tags: backup.Tags } : {}),
      }),
    );
    done.push(`recreated (path ${backup.Path}${backup.PermissionsBoundary ? `, boundary ${policyNameOf(backup.PermissionsBoundary)}` : ''}${backup.Tags.length ? `, ${backup.Tags.length} tag(s)` : ''})`);
    notes.push(uniqueIdNote(state, 'user', backup.UserId));
  } else {
    const tags = tagDifference(backup.Tags, current.Tags);
    if (tags.missing.length) {
      steps.push(iamStep('TagUser', { UserName, Tags: tags.missing }));
      done.push(`${tags.missing.length} tag(s)`);
    }
    for (const tagKey of tags.differing) notes.push(`conflict: tag ${tagKey} has another value now: not overwritten`);
  }
  restorePolicies('User', UserName, backup, current, context, { steps, notes, done });
  if (credentials) notes.push(credentials);
  return itemFrom({
    phase: 'iam:user',
    name: UserName,
    sources,
    steps,
    notes,
    reasons: {
      restore: current ? `there with the same definition; put back: ${done.join(', ')}` : `deleted by the departure: ${done.join(', ')}`,
      same: 'there with the same definition, inline and attached policies and tags',
    },
  });
}
