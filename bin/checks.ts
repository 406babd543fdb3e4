/** Checks every synth runs: cdk-nag's AwsSolutions pack; a finding without an acknowledgement fails synth. */
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export function addChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
