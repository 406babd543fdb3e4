/**
 * What every kind of resource declares, in the manner of aws-nuke's resources/ folder: how it is found,
 * what protects it, and how it is removed. The planner and apply loop are generic over this interface.
 */
import type { AwsClients } from '../engine/aws';
import type { Backup } from '../engine/backup';
import type { DepartureConfig } from '../engine/config';
import type { Inventory, PrincipalKind, PrincipalRef } from '../engine/inventory';
import type { Action, Decision, Evidence, ResourceType, Step } from '../engine/model';
import type { Permission } from '../engine/permissions';
import type { ProtectionContext } from '../protections/builtin';

/** A decision and the words that justify it. */
export interface Verdict {
  readonly action: Decision;
  readonly reason: string;
  /** Apply runs this action before every other (the provider's own automation, which could undo the rest). */
  readonly runsFirst?: boolean;
}

/** Everything a kind may read while planning; built once per plan, never mutated by kinds. */
export interface PlanContext {
  readonly inventory: Inventory;
  readonly config: DepartureConfig;
  readonly protection: ProtectionContext;
  /** Policy ARN → principals it is attached to. */
  readonly attachments: ReadonlyMap<string, readonly PrincipalRef[]>;
  /** Policy ARN → principals that use it as their permissions boundary. */
  readonly boundaries: ReadonlyMap<string, readonly PrincipalRef[]>;
  /** Principals attached to a kept CAM provider policy, by {@link principalKey}, with the policy's name. */
  readonly camPrincipals: ReadonlyMap<string, string>;
  /** Decisions of the kinds planned earlier (see `dependsOn`), by {@link resourceKey}. */
  readonly decisions: ReadonlyMap<string, Decision>;
  /** The prefix that `name` starts with, if any. */
  readonly prefixOf: (name: string) => string | undefined;
  /**
   * Why an IAM path puts an entity out of the stack's reach, if it does: a segment that starts with a prefix
   * (`/CTLteam/`) is matched by the same IAM ARN patterns as a name, so the stack's policy denies every change under
   * such a path (see `pathGuards`); the engine flags what it would otherwise change there.
   */
  readonly providerLikePath: (path: string) => string | undefined;
  /** The protection reason of a principal, if it is protected. */
  readonly principalProtection: (principal: PrincipalRef) => string | undefined;
  /** Group name → the users in it, inverted from the users' own group lists. */
  readonly groupMembers: ReadonlyMap<string, readonly string[]>;
}

/** What a kind's `backup` reads: the plan's context (decisions: the actions'), and the clients for the reads discovery does not make. */
export interface BackupContext extends PlanContext {
  readonly clients: AwsClients;
}

export interface ResourceKind<T> {
  readonly type: ResourceType;
  /**
   * Kinds that are planned and applied before this one: their decisions inform this kind's plan, and
   * their removal (which detaches what they hold) must finish before this kind's starts.
   */
  readonly dependsOn: readonly ResourceType[];
  /**
   * Kinds whose decisions this kind reads, when they differ from `dependsOn` (e.g. a role's verdict reads which
   * federation providers go, though those are deleted after the roles).
   * @default dependsOn
   */
  readonly decidedAfter?: readonly ResourceType[];
  /** How it is found: this kind's items in the inventory. */
  readonly list: (inventory: Inventory) => readonly T[];
  /** What the report names it by; `region` for a regional resource. */
  readonly describe: (item: T) => { readonly name: string; readonly arn: string; readonly region?: string };
  /** What AWS says of its use, shown for the review (see `Action.evidence`). */
  readonly evidence?: (item: T) => Evidence | undefined;
  /** What protects it, and otherwise what happens to it: exactly one verdict per item. */
  readonly decide: (item: T, context: PlanContext) => Verdict;
  /** How it is removed (`delete`) or tidied (`preserve`): the API calls in the order they must run. */
  readonly steps: (item: T, verdict: Verdict, context: PlanContext) => Step[];
  /**
   * What an acting action of this kind deletes or changes, as it was (engine/backup.ts), built before the run's first
   * change from the inventory and the few reads discovery does not make; a read that fails keeps the action from
   * running. Absent: nothing is recorded, and restore says it cannot put the item back.
   */
  readonly backup?: (item: T, action: Action, context: BackupContext) => Promise<Backup>;
  /**
   * The IAM permissions that finding it and running its steps need: the cleanup stack's policy is built from these,
   * so a step this kind plans and the permission it needs live in one file.
   */
  readonly permissions: readonly Permission[];
}

/** Key of a resource in the context's maps: its resource type and name, e.g. `iam:role:CTLCAMRole`. */
export function resourceKey(resource: ResourceType, name: string): string {
  return `${resource}:${name}`;
}

/** Key of a principal in the context's maps. */
export function principalKey(kind: PrincipalKind, name: string): string {
  return resourceKey(`iam:${kind}` as ResourceType, name);
}

/** Why a customer-named principal that holds a kept CAM policy is left as it is, tags included. */
export const customersCamPrincipal = (camPolicy: string) => `the customer's; uses CAM provider policy ${camPolicy}: left as it is`;
