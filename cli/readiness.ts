/**
 * `ctl-departure readiness`: the readiness checks of one account (a fresh plan, which also reads the checks), as a
 * table with what to do, or as JSON `{ accountId, checks }`. The engine's details are facts; the advice is here.
 */
import type { DepartureReport } from '../lambda/engine/report';
import type { ReadinessCheck } from '../lambda/engine/readiness';

/** What to do, by `id:status` (or `id` for every status but ok). */
const ADVICE: Readonly<Record<string, string>> = {
  'root-mfa:attention': 'the provider removes root MFA when it hands the root account over: sign in as root and set MFA up again',
  'root-access-keys:attention': 'sign in as root and delete the root access keys',
  'alternate-contact:attention': 'set your own contact (Account > Alternate contacts); the provider must not get AWS notices for this account',
  'contact-information:attention': 'update the account contact information (Account > Contact information): a standalone account needs it verified',
  'organization:attention': 'leave it (ctl-departure leave-organization) or have its management account remove this account; list your own organization in allowedOrganizations',
  'pending-invitations:attention': 'an invitation from an organization not in allowedOrganizations: decline it unless it is yours',
  'pending-invitations:ok': 'accept yours after leaving: ctl-departure leave-organization --accept-invitation ID',
  'payment-method:manual': 'leaving an organization needs a valid payment method: check Billing > Payment preferences as root',
  'provider-access:attention': 'review the plan, then ctl-departure apply (or the stack with Mode=apply)',
  unknown: 'could not read: allow the read named, or check by hand',
};

export function adviceFor(check: ReadinessCheck): string | undefined {
  const family = check.id.replace(/-(billing|operations|security)$/, '');
  if (check.status === 'unknown') return ADVICE.unknown;
  return ADVICE[`${family}:${check.status}`];
}

/** Something needs attention: what `readiness` exits 1 on. */
export const needsAttention = (checks: readonly ReadinessCheck[]) => checks.some((check) => check.status === 'attention');

/** One check per line: status, id, detail, and what to do. */
export function formatReadiness(checks: readonly ReadinessCheck[]): string {
  const width = Math.max(...checks.map((check) => check.id.length));
  return checks
    .map((check) => {
      const advice = adviceFor(check);
      return `${check.status.padEnd(9)} ${check.id.padEnd(width)}  ${check.detail}${advice && check.status !== 'ok' ? ` -> ${advice}` : ''}`;
    })
    .join('\n');
}

/** The readiness command's output and exit code from a fresh plan's report. */
export function readinessOutput(report: DepartureReport, json: boolean): { text: string; code: number } {
  const checks = report.readiness ?? [];
  const text = json ? JSON.stringify({ accountId: report.accountId, checks }, null, 2) : `readiness of account ${report.accountId}\n${formatReadiness(checks)}`;
  return { text, code: needsAttention(checks) ? 1 : 0 };
}

/** Checks other than ok, per account, for the combined report ("-" when a report carries none). */
export function readinessCell(report: DepartureReport | undefined): string {
  if (!report?.readiness) return '-';
  const open = report.readiness.filter((check) => check.status === 'attention' || check.status === 'unknown');
  return open.length ? open.map((check) => `${check.id}${check.status === 'unknown' ? '?' : ''}`).join(' ') : 'ok';
}

/** Every account's checks that are not ok, one per line, below the combined table. */
export function readinessSection(reports: readonly (DepartureReport | undefined)[]): string {
  const lines = reports.flatMap((report) =>
    (report?.readiness ?? []).filter((check) => check.status !== 'ok').map((check) => `${report!.accountId}  ${check.status.padEnd(9)} ${check.id}: ${check.detail}`),
  );
  return lines.length ? `\nreadiness (all but ok):\n${lines.join('\n')}` : '';
}
