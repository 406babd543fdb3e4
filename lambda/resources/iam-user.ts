/**
 * IAM users.
 * - Found in: GetAccountAuthorizationDetails `UserDetailList`; for a user that may be deleted, its credentials
 *   too (access keys, login profile, MFA devices, signing certificates, SSH keys, service-specific credentials),
 *   which that call does not return.
 * - Protected by: the caller, `exclude`, `identities.users`, the CAM provider. Customer users are never deleted;
 *   they only lose provider policies attached to them directly (see iam-policy.ts).
 * - Evidence for the review: each access key's last use (read with the credentials).
 * - Removed by: every credential, inline and attached policies, group memberships and boundary, then
 *   DeleteUser, which AWS refuses while any of those remains.
 * - Backed up from the inventory; its credentials only as a record of which existed (no API gives a secret back).
 */
import { inlinePolicies, removedTags, tagList, type TagsBackup, type UserBackup } from '../engine/backup';
import type { User } from '../engine/inventory';
import { step, type Action, type Step } from '../engine/model';
import { iamArn, prefixNamed, readAccount, type Permission } from '../engine/permissions';
import { protectionOf } from '../protections/builtin';
import { DELETE_VIRTUAL_MFA_DEVICES } from './iam-mfa-device';
import { customersCamPrincipal, principalKey, type PlanContext, type ResourceKind, type Verdict } from './kind';
import { CLEANUP_BUNDLE } from '../engine/bundle';

function decide(user: User, context: PlanContext): Verdict {
  const { config } = context;
  const protectedBecause = protectionOf({ resource: 'iam:user', ...user }, context.protection);
  if (protectedBecause) return { action: 'skip', reason: protectedBecause };
  if (config.exclude.includes(user.name)) return { action: 'skip', reason: 'excluded by config' };
  const prefix = context.prefixOf(user.name);
  if (!prefix) {
    const camPolicy = context.camPrincipals.get(principalKey('user', user.name));
    if (camPolicy) return { action: 'skip', reason: customersCamPrincipal(camPolicy) };
    return { action: 'skip', reason: 'not a provider user' };
  }
  // The stack's properties cannot switch identity kinds off (lambda/properties.ts).
  if (!CLEANUP_BUNDLE && !config.identities.users) return { action: 'skip', reason: 'provider user, but users are switched off (identities.users)' };
  const camPolicy = context.camPrincipals.get(principalKey('user', user.name));
  const outOfReach = context.providerLikePath(user.path);
  if (outOfReach) return { action: 'flag', reason: `name starts with provider prefix "${prefix}", but ${outOfReach}` };
  if (camPolicy) return { action: 'preserve', reason: `uses CAM provider policy ${camPolicy}, kept while the customer keeps CAM (keepCamProvider)` };
  return { action: 'delete', reason: `name starts with provider prefix "${prefix}"` };
}

function steps(user: User, verdict: Verdict, context: PlanContext): Step[] {
  const UserName = user.name;
  if (verdict.action === 'preserve') {
    const keys = context.config.removeTagKeys.filter((key) => key in user.tags);
    return keys.length ? [step('UntagUser', { UserName, TagKeys: keys })] : [];
  }
  const credentials = user.credentials;
  if (!credentials) throw new Error(`user ${UserName} is to be deleted but its credentials were not read`);
  const calls: Step[] = [];
  for (const AccessKeyId of credentials.accessKeyIds) calls.push(step('DeleteAccessKey', { UserName, AccessKeyId }));
  if (credentials.hasLoginProfile) calls.push(step('DeleteLoginProfile', { UserName }));
  for (const device of credentials.mfaDevices) {
    calls.push(step('DeactivateMFADevice', { UserName, SerialNumber: device.serialNumber }));
    if (device.virtual) calls.push(step('DeleteVirtualMFADevice', { SerialNumber: device.serialNumber }));
  }
  for (const CertificateId of credentials.signingCertificateIds) calls.push(step('DeleteSigningCertificate', { UserName, CertificateId }));
  for (const SSHPublicKeyId of credentials.sshPublicKeyIds) calls.push(step('DeleteSSHPublicKey', { UserName, SSHPublicKeyId }));
  for (const ServiceSpecificCredentialId of credentials.serviceSpecificCredentialIds) {
    calls.push(step('DeleteServiceSpecificCredential', { UserName, ServiceSpecificCredentialId }));
  }
  for (const PolicyName of user.inlinePolicyNames) calls.push(step('DeleteUserPolicy', { UserName, PolicyName }));
  for (const policy of user.attachedPolicies) calls.push(step('DetachUserPolicy', { UserName, PolicyArn: policy.arn }));
  for (const GroupName of user.groupNames) calls.push(step('RemoveUserFromGroup', { GroupName, UserName }));
  if (user.permissionsBoundaryArn) calls.push(step('DeleteUserPermissionsBoundary', { UserName }));
  calls.push(step('DeleteUser', { UserName }));
  return calls;
}

async function backup(user: User, action: Action): Promise<UserBackup | TagsBackup> {
  if (action.action === 'preserve') return removedTags(action, user.tags);
  const credentials = user.credentials;
  return {
    Path: user.path,
    UserName: user.name,
    PermissionsBoundary: user.permissionsBoundaryArn,
    Tags: tagList(user.tags),
    InlinePolicies: inlinePolicies(user),
    AttachedPolicyArns: user.attachedPolicies.map((policy) => policy.arn),
    Groups: user.groupNames,
    Credentials: credentials && {
      accessKeyIds: credentials.accessKeyIds,
      loginProfile: credentials.hasLoginProfile,
      mfaDevices: credentials.mfaDevices.map((device) => device.serialNumber),
      signingCertificateIds: credentials.signingCertificateIds,
      sshPublicKeyIds: credentials.sshPublicKeyIds,
      serviceSpecificCredentialIds: credentials.serviceSpecificCredentialIds,
    },
    UserId: user.id,
  };
}

export const IamUser: ResourceKind<User> = {
  type: 'iam:user',
  dependsOn: ['iam:role'],
  list: (inventory) => inventory.users,
  describe: (user) => ({ name: user.name, arn: user.arn }),
  evidence: (user) => (user.credentials?.accessKeysLastUsed?.length ? { accessKeys: user.credentials.accessKeysLastUsed } : undefined),
  permissions: [
    readAccount(['iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed', 'iam:GetLoginProfile', 'iam:ListMFADevices', 'iam:ListSigningCertificates', 'iam:ListSSHPublicKeys', 'iam:ListServiceSpecificCredentials']),
    {
      sid: 'RemoveProviderUsers',
      actions: [
        'iam:DeleteAccessKey', 'iam:DeleteLoginProfile', 'iam:DeactivateMFADevice', 'iam:DeleteSigningCertificate', 'iam:DeleteSSHPublicKey',
        'iam:DeleteServiceSpecificCredential', 'iam:DeleteUserPolicy', 'iam:DetachUserPolicy', 'iam:DeleteUserPermissionsBoundary',
        'iam:DeleteUser', 'iam:UntagUser',
      ],
      resources: prefixNamed('user'),
      reason: "The provider's users are known only by their name prefix, at any path: the prefix wildcard is the narrowest match.",
    },
    {
      sid: 'LeaveGroups',
      actions: ['iam:RemoveUserFromGroup'],
      resources: [iamArn('group/*')],
      reason: 'A provider user must leave customer groups too before AWS lets it be deleted; the call only removes a membership.',
    },
    DELETE_VIRTUAL_MFA_DEVICES,
  ] satisfies Permission[],
  decide,
  steps,
  backup,
};
