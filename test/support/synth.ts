/** Synthesizes the app the way `cdk synth` does, from context, for assertions on the real template. */
import { App } from 'aws-cdk-lib';
import { addChecks } from '../../bin/checks';
import { readSettings } from '../../lib/context';
import { DepartureStack } from '../../lib/departure-stack';

export function synthDepartureStack(context: Record<string, unknown> = {}) {
  const app = new App({ context });
  addChecks(app);
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const stack = new DepartureStack(app, settings.stackName, { settings });
  const assembly = app.synth();
  return { app, stack, assembly, artifact: assembly.getStackByName(stack.stackName) };
}
