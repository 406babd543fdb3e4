/** Builds in-memory inventories for the planner's unit tests: no AWS, no moto. */
import type { Inventory, ManagedPolicy, Role, User, Group, PolicyDocument } from '../../lambda/engine/inventory';

export const ACCOUNT = '123456789012';
export const PROVIDER = '589942003651';
export const policyArn = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;

export const trustingAccount = (account: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
});
export const trustingService = (service: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});

export function role(name: string, options: Partial<Role> & { attached?: string[] } = {}): Role {
  const { attached, ...rest } = options;
  return {
    name,
    arn: `arn:aws:iam::${ACCOUNT}:role${options.path ?? '/'}${name}`,
    path: '/',
    trustPolicy: trustingService('ec2.amazonaws.com'),
    inlinePolicyNames: [],
    attachedPolicies: (attached ?? []).map((p) => ({ name: p.split('/').pop()!, arn: p.startsWith('arn:') ? p : policyArn(p) })),
    instanceProfiles: [],
    tags: {},
    ...rest,
  };
}

export function policy(name: string, options: Partial<ManagedPolicy> = {}): ManagedPolicy {
  return {
    name,
    arn: policyArn(name),
    path: '/',
    defaultVersionId: 'v1',
    versions: [{ versionId: 'v1', isDefault: true }],
    attachmentCount: 0,
    boundaryUsageCount: 0,
    ...options,
  };
}

export function group(name: string, attached: string[] = []): Group {
  return {
    name,
    arn: `arn:aws:iam::${ACCOUNT}:group/${name}`,
    path: '/',
    inlinePolicyNames: [],
    attachedPolicies: attached.map((p) => ({ name: p, arn: policyArn(p) })),
  };
}

export function user(name: string, options: Partial<User> & { attached?: string[] } = {}): User {
  const { attached, ...rest } = options;
  return {
    name,
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    path: '/',
    inlinePolicyNames: [],
    attachedPolicies: (attached ?? []).map((p) => ({ name: p, arn: policyArn(p) })),
    groupNames: [],
    tags: {},
    ...rest,
  };
}

export function inventory(
  parts: Partial<Pick<Inventory, 'roles' | 'policies' | 'users' | 'groups' | 'instanceProfiles' | 'virtualMfaDevices' | 'samlProviders' | 'oidcProviders' | 'organization' | 'automation' | 'buckets' | 'enabledRegions'>> & { callerRole?: string } = {},
): Inventory {
  const callerRole = parts.callerRole ?? 'DepartureRunner';
  return {
    accountId: ACCOUNT,
    readAt: '2026-11-23T00:00:00.000Z',
    partition: 'aws',
    caller: { accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${callerRole}/session`, roleName: callerRole },
    roles: parts.roles ?? [],
    policies: parts.policies ?? [],
    users: parts.users ?? [],
    groups: parts.groups ?? [],
    // A role's profiles are listed on their own too, as ListInstanceProfiles shows them.
    instanceProfiles: parts.instanceProfiles ?? uniqueProfiles((parts.roles ?? []).flatMap((r) => r.instanceProfiles)),
    virtualMfaDevices: parts.virtualMfaDevices ?? [],
    samlProviders: parts.samlProviders ?? [],
    oidcProviders: parts.oidcProviders ?? [],
    organization: parts.organization ?? { status: 'standalone' },
    buckets: parts.buckets ?? [],
    enabledRegions: parts.enabledRegions ?? { regions: ['us-east-1'] },
    automation: parts.automation ?? { lambdaFunctions: [], eventRules: [], configRules: [], configRecorders: [], trails: [], unreadable: [] },
  };
}

function uniqueProfiles<T extends { readonly name: string }>(profiles: readonly T[]): T[] {
  return [...new Map(profiles.map((p) => [p.name, p])).values()];
}
