/** The readable form of a report: actions grouped by decision, each with its reason and planned calls. */
import type { Backup } from '../lambda/engine/backup';
import type { Action, Decision, Evidence, Step } from '../lambda/engine/model';
import type { DepartureReport } from '../lambda/engine/report';

const ORDER: readonly Decision[] = ['delete', 'preserve', 'flag', 'skip'];
const STATUS_MARK = { planned: '·', done: '✓', failed: '✗', skipped: '-' } as const;

/**
 * Text that cannot drive a terminal: control characters (C0, DEL, C1, so every ANSI escape sequence) and the
 * invisible marks that reorder text (bidi overrides and isolates) are shown as `\u001b`. Names, tags, descriptions
 * and AWS messages are the provider's or anyone's to write; escaped, two different names still look different.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A step's input value as a reader wants it: ARNs shortened (`arn:aws:iam::123:policy/CTLX` → `policy/CTLX`), lists
 * of names joined by commas, objects (S3 configurations, tag sets) as `{Key: value, ...}`.
 */
function shortValue(value: unknown): string {
  if (Array.isArray(value)) return value.some((v) => typeof v === 'object' && v !== null) ? `[${value.map(shortValue).join(', ')}]` : value.map(shortValue).join(',');
  if (typeof value === 'object' && value !== null) return `{${Object.entries(value).map(([key, v]) => `${key}: ${shortValue(v)}`).join(', ')}}`;
  return String(value).replace(/^arn:[^:]+:iam::[^:]*:/, '');
}

export function formatStep(planned: Step): string {
  const args = Object.values(planned.input).map(shortValue).join(' ');
  const outcome = planned.error ? `  ✗ ${planned.error}` : planned.note ? `  (${planned.note})` : '';
  return printable(`${STATUS_MARK[planned.status]} ${planned.call} ${args}${outcome}`);
}

/** `2026-11-22 in us-east-1` of an ISO date and a region (either may be missing). */
const usedAt = (date?: string, region?: string) => `${date ? date.slice(0, 10) : 'never'}${region ? ` in ${region}` : ''}`;

/** What AWS says of a principal's use, one line each: the role's last use, each access key's. */
export function formatEvidence(evidence: Evidence): string[] {
  const lines: string[] = [];
  if (evidence.lastUsed) lines.push(`last used ${usedAt(evidence.lastUsed, evidence.region)}`);
  for (const key of evidence.accessKeys ?? []) {
    lines.push(`access key ${key.id} last used ${usedAt(key.lastUsed, key.region)}${key.service ? ` (${key.service})` : ''}`);
  }
  if (evidence.recentUse) lines.push(`used ${evidence.recentUse}: review before apply`);
  return lines.map(printable);
}

/** The name a reader looks for: a regional resource's with its region (`default (eu-west-1)`: each region has one). */
const label = (action: Action) => (action.region ? `${action.name} (${action.region})` : action.name);

/** A backup in one line: its lists counted (`Tags 2, InlinePolicies 1`); the JSON report (--json, --report) has it whole. */
export function backupSummary(backup: Backup): string {
  const lists = Object.entries(backup).flatMap(([key, value]) => (Array.isArray(value) && value.length ? [`${key} ${value.length}`] : []));
  return `recorded${'deleted' in backup && backup.deleted ? ' (the bucket; no object is in a backup)' : ''}${lists.length ? `: ${lists.join(', ')}` : ''}`;
}

/** Skips that only say "not the provider's" are counted, not listed, so the review shows what matters. */
const isRoutineSkip = (action: Action) => action.action === 'skip' && /^not a provider /.test(action.reason);

export function formatReport(report: DepartureReport): string {
  const lines: string[] = [];
  const title = report.mode === 'plan' ? 'Plan' : 'Apply';
  lines.push(printable(`${title} for account ${report.accountId} (as ${report.caller})`));
  for (const warning of report.warnings) lines.push(`WARNING: ${printable(warning)}`);
  lines.push('');
  const width = Math.max(10, ...report.actions.filter((a) => !isRoutineSkip(a)).map((a) => printable(label(a)).length));
  for (const decision of ORDER) {
    const group = report.actions.filter((action) => action.action === decision);
    if (!group.length) continue;
    lines.push(`${decision.toUpperCase()} (${group.length})`);
    for (const action of group.filter((a) => !isRoutineSkip(a))) {
      const status = report.mode === 'apply' && action.status !== 'skipped' ? ` [${action.status}]` : '';
      lines.push(`  ${action.resource.padEnd(10)} ${printable(label(action)).padEnd(width)}  ${printable(action.reason)}${status}`);
      for (const line of action.evidence ? formatEvidence(action.evidence) : []) lines.push(`      ${line}`);
      for (const planned of action.steps) lines.push(`      ${formatStep(planned)}`);
      if (action.backup) lines.push(`      backup: ${printable(backupSummary(action.backup))}`);
      if (action.error) lines.push(`      error: ${printable(action.error)}`);
    }
    const routine = group.filter(isRoutineSkip).length;
    if (routine) lines.push(`  ${routine} other resource(s): not the provider's`);
    lines.push('');
  }
  const s = report.summary;
  lines.push(
    `Summary: ${s.delete} delete, ${s.preserve} preserve, ${s.flag} flag, ${s.skip} skip; ` +
      (report.mode === 'plan'
        ? `${s.steps} API call(s) planned. Nothing was changed: run \`ctl-departure apply\` to carry out this plan.`
        : `${s.done} done, ${s.failed} failed; ${s.stepsDone} of ${s.steps} API call(s) made.`),
  );
  return lines.join('\n');
}
