/**
 * Backups as apply records them (lambda/engine/backup.ts), made by the test from the account as it was before the
 * apply: for restore's tests that must not depend on how apply captures them. Each field is the one the format
 * documents; what a departure's own steps say (which credentials it deleted, which bucket settings it replaced) is
 * read from those steps, as apply would know it.
 */
import type { Backup, BucketBackup, CredentialsRecord, PrincipalRef, TagsBackup } from '../../lambda/engine/backup';
import type { Action } from '../../lambda/engine/model';
import type { DepartureReport } from '../../lambda/engine/report';
import { oidcKey, policyArn, type RestoreState } from '../../cli/restore/model';

const called = (action: Action, call: string) => action.steps.filter((s) => s.call === call);
const removedTags = (action: Action, tags: readonly { Key: string; Value: string }[]): TagsBackup => {
  const keys = action.steps.flatMap((s) => (s.input.TagKeys as string[] | undefined) ?? []);
  return { Tags: tags.filter((t) => keys.includes(t.Key)) };
};

function credentials(action: Action): CredentialsRecord {
  const ids = (call: string, field: string) => called(action, call).map((s) => String(s.input[field]));
  return {
    accessKeyIds: ids('DeleteAccessKey', 'AccessKeyId'),
    loginProfile: called(action, 'DeleteLoginProfile').length > 0,
    mfaDevices: ids('DeactivateMFADevice', 'SerialNumber'),
    signingCertificateIds: ids('DeleteSigningCertificate', 'CertificateId'),
    sshPublicKeyIds: ids('DeleteSSHPublicKey', 'SSHPublicKeyId'),
    serviceSpecificCredentialIds: ids('DeleteServiceSpecificCredential', 'ServiceSpecificCredentialId'),
  };
}

function backupOf(action: Action, before: RestoreState, report: DepartureReport): Backup | undefined {
  const deleting = (resource: string, name: string) => report.actions.some((a) => a.resource === resource && a.name === name && a.action === 'delete');
  switch (action.resource) {
    case 'iam:role': {
      const role = before.roles[action.name]!;
      if (action.action === 'preserve') return removedTags(action, role.Tags);
      const profiles = Object.values(before.instanceProfiles).filter((p) => p.Roles.includes(role.RoleName));
      return { ...role, InstanceProfiles: profiles.map((p) => ({ InstanceProfileName: p.InstanceProfileName, Path: p.Path, deletedByThisRun: deleting('iam:instance-profile', p.InstanceProfileName) })) };
    }
    case 'iam:policy': {
      const policy = before.policies[action.arn]!;
      if (action.action === 'preserve') return removedTags(action, policy.Tags);
      const arn = policyArn(before, policy.Path, policy.PolicyName);
      const holders = (test: (p: { AttachedPolicyArns: readonly string[]; PermissionsBoundary?: string }) => boolean): PrincipalRef[] => [
        ...Object.values(before.roles).filter(test).map((r) => ({ kind: 'role' as const, name: r.RoleName })),
        ...Object.values(before.users).filter(test).map((u) => ({ kind: 'user' as const, name: u.UserName })),
        ...Object.values(before.groups).filter((g) => test({ AttachedPolicyArns: g.AttachedPolicyArns })).map((g) => ({ kind: 'group' as const, name: g.GroupName })),
      ];
      return { ...policy, AttachedTo: holders((p) => p.AttachedPolicyArns.includes(arn)), BoundaryOf: holders((p) => p.PermissionsBoundary === arn) };
    }
    case 'iam:user': {
      const user = before.users[action.name]!;
      if (action.action === 'preserve') return removedTags(action, user.Tags);
      return { ...user, Credentials: credentials(action) };
    }
    case 'iam:group': {
      const group = before.groups[action.name]!;
      return { ...group, Members: called(action, 'RemoveUserFromGroup').map((s) => String(s.input.UserName)) };
    }
    case 'iam:instance-profile':
      return before.instanceProfiles[action.name];
    case 'iam:saml-provider':
      return before.samlProviders[action.name];
    case 'iam:oidc-provider': {
      const provider = before.oidcProviders[oidcKey(action.name)]!;
      return { ...provider, Url: `https://${provider.Url}` };
    }
    case 's3:bucket': {
      const bucket = before.buckets[action.name]!;
      const changed = (call: string) => action.steps.some((s) => s.call === call && s.status === 'done');
      const backup: BucketBackup = {
        Bucket: action.name,
        ...(changed('PutBucketPolicy') || changed('DeleteBucketPolicy') ? { Policy: bucket.Policy } : {}),
        ...(changed('PutBucketLifecycleConfiguration') ? { LifecycleRules: bucket.LifecycleRules, TransitionDefaultMinimumObjectSize: bucket.TransitionDefaultMinimumObjectSize } : {}),
        ...(changed('PutBucketTagging') ? { Tags: bucket.Tags } : {}),
        ...(changed('PutPublicAccessBlock') ? { PublicAccessBlockConfiguration: bucket.PublicAccessBlockConfiguration } : {}),
        ...(changed('PutBucketEncryption') ? { ServerSideEncryptionConfiguration: bucket.ServerSideEncryptionConfiguration } : {}),
        ...(changed('DeleteBucket') ? { deleted: true } : {}),
      };
      return JSON.parse(JSON.stringify(backup)) as BucketBackup; // no undefined fields, as a JSON report has none
    }
    default:
      return undefined;
  }
}

/** The report with each acting action's backup, from `before` (the restore state read before the apply). */
export function withMirroredBackups(report: DepartureReport, before: RestoreState): DepartureReport {
  return {
    ...report,
    actions: report.actions.map((action) => {
      if (action.action !== 'delete' && action.action !== 'preserve') return action;
      if (!action.steps.some((s) => s.status === 'done')) return action;
      const backup = backupOf(action, before, report);
      return backup ? { ...action, backup } : action;
    }),
  };
}
