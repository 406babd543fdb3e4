/**
 * Apply: run the planned steps. Kinds go in dependency order (roles before the policies they hold), the
 * actions of one kind run with bounded concurrency, and the steps of one action run in order, stopping at
 * the first failure. A target that is already gone counts as done, so a re-run after a crash finishes the
 * job instead of failing on what the first run removed.
 */
import { errorName, type AwsClients } from './aws';
import { runStep } from './calls';
import { forEachBounded } from './concurrency';
import type { Action, ResourceType } from './model';

export interface ApplyOptions {
  /**
   * Actions of one kind that run at once. IAM's mutating APIs are rate-limited per account; the adaptive
   * retry mode backs off on throttling, so this bounds pressure rather than tuning throughput.
   * @default 8
   */
  readonly concurrency?: number;
  /** When aborted, no further step starts; unstarted steps stay `planned` and the report shows them. */
  readonly signal?: AbortSignal;
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

/** Runs every planned action in place, recording each step's and action's outcome on it. */
export async function applyActions(
  actions: readonly Action[],
  kindOrder: readonly ResourceType[],
  clients: AwsClients,
  options: ApplyOptions = {},
): Promise<void> {
  const concurrency = Math.max(1, options.concurrency ?? 8);
  // The provider's automation goes first and alone: while it runs it can re-attach what the rest removes.
  for (const action of actions.filter((a) => a.runsFirst && a.status === 'planned')) await runAction(action, clients, options.signal);
  for (const type of kindOrder) {
    const due = actions.filter((action) => action.resource === type && action.status === 'planned');
    await forEachBounded(due, concurrency, (action) => runAction(action, clients, options.signal));
  }
}

async function runAction(action: Action, clients: AwsClients, signal?: AbortSignal): Promise<void> {
  for (const step of action.steps) {
    if (signal?.aborted) return;
    try {
      const note = await runStep(clients, step);
      step.status = 'done';
      if (note) step.note = note;
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
      return;
    }
  }
  action.status = 'done';
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
