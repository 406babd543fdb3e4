/**
 * Plan: a pure function from what discovery saw and the config to the actions that apply will run.
 * Every item of every kind gets exactly one action with its reason; nothing here calls AWS.
 */
import { RESOURCE_KINDS } from '../resources';
import { principalKey, resourceKey, type PlanContext, type ResourceKind } from '../resources/kind';
import { protectionOf } from '../protections/builtin';
import type { DepartureConfig } from './config';
import { attachmentsByPolicy, boundariesByPolicy, type Inventory, type PrincipalRef } from './inventory';
import { isActing, type Action, type Decision, type Evidence, type ResourceType } from './model';

type Ordered = { type: ResourceType; dependsOn: readonly ResourceType[]; decidedAfter?: readonly ResourceType[] };

/** Kinds sorted so that each comes after the kinds it depends on: `dependsOn` for apply, `decidedAfter` for plan. */
export function orderKinds<K extends Ordered>(kinds: readonly K[], by: 'apply' | 'plan' = 'apply'): K[] {
  const byType = new Map(kinds.map((kind) => [kind.type, kind]));
  const ordered: K[] = [];
  const visiting = new Set<ResourceType>();
  const visit = (kind: K) => {
    if (ordered.includes(kind)) return;
    if (visiting.has(kind.type)) throw new Error(`resource kinds depend on each other in a cycle through ${kind.type}`);
    visiting.add(kind.type);
    for (const dependency of by === 'plan' ? (kind.decidedAfter ?? kind.dependsOn) : kind.dependsOn) {
      const next = byType.get(dependency);
      if (next) visit(next);
    }
    ordered.push(kind);
  };
  kinds.forEach(visit);
  return ordered;
}

export function plan(inventory: Inventory, config: DepartureConfig, kinds: readonly ResourceKind<never>[] = RESOURCE_KINDS): Action[] {
  const decisions = new Map<string, Decision>();
  const context = planContext(inventory, config, decisions);
  const actions: Action[] = [];
  for (const kind of orderKinds(kinds, 'plan')) {
    for (const item of kind.list(inventory)) {
      const verdict = kind.decide(item, context);
      const { name, arn, region } = kind.describe(item);
      decisions.set(resourceKey(kind.type, name), verdict.action);
      const steps = isActing(verdict.action) ? kind.steps(item, verdict, context) : [];
      const evidence = verdict.action === 'skip' ? undefined : kind.evidence?.(item);
      actions.push({
        resource: kind.type,
        name,
        arn,
        ...(region && { region }),
        action: verdict.action,
        reason: verdict.reason,
        ...(evidence && { evidence: withRecentUse(evidence, inventory.readAt, config.recentUseDays) }),
        // A kept resource with nothing left to tidy has nothing to run.
        status: steps.length ? 'planned' : 'skipped',
        ...(verdict.runsFirst && steps.length ? { runsFirst: true } : {}),
        steps,
      });
    }
  }
  return actions;
}

const DAY_MS = 86_400_000;

/**
 * The evidence, with `recentUse` when its newest use (the role's, or any access key's) was less than `days` days before
 * discovery read the account: the planner's clock is the inventory's.
 */
export function withRecentUse(evidence: Evidence, readAt: string, days: number): Evidence {
  const newest = [evidence, ...(evidence.accessKeys ?? [])].filter((use) => use.lastUsed).sort((a, b) => b.lastUsed!.localeCompare(a.lastUsed!))[0];
  // A use while discovery ran (after readAt) is less than a day ago too.
  const ago = newest && Math.max(0, Math.floor((Date.parse(readAt) - Date.parse(newest.lastUsed!)) / DAY_MS));
  if (!newest || ago! >= days) return evidence;
  const when = ago ? `${ago} day${ago > 1 ? 's' : ''} ago` : 'less than a day ago';
  const key = 'id' in newest ? ` by access key ${newest.id}` : '';
  return { ...evidence, recentUse: `${when}${newest.region ? ` in ${newest.region}` : ''}${key}` };
}

/** What every kind reads while planning (and, with the plan's decisions, while backing up: engine/run.ts). */
export function planContext(inventory: Inventory, config: DepartureConfig, decisions: Map<string, Decision>): PlanContext {
  const attachments = attachmentsByPolicy(inventory);
  const camPrincipals = new Map<string, string>();
  if (config.keepCamProvider) {
    for (const policy of inventory.policies) {
      if (!config.camPolicyNames.includes(policy.name)) continue;
      for (const ref of attachments.get(policy.arn) ?? []) camPrincipals.set(principalKey(ref.kind, ref.name), policy.name);
    }
  }
  const protection = { callerRoleName: inventory.caller.roleName, callerUserName: inventory.caller.userName };
  const roles = new Map(inventory.roles.map((role) => [role.name, role]));
  const users = new Map(inventory.users.map((user) => [user.name, user]));
  const groupMembers = new Map<string, string[]>();
  for (const user of inventory.users) {
    for (const group of user.groupNames) groupMembers.set(group, [...(groupMembers.get(group) ?? []), user.name]);
  }
  return {
    inventory,
    config,
    protection,
    attachments,
    boundaries: boundariesByPolicy(inventory),
    camPrincipals,
    decisions,
    groupMembers,
    prefixOf: (name) => config.prefixes.find((prefix) => name.startsWith(prefix)),
    providerLikePath: (path) => {
      const segment = path.split('/').find((part) => config.prefixes.some((prefix) => part.startsWith(prefix)));
      return segment === undefined
        ? undefined
        : `its path ${path} has a segment starting with a provider prefix ("${segment}"), which IAM name patterns cannot tell from a name: the stack may not change it; review it and remove it by hand`;
    },
    principalProtection: (ref: PrincipalRef) => {
      if (ref.kind === 'group') return undefined;
      const principal = ref.kind === 'role' ? roles.get(ref.name) : users.get(ref.name);
      return principal ? protectionOf({ resource: `iam:${ref.kind}`, ...principal }, protection) : undefined;
    },
  };
}
