/**
 * Apply: run the planned steps. Kinds go in dependency order (roles before the policies they hold), the
 * actions of one kind run with bounded concurrency, and the steps of one action run in order, stopping at
 * the first failure. A target that is already gone counts as done, so a re-run after a crash finishes the
 * job instead of failing on what the first run removed. Every step is idempotent (a delete, detach, untag or
 * put; a copy that skips what is there), so an action that failed on a fault a later attempt can get past
 * (throttling, a 5xx, a lost answer; IAM's eventual consistency on a final delete) gets later passes, resuming
 * at its failed step, with growing pauses, until it is done, the passes run out or the deadline comes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorName, type AwsClients } from './aws';
import { runStep, type StepRunner } from './calls';
import { forEachBounded } from './concurrency';
import type { Action, ResourceType, Step } from './model';

export interface ApplyOptions {
  /**
   * Actions of one kind that run at once. IAM's mutating APIs are rate-limited per account; a call waiting
   * out its backoff keeps its slot, so this bounds pressure rather than tuning throughput.
   * @default 8
   */
  readonly concurrency?: number;
  /** When aborted, no further step starts; unstarted steps stay `planned` and the report shows them. */
  readonly signal?: AbortSignal;
  /**
   * Epoch milliseconds after which no later pass starts (the Lambda's own time limit, less the time to answer).
   * @default none: the passes run out first (MAX_PASSES, about three and a half minutes of pauses)
   */
  readonly deadline?: number;
  /** @default runStep: the engine's own calls, in the run's region */
  readonly runStep?: StepRunner;
}

/** Errors that mean the thing a step removes is already gone. */
const ALREADY_GONE = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  'ResourceNotFoundException',
  'NoSuchConfigRuleException',
  'NoSuchRemediationConfigurationException',
  'NoSuchConfigurationRecorderException',
  'NoSuchDeliveryChannelException',
  'TrailNotFoundException',
  'NoSuchBucket',
]);

/** Passes over the actions of one kind, the first included; pauses between them double from 1 s to 30 s. */
export const MAX_PASSES = 12;
const FIRST_PAUSE_MS = 1_000;
const MAX_PAUSE_MS = 30_000;

/**
 * IAM is eventually consistent: "changes ... take time to become visible", and a delete right after the detaches
 * that allow it can still answer DeleteConflict (IAM User Guide, Troubleshooting IAM, "Changes that I make are not
 * always immediately visible"). These final deletes get later passes for that long after their first conflict
 * when every earlier step of the action succeeded; a conflict that outlasts it is real (something new holds them).
 */
const FINAL_DELETES = new Set(['DeleteRole', 'DeletePolicy', 'DeleteUser', 'DeleteGroup']);
export const IAM_PROPAGATION_MS = 120_000;

/** A service that was busy or failed, or an answer that never came: the same call may succeed later. */
const TRANSIENT_NAMES = /^(Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|Service(Unavailable|Failure)|Internal|(Request)?Timeout|ConcurrentModification)/;
const NETWORK_CODES = /^E(CONNRESET|CONNREFUSED|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH|AI_AGAIN)$/;

export function isTransient(error: unknown): boolean {
  const e = error as { code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return TRANSIENT_NAMES.test(errorName(error)) || NETWORK_CODES.test(e?.code ?? '') || (e?.$metadata?.httpStatusCode ?? 0) >= 500;
}

interface Pass {
  readonly clients: AwsClients;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  readonly deadline: number;
  /** When each action's final delete first answered DeleteConflict. */
  readonly conflictSince: Map<Action, number>;
  readonly actions: readonly Action[];
  readonly runStep: StepRunner;
}

/** Runs every planned action in place, recording each step's and action's outcome on it. */
export async function applyActions(
  actions: readonly Action[],
  kindOrder: readonly ResourceType[],
  clients: AwsClients,
  options: ApplyOptions = {},
): Promise<void> {
  const pass: Pass = {
    clients,
    concurrency: Math.max(1, options.concurrency ?? 8),
    signal: options.signal,
    deadline: options.deadline ?? Infinity,
    conflictSince: new Map(),
    actions,
    runStep: options.runStep ?? runStep,
  };
  // The provider's automation goes first and alone: while it runs it can re-attach what the rest removes.
  for (const action of actions.filter((a) => a.runsFirst && a.status === 'planned')) await runInPasses([action], { ...pass, concurrency: 1 });
  for (const type of kindOrder) {
    await runInPasses(actions.filter((action) => action.resource === type && action.status === 'planned'), pass);
  }
}

/** Runs the actions, then again those a later pass may fix, after a pause, until none is left or time is up. */
async function runInPasses(due: Action[], pass: Pass): Promise<void> {
  for (let round = 0; due.length; round++) {
    const again: Action[] = [];
    await forEachBounded(due, pass.concurrency, async (action) => {
      if (await runAction(action, pass, round)) again.push(action);
    });
    const pause = Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** round);
    const stop = round + 1 >= MAX_PASSES || Date.now() + pause > pass.deadline;
    if (!again.length || pass.signal?.aborted || stop) {
      for (const action of again) if (stop) action.error += ` (${round + 1} passes, no time for more)`;
      return;
    }
    // An abort (the Lambda's time is up) ends the pause, and the passes.
    if (await sleep(pause, undefined, { signal: pass.signal }).then(() => pass.signal?.aborted, () => true)) return;
    for (const action of again) reopen(action);
    due = again;
  }
}

/** Runs the action's steps not done yet; true when it failed in a way a later pass may get past. */
async function runAction(action: Action, pass: Pass, round: number): Promise<boolean> {
  for (const step of action.steps) {
    if (step.status === 'done') continue;
    if (pass.signal?.aborted) return false;
    try {
      const note = await pass.runStep(pass.clients, step);
      step.status = 'done';
      if (note) step.note = note;
      else if (round > 0) step.note = `done on pass ${round + 1}`;
    } catch (error) {
      if (ALREADY_GONE.has(errorName(error))) {
        step.status = 'done';
        step.note = 'already gone';
        continue;
      }
      step.status = 'failed';
      step.error = /AccessDenied|UnauthorizedOperation/.test(errorName(error))
        ? `${deniedBy(describeError(error))}: ${step.service}:${step.call} ${describeInput(step.input)}: ${describeError(error)}`
        : describeError(error);
      action.status = 'failed';
      action.error = `${step.call} failed: ${step.error}; ${action.steps.filter((s) => s.status === 'planned').length} later step(s) not run`;
      return isTransient(error) || stillPropagating(error, step, action, pass);
    }
  }
  action.status = 'done';
  return false;
}

/**
 * A final delete's DeleteConflict right after its action's own detaches, within IAM's propagation time. Every
 * earlier step of the action succeeded: steps run in order and an action stops at its first failure.
 */
function stillPropagating(error: unknown, step: Step, action: Action, pass: Pass): boolean {
  if (!/^DeleteConflict/.test(errorName(error)) || !FINAL_DELETES.has(step.call)) return false;
  // A policy still held by a principal whose own action failed before detaching it: the conflict is real.
  const arn = step.input.PolicyArn;
  if (arn && pass.actions.some((a) => a.status === 'failed' && a !== action && a.steps.some((s) => s.status !== 'done' && s.input.PolicyArn === arn))) return false;
  const since = pass.conflictSince.get(action) ?? Date.now();
  pass.conflictSince.set(action, since);
  return Date.now() - since < IAM_PROPAGATION_MS;
}

/** Back to planned from its failed step on, for the next pass. */
function reopen(action: Action): void {
  action.status = 'planned';
  delete action.error;
  for (const step of action.steps) {
    if (step.status !== 'failed') continue;
    step.status = 'planned';
    delete step.error;
  }
}

/**
 * Which policy type denied a call, as AWS's message says it ("... with an explicit deny in a service control policy",
 * "... because no identity-based policy allows the ... action": IAM User Guide, "Troubleshoot access denied error
 * messages"); a message that names none (older services, another wording) keeps the two usual suspects as a guess.
 */
export function deniedBy(message: string): string {
  const found = /(with an explicit deny in an?|because no) [\w -]+?(policy|boundary)( allows)?/.exec(message);
  return found ? `denied ${found[0]}` : 'denied (service control policy or permissions boundary?)';
}

/** `RoleName=CTLX, PolicyArn=arn:...`: what a denied call was about, for the person who must allow it. */
function describeInput(input: Readonly<Record<string, unknown>>): string {
  return Object.entries(input).map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`).join(', ');
}

export function describeError(error: unknown): string {
  const name = errorName(error);
  const message = (error as Error)?.message ?? String(error);
  // A plain Error's name says nothing; an AWS error's name is its code.
  return name === 'Error' || message.startsWith(name) ? message : `${name}: ${message}`;
}
