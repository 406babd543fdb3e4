#!/usr/bin/env node
/** The CDK app: `cdk synth` / `cdk deploy` the departure stack with settings from context. */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lambda/engine/config';
import { readSettings } from '../lib/context';
import { DepartureStack } from '../lib/departure-stack';
import { addChecks } from './checks';

const app = new App();
addChecks(app);
try {
  const settings = readSettings((key) => app.node.tryGetContext(key));
  new DepartureStack(app, settings.stackName, { settings });
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`ctl-departure: context ${error.message.replace(/^config /, '')}\n`);
  process.exit(1);
}
