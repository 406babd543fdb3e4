/** Report: one JSON shape for plan and apply, read by people, the CLI table, the stack outputs and CI. */
import type { OrganizationStatus } from './inventory';
import type { Action, Decision, Status } from './model';
import type { ReadinessCheck } from './readiness';

export type Mode = 'plan' | 'apply';

export interface ReportSummary {
  /** Actions by decision. */
  readonly delete: number;
  readonly preserve: number;
  readonly skip: number;
  readonly flag: number;
  /** Actions by status. */
  readonly planned: number;
  readonly done: number;
  readonly failed: number;
  readonly skipped: number;
  /** API calls in the plan, and how many of them ran. */
  readonly steps: number;
  readonly stepsDone: number;
}

export interface DepartureReport {
  readonly tool: 'ctl-departure';
  readonly accountId: string;
  readonly mode: Mode;
  /** The identity the run used. */
  readonly caller: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Where the account stands in AWS Organizations when the run started. */
  readonly organization: OrganizationStatus;
  /** What a reviewer should know before applying, e.g. that service control policies may deny deletions. */
  readonly warnings: readonly string[];
  readonly actions: readonly Action[];
  readonly summary: ReportSummary;
  /** What the rest of the departure needs (root user, contacts, organization, invitations, ...): absent from early answers. */
  readonly readiness?: readonly ReadinessCheck[];
}

const DECISIONS: readonly Decision[] = ['delete', 'preserve', 'skip', 'flag'];
const STATUSES: readonly Status[] = ['planned', 'done', 'failed', 'skipped'];

export function summarize(actions: readonly Action[]): ReportSummary {
  const count = <K extends string>(keys: readonly K[], of: (action: Action) => K) =>
    Object.fromEntries(keys.map((key) => [key, actions.filter((action) => of(action) === key).length])) as Record<K, number>;
  const steps = actions.flatMap((action) => action.steps);
  return {
    ...count(DECISIONS, (action) => action.action),
    ...count(STATUSES, (action) => action.status),
    steps: steps.length,
    stepsDone: steps.filter((s) => s.status === 'done').length,
  };
}

/** True when every action that had to run succeeded. */
export function succeeded(report: DepartureReport): boolean {
  return report.summary.failed === 0;
}
