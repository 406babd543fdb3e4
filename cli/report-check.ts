/**
 * Checks one stored report before `ctl-departure report` counts it. A report is written by a member account's
 * cleanup role into the reports bucket (or copied into a folder), so what is read is input, not trusted output:
 * it must have the shape the engine writes, its summary must be the count of its actions, and it must be stored
 * under its own account id (`reports/<accountId>.json`, `<accountId>.json`), which the bucket policy enforces for
 * writers and this check enforces for readers (a folder has no policy; an older bucket may have had a looser one).
 */
import type { Decision, Status } from '../lambda/engine/model';
import { summarize, type DepartureReport } from '../lambda/engine/report';

const DECISIONS: readonly Decision[] = ['delete', 'preserve', 'skip', 'flag'];
const STATUSES: readonly Status[] = ['planned', 'done', 'failed', 'skipped'];
const ORGANIZATION_STATUSES = ['standalone', 'member', 'unknown'];
const READINESS_STATUSES = ['ok', 'attention', 'unknown', 'manual'];
const ACCOUNT = /^\d{12}$/;

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first way `value` is not a well-formed action, as "field: problem". */
function actionProblem(value: unknown, at: string): string | undefined {
  if (!isObject(value)) return `${at}: not an object`;
  for (const key of ['resource', 'name', 'arn', 'reason']) if (typeof value[key] !== 'string') return `${at}.${key}: not a string`;
  if (!DECISIONS.includes(value.action as Decision)) return `${at}.action: ${JSON.stringify(value.action)} is not one of ${DECISIONS.join(', ')}`;
  if (!STATUSES.includes(value.status as Status)) return `${at}.status: ${JSON.stringify(value.status)} is not one of ${STATUSES.join(', ')}`;
  if (!Array.isArray(value.steps)) return `${at}.steps: not a list`;
  const step = value.steps.findIndex((s: unknown) => !isObject(s) || typeof s.call !== 'string' || !STATUSES.includes(s.status as Status));
  return step >= 0 ? `${at}.steps[${step}]: not a step (call and status)` : undefined;
}

/**
 * Why `value`, read from a file or key named `name`, cannot be counted as the report of account `expectedAccount`
 * (the account id its name carries); undefined when it can.
 */
export function reportProblem(value: unknown, name: string, expectedAccount: string): string | undefined {
  if (!isObject(value) || value.tool !== 'ctl-departure') return 'not a ctl-departure report';
  if (typeof value.accountId !== 'string' || !ACCOUNT.test(value.accountId)) return `accountId: ${JSON.stringify(value.accountId)} is not a 12-digit account id`;
  if (!ACCOUNT.test(expectedAccount)) return `named ${name}: a report is stored as <its accountId>.json (${value.accountId}.json)`;
  if (value.accountId !== expectedAccount) return `accountId ${value.accountId} is not the account its name says (${expectedAccount}): a report counts only under its own account id`;
  if (value.mode !== 'plan' && value.mode !== 'apply') return `mode: ${JSON.stringify(value.mode)} is not plan or apply`;
  for (const key of ['caller', 'startedAt', 'finishedAt']) if (typeof value[key] !== 'string') return `${key}: not a string`;
  if (!isObject(value.organization) || !ORGANIZATION_STATUSES.includes(value.organization.status as string)) return 'organization: not an organization status';
  if (!Array.isArray(value.warnings) || value.warnings.some((w) => typeof w !== 'string')) return 'warnings: not a list of strings';
  if (!Array.isArray(value.actions)) return 'actions: not a list';
  for (const [i, action] of value.actions.entries()) {
    const problem = actionProblem(action, `actions[${i}]`);
    if (problem) return problem;
  }
  if (value.readiness !== undefined) {
    const bad = Array.isArray(value.readiness) ? value.readiness.findIndex((c) => !isObject(c) || typeof c.id !== 'string' || typeof c.detail !== 'string' || !READINESS_STATUSES.includes(c.status as string)) : 0;
    if (bad >= 0) return `readiness${Array.isArray(value.readiness) ? `[${bad}]` : ''}: not a readiness check (id, status ${READINESS_STATUSES.join('|')}, detail)`;
  }
  // The summary is what the table counts: it must be the count of the actions, as the engine writes it.
  const expected = summarize((value as unknown as DepartureReport).actions) as unknown as Fields;
  if (!isObject(value.summary)) return 'summary: not an object';
  const wrong = Object.keys(expected).find((key) => value.summary && (value.summary as Fields)[key] !== expected[key]);
  return wrong ? `summary.${wrong}: ${JSON.stringify((value.summary as Fields)[wrong])} does not count its actions (${expected[wrong]})` : undefined;
}
