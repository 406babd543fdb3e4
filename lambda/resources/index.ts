/** Every kind of resource the engine handles, in no particular order: `dependsOn` decides the order. */
import { IamPolicy } from './iam-policy';
import { IamRole } from './iam-role';
import type { ResourceKind } from './kind';

export const RESOURCE_KINDS: readonly ResourceKind<never>[] = [IamPolicy, IamRole] as unknown as ResourceKind<never>[];
