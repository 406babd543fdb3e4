/** Synthesizes the app the way `cdk synth` does, from context, for assertions on the real template. */
import { App } from 'aws-cdk-lib';
import { addChecks } from '../../bin/checks';
import { readSettings } from '../../lib/context';
import { DepartureStack } from '../../lib/departure-stack';
import { readSweep, SweepStack } from '../../lib/sweep-stack';

export function synthDepartureStack(context: Record<string, unknown> = {}) {
  const app = new App({ context });
  addChecks(app);
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stack = new DepartureStack(app, settings.stackName, { settings });
  const assembly = app.synth();
  return { app, stack, assembly, artifact: assembly.getStackByName(stack.stackName) };
}

/** Synthesizes the app with its sweep stack (`-c sweep=...`), for assertions on the sweep stack's template. */
export function synthSweepStack(sweep: unknown, context: Record<string, unknown> = {}) {
  const app = new App({ context });
  addChecks(app);
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stack = new SweepStack(app, `${settings.stackName}Sweep`, { settings, sweep: readSweep(sweep) });
  const assembly = app.synth();
  return { app, stack, assembly, artifact: assembly.getStackByName(stack.stackName) };
}
