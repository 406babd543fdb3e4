/**
 * Every IAM permission the custom resource's function needs: the engine's (discovery and each kind), then the
 * handler's own (its stack's status, the rollout's report). The cleanup stack's policy is built from this list
 * and nothing else.
 */
import type { Permission } from './engine/permissions';
import { REPORT_PERMISSIONS } from './report-upload';
import { ENGINE_PERMISSIONS } from './resources';
import { STACK_STATUS_PERMISSIONS } from './stack-status';

export const FUNCTION_PERMISSIONS: readonly Permission[] = [...ENGINE_PERMISSIONS, ...STACK_STATUS_PERMISSIONS, ...REPORT_PERMISSIONS];
