/**
 * Reviewed plans: `plan --out FILE` saves the plan's report with what apply checks it against, and
 * `apply --plan FILE` applies only while the account still yields the same actions (Terraform's `plan -out`).
 * Everything here runs in the CLI: the Lambda's engine carries none of it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { DepartureConfig } from '../lambda/engine/config';
import type { Action } from '../lambda/engine/model';
import type { DepartureReport } from '../lambda/engine/report';
import { printable } from './format';

const FORMAT = 'ctl-departure-plan/1';

export interface PlanFile {
  readonly format: typeof FORMAT;
  /** The engine that planned: the package version and a hash of the engine code this CLI runs. */
  readonly engine: string;
  /** A hash of the resolved config the plan was made with. */
  readonly config: string;
  readonly report: DepartureReport;
}

/** Refused before any AWS call, or (drift, another account) before any mutating call; exit 2. */
export class PlanRefused extends Error {
  constructor(message: string, readonly details: readonly string[] = []) {
    super(message);
    this.name = 'PlanRefused';
  }
}

let engineVersionMemo: string | undefined;

/** The package version plus a hash of every engine source file next to this CLI (compiled .js, or .ts under ts-node/jest). */
export function engineVersion(): string {
  if (engineVersionMemo) return engineVersionMemo;
  const root = path.join(__dirname, '..', 'lambda');
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(js|ts)$/.test(name) && !name.endsWith('.d.ts')) hash.update(`${path.relative(root, file)}\0`).update(readFileSync(file)).update('\0');
    }
  };
  walk(root);
  // cli/ under ts-jest, dist/cli/ once compiled.
  const manifest = [path.join(__dirname, '..', 'package.json'), path.join(__dirname, '..', '..', 'package.json')].find((file) => existsSync(file))!;
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return (engineVersionMemo = `${version}+${hash.digest('hex').slice(0, 16)}`);
}

export function configHash(config: DepartureConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

export function planFile(report: DepartureReport, config: DepartureConfig): PlanFile {
  return { format: FORMAT, engine: engineVersion(), config: configHash(config), report };
}

/** Reads a plan file and refuses, in one line, one that is not a plan of this engine and config. */
export function readPlanFile(file: string, config: DepartureConfig): PlanFile {
  let parsed: Partial<PlanFile>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PlanRefused(`--plan ${file}: cannot read a plan file (${reason}); make one with ctl-departure plan --out ${file}`);
  }
  if (parsed?.format !== FORMAT || typeof parsed.report?.accountId !== 'string' || !Array.isArray(parsed.report.actions) || parsed.report.mode !== 'plan') {
    throw new PlanRefused(`--plan ${file}: not a plan file of ctl-departure (format ${FORMAT}); make one with ctl-departure plan --out ${file}`);
  }
  if (parsed.engine !== engineVersion()) {
    throw new PlanRefused(`--plan ${file}: made by engine ${printable(String(parsed.engine))}, this is ${engineVersion()}; plan again with this version`);
  }
  if (parsed.config !== configHash(config)) {
    throw new PlanRefused(`--plan ${file}: made with another config than this one; apply with the plan's --config, or plan again`);
  }
  return parsed as PlanFile;
}

/**
 * What identifies an action between two plans (a regional resource's region too: a Config recorder has no ARN, and each
 * region may have its `default`), and what apply would do with it, in which region.
 */
const keyOf = (a: Action) => `${a.resource} ${a.arn || a.name}${a.region ? ` (${a.region})` : ''}`;
const doing = (a: Action) => JSON.stringify([a.action, a.runsFirst ?? false, a.steps.map((s) => [s.service, s.call, s.input, s.region])]);

/**
 * The actions added, removed and changed since `reviewed`, one line each; empty when apply would do what was reviewed.
 * Skipped resources (a customer's role created since) are no drift unless they were or became something else.
 */
export function planDrift(reviewed: readonly Action[], now: readonly Action[]): string[] {
  const before = new Map(reviewed.map((a) => [keyOf(a), a]));
  const after = new Map(now.map((a) => [keyOf(a), a]));
  const counts = (a: Action | undefined) => a !== undefined && a.action !== 'skip';
  const lines: string[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    if (!counts(b) && !counts(a)) continue;
    if (!b) lines.push(`+ ${a!.action} ${key} (${a!.steps.length} steps)`);
    else if (!a) lines.push(`- ${b.action} ${key}`);
    else if (b.action !== a.action) lines.push(`~ ${key}: ${b.action} -> ${a.action}`);
    else if (doing(a) !== doing(b)) lines.push(`~ ${a.action} ${key}: its steps changed (${b.steps.map((s) => s.call).join(', ') || 'none'} -> ${a.steps.map((s) => s.call).join(', ') || 'none'})`);
  }
  return lines.map(printable);
}

/** The check apply runs between planning and its first change: the account and the actions must be the reviewed ones. */
export function checkAgainst(reviewed: DepartureReport, source: string) {
  return (actions: readonly Action[], accountId: string): void => {
    if (accountId !== reviewed.accountId) throw new PlanRefused(`${source} is a plan of account ${reviewed.accountId}, not of ${accountId}; nothing changed`);
    const drift = planDrift(reviewed.actions, actions);
    if (drift.length) throw new PlanRefused(`account ${accountId} changed since ${source} (${drift.length} actions differ); nothing changed: review a new plan`, drift);
  };
}
