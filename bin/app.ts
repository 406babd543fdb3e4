#!/usr/bin/env node
/** The CDK app: `cdk synth` / `cdk deploy` the departure stack with settings from context. */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lambda/engine/config';
import { existsSync, readFileSync } from 'node:fs';
import { checkCdkJson, checkContextKeys, parseContextJson, readSettings } from '../lib/context';
import { DepartureStack } from '../lib/departure-stack';
import { addChecks } from './checks';
import { synthesizeCleanup } from '../lib/cleanup-template';
import { addRollout, readRollout, type RolloutStack } from '../lib/rollout';
import { checkCleanupSize, checkRolloutSize, checkSweepSize } from '../lib/template-size';
import { readSweep, SweepStack } from '../lib/sweep-stack';

const app = new App();
addChecks(app);
try {
  // The CDK CLI runs the app in the project's folder, where it read cdk.json.
  if (existsSync('cdk.json')) checkCdkJson(readFileSync('cdk.json', 'utf8'));
  checkContextKeys(Object.keys(app.node.getAllContext()));
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const cleanupStack = new DepartureStack(app, settings.stackName, { settings });
  // With rollout context, the management account's stacks roll the same template out as StackSets.
  const rolloutContext = app.node.tryGetContext('rollout');
  let rolloutStacks: RolloutStack[] = [];
  if (rolloutContext !== undefined) {
    const rollout = readRollout(typeof rolloutContext === 'string' ? parseContextJson('rollout', rolloutContext, '{"organizationalUnitIds":["ou-abcd-12345678"]}') : rolloutContext);
    const cleanup = synthesizeCleanup(settings, addChecks);
    rolloutStacks = addRollout(app, `${settings.stackName}Rollout`, {
      rollout,
      templateBody: JSON.stringify(cleanup.template),
      parameters: cleanup.template.Parameters ?? {},
    });
  }
  // With sweep context, the optional sweep stack (resource policies and shares), deployed on its own.
  const sweepContext = app.node.tryGetContext('sweep');
  const sweepStack = sweepContext === undefined ? undefined : new SweepStack(app, `${settings.stackName}Sweep`, { settings, sweep: readSweep(sweepContext) });
  const assembly = app.synth();
  // The template body carries the whole cleanup template: refuse what cdk deploy could not send without bootstrap.
  checkCleanupSize(cleanupStack.stackName, assembly.getStackByName(cleanupStack.stackName).template);
  if (sweepStack) checkSweepSize(sweepStack.stackName, assembly.getStackByName(sweepStack.stackName).template);
  for (const stack of rolloutStacks) checkRolloutSize(stack.stackName, assembly.getStackByName(stack.stackName).template);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`ctl-departure: context ${error.message.replace(/^config /, '')}\n`);
  // Bad input is a usage error: exit 2, as the CLI does.
  process.exit(2);
}
