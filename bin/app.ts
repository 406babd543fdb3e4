#!/usr/bin/env node
/** The CDK app: `cdk synth` / `cdk deploy` the departure stack with settings from context. */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lambda/engine/config';
import { readSettings } from '../lib/context';
import { DepartureStack } from '../lib/departure-stack';
import { addChecks } from './checks';
import { synthesizeCleanup } from '../lib/cleanup-template';
import { readRollout, RolloutStack } from '../lib/rollout';

const app = new App();
addChecks(app);
try {
  const settings = readSettings((key) => app.node.tryGetContext(key));
  new DepartureStack(app, settings.stackName, { settings });
  // With rollout context, a second stack for the management account rolls the same template out as a StackSet.
  const rolloutContext = app.node.tryGetContext('rollout');
  if (rolloutContext !== undefined) {
    const rollout = readRollout(typeof rolloutContext === 'string' ? JSON.parse(rolloutContext) : rolloutContext);
    const cleanup = synthesizeCleanup(settings, addChecks);
    new RolloutStack(app, `${settings.stackName}Rollout`, {
      rollout,
      templateBody: JSON.stringify(cleanup.template),
      parameters: cleanup.template.Parameters ?? {},
    });
  }
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`ctl-departure: context ${error.message.replace(/^config /, '')}\n`);
  process.exit(1);
}
