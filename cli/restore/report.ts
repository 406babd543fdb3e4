/** What `ctl-departure restore` prints and writes: one JSON shape for the plan and the apply, and its table. */
import { formatStep, printable } from '../format';
import type { Step } from '../../lambda/engine/model';
import { DECISIONS, type RestoreItem } from './model';

export interface RestoreSummary {
  /** Items by decision. */
  readonly restore: number;
  readonly same: number;
  readonly conflict: number;
  readonly needs: number;
  readonly cannot: number;
  /** Items by outcome, once applied. */
  readonly done: number;
  readonly failed: number;
  /** API calls planned, and how many of them ran. */
  readonly steps: number;
  readonly stepsDone: number;
}

export interface RestoreReport {
  readonly tool: 'ctl-departure';
  readonly command: 'restore';
  readonly mode: 'plan' | 'apply';
  readonly accountId: string;
  /** The identity the restore used. */
  readonly caller: string;
  /** The apply report it restores from, and when that apply ran. */
  readonly from: { readonly file: string; readonly startedAt: string; readonly finishedAt: string };
  /** The `--only` names, empty for everything. */
  readonly only: readonly string[];
  readonly items: readonly RestoreItem[];
  readonly summary: RestoreSummary;
}

export function summarizeRestore(items: readonly RestoreItem[]): RestoreSummary {
  const count = (test: (item: RestoreItem) => boolean) => items.filter(test).length;
  const steps = items.flatMap((item) => item.steps);
  return {
    restore: count((i) => i.decision === 'restore'),
    same: count((i) => i.decision === 'same'),
    conflict: count((i) => i.decision === 'conflict'),
    needs: count((i) => i.decision === 'needs'),
    cannot: count((i) => i.decision === 'cannot'),
    done: count((i) => i.status === 'done'),
    failed: count((i) => i.status === 'failed'),
    steps: steps.length,
    stepsDone: steps.filter((s) => s.status === 'done').length,
  };
}

/** Documents are shown by what they are, not spelled out: the JSON report has them whole. */
const SHORT: Readonly<Record<string, (value: unknown) => string>> = {
  AssumeRolePolicyDocument: () => '<trust policy>',
  PolicyDocument: () => '<policy document>',
  SAMLMetadataDocument: () => '<SAML metadata>',
  Policy: () => '<bucket policy>',
  LifecycleConfiguration: (value) => `<${(value as { Rules?: unknown[] }).Rules?.length ?? 0} lifecycle rule(s)>`,
  ServerSideEncryptionConfiguration: () => '<encryption configuration>',
};

function formatRestoreStep(step: Step): string {
  return formatStep({ ...step, input: Object.fromEntries(Object.entries(step.input).map(([key, value]) => [key, SHORT[key]?.(value) ?? value])) });
}

const PHASE_WIDTH = 21;

export function formatRestore(report: RestoreReport): string {
  const lines = [
    printable(`Restore ${report.mode === 'plan' ? 'plan ' : ''}for account ${report.accountId} (as ${report.caller}) from ${report.from.file}, the apply of ${report.from.startedAt}${report.only.length ? `; only ${report.only.join(', ')}` : ''}`),
    '',
  ];
  const width = Math.max(10, ...report.items.filter((i) => i.decision !== 'same').map((i) => printable(i.name).length));
  for (const decision of DECISIONS) {
    const group = report.items.filter((item) => item.decision === decision);
    if (!group.length) continue;
    lines.push(`${decision.toUpperCase()} (${group.length})`);
    for (const item of group) {
      const status = report.mode === 'apply' && item.status !== 'skipped' ? ` [${item.status}]` : '';
      lines.push(`  ${item.phase.padEnd(PHASE_WIDTH)} ${printable(item.name).padEnd(width)}  ${printable(item.reason)}${status}`);
      if (decision === 'same') continue;
      for (const step of item.steps) lines.push(`      ${formatRestoreStep(step)}`);
      for (const note of item.notes) lines.push(`      ${printable(note)}`);
      if (item.error) lines.push(`      error: ${printable(item.error)}`);
    }
    lines.push('');
  }
  const s = report.summary;
  const counts = `${s.restore} to restore, ${s.conflict} conflict(s), ${s.needs} needing what is missing, ${s.cannot} that no API can put back, ${s.same} already there`;
  lines.push(
    report.mode === 'plan'
      ? `Summary: ${counts}; ${s.steps} API call(s) planned. Nothing was changed: run it again with --apply to carry it out.`
      : `Summary: ${counts}; ${s.done} done, ${s.failed} failed; ${s.stepsDone} of ${s.steps} API call(s) made.`,
  );
  return lines.join('\n');
}
