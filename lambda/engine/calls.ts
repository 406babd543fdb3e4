/**
 * Runs one planned step: the API call it names, with its exact input. Only the calls listed here can run,
 * so a plan can never make the engine do something this file does not name.
 */
import * as iam from '@aws-sdk/client-iam';
import type { AwsClients } from './aws';
import type { Step } from './model';

type CommandClass = new (input: never) => Parameters<iam.IAMClient['send']>[0];

const IAM_CALLS: Readonly<Record<string, CommandClass>> = {
  DeactivateMFADevice: iam.DeactivateMFADeviceCommand,
  DeleteAccessKey: iam.DeleteAccessKeyCommand,
  DeleteGroup: iam.DeleteGroupCommand,
  DeleteGroupPolicy: iam.DeleteGroupPolicyCommand,
  DeleteInstanceProfile: iam.DeleteInstanceProfileCommand,
  DeleteLoginProfile: iam.DeleteLoginProfileCommand,
  DeleteOpenIDConnectProvider: iam.DeleteOpenIDConnectProviderCommand,
  DeletePolicy: iam.DeletePolicyCommand,
  DeletePolicyVersion: iam.DeletePolicyVersionCommand,
  DeleteRole: iam.DeleteRoleCommand,
  DeleteRolePolicy: iam.DeleteRolePolicyCommand,
  DeleteSAMLProvider: iam.DeleteSAMLProviderCommand,
  DeleteServiceSpecificCredential: iam.DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificate: iam.DeleteSigningCertificateCommand,
  DeleteSSHPublicKey: iam.DeleteSSHPublicKeyCommand,
  DeleteUser: iam.DeleteUserCommand,
  DeleteUserPermissionsBoundary: iam.DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicy: iam.DeleteUserPolicyCommand,
  DeleteVirtualMFADevice: iam.DeleteVirtualMFADeviceCommand,
  DetachGroupPolicy: iam.DetachGroupPolicyCommand,
  DetachRolePolicy: iam.DetachRolePolicyCommand,
  DetachUserPolicy: iam.DetachUserPolicyCommand,
  RemoveRoleFromInstanceProfile: iam.RemoveRoleFromInstanceProfileCommand,
  RemoveUserFromGroup: iam.RemoveUserFromGroupCommand,
  UntagPolicy: iam.UntagPolicyCommand,
  UntagRole: iam.UntagRoleCommand,
  UntagUser: iam.UntagUserCommand,
} as unknown as Record<string, CommandClass>;

/** API calls the engine may make while applying, for docs and for the stack's IAM policy. */
export const MUTATING_CALLS = Object.keys(IAM_CALLS).map((call) => `iam:${call}`);

export async function runStep(clients: AwsClients, planned: Step): Promise<void> {
  const Command = IAM_CALLS[planned.call];
  if (!Command) throw new Error(`the engine has no ${planned.service}:${planned.call} call`);
  await clients.iam.send(new Command(planned.input as never) as never);
}
