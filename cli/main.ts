/**
 * `ctl-departure`: the engine with the caller's own credentials. This file only maps arguments to engine
 * calls and chooses the output; exit codes: 0 success, 1 an action or AWS call failed, 2 bad usage or config.
 */
import { readFileSync } from 'node:fs';
import { createClients } from '../lambda/engine/aws';
import { ConfigError, CONFIG_KEYS, resolveConfig, type DepartureConfig } from '../lambda/engine/config';
import type { Mode } from '../lambda/engine/report';
import { succeeded } from '../lambda/engine/report';
import { runDeparture } from '../lambda/engine/run';
import { describeError } from '../lambda/engine/apply';
import { PROTECTION_RULES } from '../lambda/protections/builtin';
import { templateEngine } from '../lib/engine-pack';
import { formatReport, printable } from './format';
import { allSucceeded, COMBINED_FORMATS, formatCombined, reportsFromBucket, reportsFromDir, type CombinedFormat } from './combined-report';
import { callerIdentity } from '../lambda/engine/discover';
import { jobStatus } from '../lambda/engine/s3-batch';
import { duplicateKey } from '../lib/json-keys';

const USAGE = `Usage: ctl-departure <command> [options]

Commands:
  plan          show what a departure would change (the default; changes nothing)
  apply         carry out the plan
  protections   list what the engine never touches
  engine-source TEMPLATE
                print the engine code a synthesized cleanup template carries, for review
                (refused unless the function's code is exactly the loader around one engine)
  status --job ID
                progress of an S3 Batch Operations copy job a run started
  report --bucket NAME | --dir DIR [--format table|md|csv|json]
                one table over many accounts' reports

Options:
  --config FILE      JSON config; keys: ${CONFIG_KEYS.join(', ')}
  --json             print only the JSON report on stdout
  --concurrency N    actions run at once while applying (default 8)
  --job ID           the S3 Batch Operations job of status
  -h, --help         this help

Credentials, region and endpoint come from the standard AWS environment and profiles
(AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).`;

/** A mistake in how the command was called; exit code 2. */
export class UsageError extends Error {}

interface Arguments {
  readonly command: Mode | 'protections' | 'engine-source' | 'status' | 'report' | 'help';
  /** Where `report` reads reports, and how it prints them. */
  readonly bucket?: string;
  readonly dir?: string;
  readonly format?: CombinedFormat;
  /** The S3 Batch Operations job of `status`. */
  readonly job?: string;
  /** The template file of `engine-source`. */
  readonly target?: string;
  readonly configFile?: string;
  readonly json: boolean;
  readonly concurrency?: number;
}

export function parseArguments(argv: readonly string[]): Arguments {
  let command: Arguments['command'] | undefined;
  let configFile: string | undefined;
  let json = false;
  let concurrency: number | undefined;
  let target: string | undefined;
  let job: string | undefined;
  let bucket: string | undefined;
  let dir: string | undefined;
  let format: CombinedFormat | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '-h' || arg === '--help') return { command: 'help', json };
    else if (arg === '--json') json = true;
    else if (arg === '--config') configFile = value();
    else if (arg === '--job') job = value();
    else if (arg === '--bucket') bucket = value();
    else if (arg === '--dir') dir = value();
    else if (arg === '--format') {
      const chosen = value();
      if (!COMBINED_FORMATS.includes(chosen as CombinedFormat)) throw new UsageError(`--format must be one of ${COMBINED_FORMATS.join(', ')}, not "${chosen}"`);
      format = chosen as CombinedFormat;
    }
    else if (arg === '--concurrency') {
      concurrency = Number(value());
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
        throw new UsageError('--concurrency must be a whole number from 1 to 64');
      }
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}; see ctl-departure --help`);
    else if (command === 'engine-source' && !target) target = arg;
    else if (command) throw new UsageError(`unexpected argument "${arg}"; give one command`);
    else if (arg === 'plan' || arg === 'apply' || arg === 'protections' || arg === 'engine-source' || arg === 'status' || arg === 'report') command = arg;
    else throw new UsageError(`unknown command "${arg}"; use plan, apply, protections, engine-source, status or report`);
  }
  if (command === 'engine-source' && !target) throw new UsageError('engine-source needs a template file, e.g. cdk.out/ProviderDeparture.template.json');
  if (command === 'status' && !job) throw new UsageError('status needs --job ID, the S3 Batch Operations job id a run reported');
  if (command === 'report' && !bucket === !dir) throw new UsageError('report needs exactly one of --bucket NAME or --dir DIR');
  return { command: command ?? 'plan', configFile, json, concurrency, target, job, bucket, dir, format };
}

export function loadConfig(file: string | undefined): DepartureConfig {
  if (!file) return resolveConfig(undefined);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--config ${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${file}: not valid JSON (${(error as Error).message})`);
  }
  // JSON.parse would keep the last of two equal keys without a word: one of them is a mistake.
  const twice = duplicateKey(text);
  if (twice !== undefined) throw new ConfigError(twice, 'is given twice: JSON would keep only the last; write it once');
  return resolveConfig(parsed);
}

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs the CLI and returns its exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let args: Arguments;
  let config: DepartureConfig;
  try {
    args = parseArguments(argv);
    config = loadConfig(args.configFile);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.err(`ctl-departure: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (args.command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (args.command === 'engine-source') {
    try {
      // Printed only once verified: the function's code is exactly the loader around this one engine.
      const engine = templateEngine(JSON.parse(readFileSync(args.target!, 'utf8')));
      io.out(`// EngineVersion ${engine.hash}\n${engine.code}`);
      return 0;
    } catch (error) {
      io.err(`ctl-departure: engine-source ${args.target}: ${(error as Error).message}`);
      return 2;
    }
  }
  if (args.command === 'protections') {
    for (const rule of PROTECTION_RULES) io.out(`${rule.id.padEnd(30)} ${rule.description}`);
    return 0;
  }
  if (args.command === 'report') {
    try {
      const reports = args.dir ? reportsFromDir(args.dir) : await reportsFromBucket(createClients().s3, args.bucket!);
      if (!reports.length) throw new Error(`no reports in ${args.dir ?? `s3://${args.bucket}/reports/`}`);
      io.out(formatCombined(reports, args.format ?? 'table'));
      return allSucceeded(reports) ? 0 : 1; // a failed action, or a report not counted (invalid)
    } catch (error) {
      io.err(`ctl-departure: report: ${explainAwsError(error)}`);
      return 2;
    }
  }
  if (args.command === 'status') {
    try {
      const clients = createClients();
      const caller = await callerIdentity(clients.sts);
      // The job's failure reasons quote what S3 read: each line shown without control characters.
      io.out((await jobStatus(clients, caller.accountId, args.job!)).split('\n').map(printable).join('\n'));
      return 0;
    } catch (error) {
      io.err(`ctl-departure: ${explainAwsError(error)}`);
      return 1;
    }
  }
  try {
    const report = await runDeparture({ mode: args.command, config, clients: createClients(), concurrency: args.concurrency });
    io.out(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return succeeded(report) ? 0 : 1;
  } catch (error) {
    io.err(`ctl-departure: ${explainAwsError(error)}`);
    return 1;
  }
}

/** One line for errors that stop a run before any action, with what to do about them (AWS's text made printable). */
export function explainAwsError(error: unknown): string {
  return printable(explain(error));
}

function explain(error: unknown): string {
  const name = (error as Error)?.name ?? '';
  if (name === 'ApplyRefused') return (error as Error).message;
  if (name === 'CredentialsProviderError') {
    return 'no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  if (/AccessDenied/.test(name)) {
    return `${describeError(error)}; the caller needs iam:GetAccountAuthorizationDetails and sts:GetCallerIdentity to plan`;
  }
  const network = /(?:connect |getaddrinfo )?(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET)[^\n]*/.exec(String((error as Error)?.message));
  if (network) return `cannot reach the AWS endpoint (${network[0]}); check AWS_ENDPOINT_URL and the network`;
  return describeError(error);
}
