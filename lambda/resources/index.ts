/** Every kind of resource the engine handles, in no particular order: `dependsOn` decides the order. */
import { IamOidcProvider, IamSamlProvider } from './iam-federation';
import { IamGroup } from './iam-group';
import { IamInstanceProfile } from './iam-instance-profile';
import { IamVirtualMfaDevice } from './iam-mfa-device';
import { IamPolicy } from './iam-policy';
import { IamRole } from './iam-role';
import { IamUser } from './iam-user';
import type { ResourceKind } from './kind';
import { DISCOVERY_PERMISSIONS } from '../engine/discover';
import { READINESS_PERMISSIONS } from '../engine/readiness';
import { REGION_PERMISSIONS } from '../engine/regions';
import type { Permission } from '../engine/permissions';
import { CloudTrailTrail, ConfigRecorder, ConfigRule, EventRule, LambdaFunction } from './provider-automation';
import { S3Bucket } from './s3-bucket';

export const RESOURCE_KINDS = [
  IamRole,
  IamInstanceProfile,
  IamUser,
  IamGroup,
  IamVirtualMfaDevice,
  IamPolicy,
  IamSamlProvider,
  IamOidcProvider,
  EventRule,
  LambdaFunction,
  ConfigRule,
  ConfigRecorder,
  CloudTrailTrail,
  S3Bucket,
] as unknown as readonly ResourceKind<never>[];

/** Every IAM permission the engine declares: discovery's, readiness's and each kind's (finding it and running its steps). */
export const ENGINE_PERMISSIONS: readonly Permission[] = [...DISCOVERY_PERMISSIONS, ...READINESS_PERMISSIONS, ...REGION_PERMISSIONS, ...RESOURCE_KINDS.flatMap((kind) => kind.permissions)];
