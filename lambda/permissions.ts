/**
 * Every IAM permission the custom resource's function needs: the engine's (discovery and each kind), then the
 * handler's own (its stack's status, the rollout's report). The cleanup stack's policy is built from this list
 * and nothing else.
 */
import { DISCOVERY_PERMISSIONS } from './engine/discover';
import type { Permission } from './engine/permissions';
import type { SweepService } from './engine/sweep-config';
import { REPORT_PERMISSIONS } from './report-upload';
import { ENGINE_PERMISSIONS, RESOURCE_KINDS } from './resources';
import { SWEEP_KINDS, SWEEP_PERMISSIONS } from './resources/sweep';
import { REGION_PERMISSIONS } from './engine/regions';
import { STACK_STATUS_PERMISSIONS } from './stack-status';

export const FUNCTION_PERMISSIONS: readonly Permission[] = [...ENGINE_PERMISSIONS, ...STACK_STATUS_PERMISSIONS, ...REPORT_PERMISSIONS];

/**
 * The IAM reads of the core discovery (GetAccountAuthorizationDetails, the lists, the organization): what the sweep
 * stack's run needs to plan IAM, which it does only to know who the departure deletes. The IAM kinds' reads on "*";
 * never their changes, nor their backups' reads of one entity.
 */
const IAM_DISCOVERY_PERMISSIONS: readonly Permission[] = [
  ...DISCOVERY_PERMISSIONS,
  ...RESOURCE_KINDS.filter((kind) => kind.type.startsWith('iam:'))
    .flatMap((kind) => kind.permissions)
    .filter((p) => p.feature === undefined && p.resources.every((r) => r === '*') && p.actions.every((a) => /^iam:(Get|List)/.test(a))),
];

/**
 * Every permission the sweep stack's function may be given: IAM discovery's reads, the sweep's reads and (feature
 * `resourcePolicyRemoval`) its changes, the enabled regions, its stack's status. The sweep stack's policy is built
 * from this list and nothing else; the removal statements only for the services `sweepRemovalPermissions` names.
 */
export const SWEEP_FUNCTION_PERMISSIONS: readonly Permission[] = [...IAM_DISCOVERY_PERMISSIONS, ...SWEEP_PERMISSIONS, ...REGION_PERMISSIONS, ...STACK_STATUS_PERMISSIONS];

/** The removal statements of the given services' sweep kinds: the sweep stack's role has these only when synthesized with them. */
export function sweepRemovalPermissions(services: readonly SweepService[]): Permission[] {
  return SWEEP_KINDS.filter((kind) => services.includes(kind.service)).flatMap((kind) => kind.permissions.filter((p) => p.feature === 'resourcePolicyRemoval'));
}
