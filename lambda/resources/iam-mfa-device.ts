/**
 * Virtual MFA devices assigned to nobody.
 * - Found in: ListVirtualMFADevices with AssignmentStatus Unassigned (paged). A provider user's device is removed
 *   with the user (DeactivateMFADevice, then DeleteVirtualMFADevice); once deactivated it is no longer in the
 *   user's list, so a run killed (or denied) between the two would leave it for good without this kind.
 * - The provider's when: its name, or a segment of its path, starts with a provider prefix (the console names a
 *   device after its user). An unassigned device names no owner, so any other one is not known to be the provider's.
 * - Protected by: `exclude` (its name).
 * - Removed by: DeleteVirtualMFADevice.
 */
import type { VirtualMfaDevice } from '../engine/inventory';
import { step } from '../engine/model';
import { iamArn, readAccount, type Permission } from '../engine/permissions';
import type { PlanContext, ResourceKind, Verdict } from './kind';

/** Shared with the user kind, which deletes a user's own devices after deactivating them. */
export const DELETE_VIRTUAL_MFA_DEVICES: Permission = {
  sid: 'DeleteDeactivatedVirtualMfaDevices',
  actions: ['iam:DeleteVirtualMFADevice'],
  resources: [iamArn('mfa/*')],
  reason: 'Virtual MFA devices are named freely; one can only be deleted while assigned to nobody, after DeactivateMFADevice, which is allowed on provider users only.',
};

function decide(device: VirtualMfaDevice, context: PlanContext): Verdict {
  if (context.config.exclude.includes(device.name)) return { action: 'skip', reason: 'excluded by config' };
  const prefix = context.prefixOf(device.name);
  if (prefix) return { action: 'delete', reason: `unassigned; name starts with provider prefix "${prefix}"` };
  if (context.providerLikePath(device.path)) return { action: 'delete', reason: `unassigned; path ${device.path} names the provider` };
  return { action: 'skip', reason: 'unassigned, not named for the provider' };
}

export const IamVirtualMfaDevice: ResourceKind<VirtualMfaDevice> = {
  type: 'iam:mfa-device',
  dependsOn: ['iam:user'],
  list: (inventory) => inventory.virtualMfaDevices,
  describe: (device) => ({ name: device.name, arn: device.serialNumber }),
  decide,
  steps: (device) => [step('DeleteVirtualMFADevice', { SerialNumber: device.serialNumber })],
  permissions: [readAccount(['iam:ListVirtualMFADevices']), DELETE_VIRTUAL_MFA_DEVICES] satisfies Permission[],
};
