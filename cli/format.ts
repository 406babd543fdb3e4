/** The readable form of a report: actions grouped by decision, each with its reason and planned calls. */
import type { Action, Decision, Step } from '../lambda/engine/model';
import type { DepartureReport } from '../lambda/engine/report';

const ORDER: readonly Decision[] = ['delete', 'preserve', 'flag', 'skip'];
const STATUS_MARK = { planned: '·', done: '✓', failed: '✗', skipped: '-' } as const;

/** ARNs shortened to what a reader needs: `arn:aws:iam::123:policy/CTLX` → `policy/CTLX`. */
function shortValue(value: unknown): string {
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return text.replace(/^arn:[^:]+:iam::[^:]*:/, '');
}

export function formatStep(planned: Step): string {
  const args = Object.values(planned.input).map(shortValue).join(' ');
  const outcome = planned.error ? `  ✗ ${planned.error}` : planned.note ? `  (${planned.note})` : '';
  return `${STATUS_MARK[planned.status]} ${planned.call} ${args}${outcome}`;
}

/** Skips that only say "not the provider's" are counted, not listed, so the review shows what matters. */
const isRoutineSkip = (action: Action) => action.action === 'skip' && /^not a provider /.test(action.reason);

export function formatReport(report: DepartureReport): string {
  const lines: string[] = [];
  const title = report.mode === 'plan' ? 'Plan' : 'Apply';
  lines.push(`${title} for account ${report.accountId} (as ${report.caller})`);
  for (const warning of report.warnings) lines.push(`WARNING: ${warning}`);
  lines.push('');
  const width = Math.max(10, ...report.actions.filter((a) => !isRoutineSkip(a)).map((a) => a.name.length));
  for (const decision of ORDER) {
    const group = report.actions.filter((action) => action.action === decision);
    if (!group.length) continue;
    lines.push(`${decision.toUpperCase()} (${group.length})`);
    for (const action of group.filter((a) => !isRoutineSkip(a))) {
      const status = report.mode === 'apply' && action.status !== 'skipped' ? ` [${action.status}]` : '';
      lines.push(`  ${action.resource.padEnd(10)} ${action.name.padEnd(width)}  ${action.reason}${status}`);
      for (const planned of action.steps) lines.push(`      ${formatStep(planned)}`);
      if (action.error) lines.push(`      error: ${action.error}`);
    }
    const routine = group.filter(isRoutineSkip).length;
    if (routine) lines.push(`  ${routine} other IAM resource(s): not the provider's`);
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
