/**
 * Progress of a long run on stderr, so stdout stays the report: one updating line on a terminal, a line every
 * few seconds otherwise. It reads the planned actions, whose steps apply marks done or failed in place.
 */
import type { Action } from '../lambda/engine/model';

export interface ProgressSink {
  readonly isTTY: boolean;
  readonly write: (text: string) => void;
  /** How often a line is shown. @default 500 ms on a terminal, 5 s otherwise */
  readonly everyMs?: number;
  /** Nothing is shown for runs shorter than this. @default everyMs */
  readonly afterMs?: number;
}

export const stderrProgress = (): ProgressSink => ({ isTTY: Boolean(process.stderr.isTTY), write: (text) => process.stderr.write(text) });

const seconds = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)}s` : `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`);

export class Progress {
  private readonly started = Date.now();
  private applyStarted = 0;
  private actions: readonly Action[] | undefined;
  private shown = false;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly sink: ProgressSink) {
    const every = sink.everyMs ?? (sink.isTTY ? 500 : 5000);
    const after = sink.afterMs ?? every;
    this.timer = setInterval(() => {
      if (Date.now() - this.started >= after) this.show();
    }, every);
    this.timer.unref();
  }

  /** The run planned these actions; from now on, apply's progress over their steps. */
  applying(actions: readonly Action[]): void {
    this.actions = actions;
    this.applyStarted = Date.now();
  }

  /** Ends the updating line with the last figures, if any line was shown. */
  stop(): void {
    clearInterval(this.timer);
    if (this.shown && !this.stopped) this.show(true);
    this.stopped = true;
  }

  line(): string {
    const elapsed = Date.now() - this.started;
    if (!this.actions) return `discovering: ${seconds(elapsed)}`;
    const steps = this.actions.flatMap((a) => a.steps);
    const done = steps.filter((s) => s.status === 'done').length;
    const failed = this.actions.filter((a) => a.status === 'failed').length;
    const finished = done + steps.filter((s) => s.status === 'failed').length;
    const rate = finished / Math.max(1, (Date.now() - this.applyStarted) / 1000);
    const left = finished < steps.length && rate > 0 ? `, ~${seconds(((steps.length - finished) / rate) * 1000)} left` : '';
    return `applying: ${done}/${steps.length} steps done, ${failed} actions failed, ${rate.toFixed(1)} steps/s${left} (${seconds(elapsed)})`;
  }

  private show(last = false): void {
    this.shown = true;
    const text = this.line();
    if (this.sink.isTTY) this.sink.write(`\r\x1b[2K${text}${last ? '\n' : ''}`);
    else this.sink.write(`${text}\n`);
  }
}
