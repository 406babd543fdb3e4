/**
 * Restore's apply, in the engine's manner (lambda/engine/apply.ts): phases in order (what a later phase names must
 * exist first), the items of one phase (or one wave of roles) with bounded concurrency, the steps of one item in
 * order, stopping at the first failure; an item that failed on a fault a later attempt can get past gets later
 * passes, resuming at its failed step. Besides throttling and 5xx (retried by the clients and by passes), IAM's
 * eventual consistency: a role created right after the policy it attaches or uses as boundary, or after the role or
 * provider its trust policy names, can be refused for seconds (NoSuchEntity, "Invalid principal in policy"), so
 * those refusals get passes for up to IAM_PROPAGATION_MS after the item's first one.
 *
 * Nothing is overwritten: a create that finds its name taken (made since the plan) fails its item, saying so.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorName, type AwsClients } from '../../lambda/engine/aws';
import { deniedBy, describeError, IAM_PROPAGATION_MS, isTransient, MAX_PASSES } from '../../lambda/engine/apply';
import { forEachBounded } from '../../lambda/engine/concurrency';
import type { Step } from '../../lambda/engine/model';
import { runRestoreStep } from './calls';
import { PHASES, type RestoreItem } from './model';

export interface RestoreApplyOptions {
  /** @default 8 */
  readonly concurrency?: number;
  /** When aborted, no further step starts. */
  readonly signal?: AbortSignal;
  /**
   * How long IAM may take to show what this run just created (the engine's IAM_PROPAGATION_MS, 2 minutes).
   * @default IAM_PROPAGATION_MS
   */
  readonly propagationMs?: number;
}

const FIRST_PAUSE_MS = 1_000;
const MAX_PAUSE_MS = 30_000;

/** What a create makes, in the form steps name it (`role/X`, `policy/path/X`, ...). */
function createdBy(step: Step): string | undefined {
  const input = step.input as Record<string, string>;
  switch (step.call) {
    case 'CreateRole':
      return `role/${input.RoleName}`;
    case 'CreateUser':
      return `user/${input.UserName}`;
    case 'CreateGroup':
      return `group/${input.GroupName}`;
    case 'CreatePolicy':
      return `policy${input.Path ?? '/'}${input.PolicyName}`;
    case 'CreateInstanceProfile':
      return `instance-profile/${input.InstanceProfileName}`;
    default:
      return undefined;
  }
}

/** The entities a step names, in the same form. */
function namedBy(step: Step): string[] {
  const input = step.input as Record<string, unknown>;
  const policy = (arn: unknown) => (typeof arn === 'string' ? /:(policy\/.*)$/.exec(arn)?.[1] : undefined);
  return [
    typeof input.RoleName === 'string' && `role/${input.RoleName}`,
    typeof input.UserName === 'string' && `user/${input.UserName}`,
    typeof input.GroupName === 'string' && `group/${input.GroupName}`,
    typeof input.InstanceProfileName === 'string' && `instance-profile/${input.InstanceProfileName}`,
    policy(input.PolicyArn),
    policy(input.PermissionsBoundary),
  ].filter((name): name is string => !!name && name !== createdBy(step));
}

interface Run {
  readonly clients: AwsClients;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  readonly propagationMs: number;
  /** When each item was first refused for something IAM may not show yet. */
  readonly refusedSince: Map<RestoreItem, number>;
  /** What this run failed to create: a later step that names it fails at once instead of waiting for it. */
  readonly failedCreates: Set<string>;
}

export async function applyRestore(items: readonly RestoreItem[], clients: AwsClients, options: RestoreApplyOptions = {}): Promise<void> {
  const run: Run = {
    clients,
    concurrency: Math.max(1, options.concurrency ?? 8),
    signal: options.signal,
    propagationMs: options.propagationMs ?? IAM_PROPAGATION_MS,
    refusedSince: new Map(),
    failedCreates: new Set(),
  };
  for (const phase of PHASES) {
    const inPhase = items.filter((item) => item.phase === phase && item.status === 'planned');
    for (const wave of [...new Set(inPhase.map((item) => item.wave ?? 0))].sort((a, b) => a - b)) {
      await runInPasses(inPhase.filter((item) => (item.wave ?? 0) === wave), run);
    }
    for (const item of inPhase) {
      if (item.status !== 'failed') continue;
      for (const step of item.steps) {
        const made = createdBy(step);
        if (made && step.status !== 'done') run.failedCreates.add(made);
      }
    }
  }
}

async function runInPasses(due: RestoreItem[], run: Run): Promise<void> {
  for (let round = 0; due.length; round++) {
    const again: RestoreItem[] = [];
    await forEachBounded(due, run.concurrency, async (item) => {
      if (await runItem(item, run, round)) again.push(item);
    });
    const pause = Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** round);
    if (!again.length || run.signal?.aborted || round + 1 >= MAX_PASSES) {
      for (const item of again) item.error += ` (${round + 1} passes)`;
      return;
    }
    if (await sleep(pause, undefined, { signal: run.signal }).then(() => run.signal?.aborted, () => true)) return;
    for (const item of again) reopen(item);
    due = again;
  }
}

/** Runs the item's steps not done yet; true when it failed in a way a later pass may get past. */
async function runItem(item: RestoreItem, run: Run, round: number): Promise<boolean> {
  for (const step of item.steps) {
    if (step.status === 'done') continue;
    if (run.signal?.aborted) return false;
    const blocked = namedBy(step).find((name) => run.failedCreates.has(name));
    if (blocked) {
      fail(item, step, `not run: ${blocked} could not be created (see its own item)`);
      return false;
    }
    try {
      await runRestoreStep(run.clients, step);
      step.status = 'done';
      if (round > 0) step.note = `done on pass ${round + 1}`;
    } catch (error) {
      const name = errorName(error);
      const message = /AccessDenied|UnauthorizedOperation/.test(name)
        ? `${deniedBy(describeError(error))}: ${step.service}:${step.call}: ${describeError(error)}`
        : /^EntityAlreadyExists/.test(name)
          ? `${describeError(error)}: made since the plan (or by an earlier attempt whose answer was lost): not overwritten; run restore again to compare`
          : describeError(error);
      fail(item, step, message);
      if (isTransient(error)) return true;
      const unseen = stillPropagating(error, item, run);
      if (unseen === 'expired') item.error += ` (still so ${Math.round(run.propagationMs / 1000)} s after the first refusal: longer than IAM takes to show what was made)`;
      return unseen === 'retry';
    }
  }
  item.status = 'done';
  return false;
}

function fail(item: RestoreItem, step: Step, message: string): void {
  step.status = 'failed';
  step.error = message;
  item.status = 'failed';
  item.error = `${step.call} failed: ${message}; ${item.steps.filter((s) => s.status === 'planned').length} later step(s) not run`;
}

/**
 * IAM does not show yet what this run (or its last pass) created: the policy to attach or use as boundary, the role
 * to put in a profile, the principal a trust policy names.
 */
function stillPropagating(error: unknown, item: RestoreItem, run: Run): 'retry' | 'expired' | 'no' {
  const name = errorName(error);
  const message = (error as Error)?.message ?? '';
  const unseen = /^NoSuchEntity/.test(name) || (/^MalformedPolicyDocument/.test(name) && /Invalid principal/i.test(message)) || (/^InvalidInput/.test(name) && /does not exist/i.test(message));
  if (!unseen) return 'no';
  const since = run.refusedSince.get(item) ?? Date.now();
  run.refusedSince.set(item, since);
  return Date.now() - since < run.propagationMs ? 'retry' : 'expired';
}

function reopen(item: RestoreItem): void {
  item.status = 'planned';
  delete item.error;
  for (const step of item.steps) {
    if (step.status !== 'failed') continue;
    step.status = 'planned';
    delete step.error;
  }
}
