/** The cleanup stack's synthesized template, for the rollout's StackSet and for rehearsals. */
import { App } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AppSettings } from './context';
import { DepartureStack } from './departure-stack';

export interface CleanupTemplate {
  /** The template file as `cdk synth` writes it. */
  readonly text: string;
  readonly template: {
    readonly Parameters?: Record<string, { Default?: string; Description?: string; AllowedValues?: string[] }>;
    readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
}

/** Synthesizes the cleanup stack alone, in an app of its own, with the given settings. */
export function synthesizeCleanup(settings: AppSettings, addChecks: (app: App) => void): CleanupTemplate {
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'ctl-departure-cleanup-')) });
  addChecks(app);
  const stack = new DepartureStack(app, settings.stackName, { settings });
  const artifact = app.synth().getStackByName(stack.stackName);
  const text = readFileSync(path.join(artifact.assembly.directory, artifact.templateFile), 'utf8');
  return { text, template: JSON.parse(text) };
}
