/**
 * `ctl-departure`: the engine with the caller's own credentials. This file only maps arguments to engine
 * calls and chooses the output; exit codes: 0 success, 1 an action or AWS call failed, 2 bad usage or config.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createClients } from '../lambda/engine/aws';
import { ConfigError, CONFIG_KEYS, resolveConfig, type DepartureConfig } from '../lambda/engine/config';
import type { DepartureReport, Mode } from '../lambda/engine/report';
import { colourReport, wantsColour } from './colour';
import { Progress, stderrProgress, type ProgressSink } from './progress';
import { checkAgainst, planFile, PlanRefused, readPlanFile } from './plan-file';
import { succeeded } from '../lambda/engine/report';
import { runDeparture } from '../lambda/engine/run';
import { createSweep } from '../lambda/resources/sweep';
import { SWEEP_CONFIG_CHECKS } from '../lambda/engine/sweep-config';
import { describeError } from '../lambda/engine/apply';
import { PROTECTION_RULES } from '../lambda/protections/builtin';
import { templateEngine } from '../lib/engine-pack';
import { formatReport, printable } from './format';
import { allSucceeded, COMBINED_FORMATS, formatCombined, reportsFromBucket, reportsFromDir, type CombinedFormat } from './combined-report';
import { callerIdentity } from '../lambda/engine/discover';
import { jobStatus } from '../lambda/engine/s3-batch';
import { duplicateKey } from '../lib/json-keys';
import { createInterface } from 'node:readline/promises';
import { formatReadiness, readinessOutput } from './readiness';
import { leaveOrganization, type Terminal } from './leave-organization';
import { buildTicket, checkTicket, isDate } from './ticket';
import { readApplyReport, restore } from './restore/command';
import { RestoreRefused } from './restore/plan';

const USAGE = `Usage: ctl-departure <command> [options]

Commands:
  plan          show what a departure would change (the default; changes nothing)
  plan --out FILE
                save the plan for review; apply --plan FILE then applies it only if unchanged
  apply [--plan FILE] [--yes]
                carry out the plan (on a terminal, asks for the account id unless --yes)
  protections   list what the engine never touches
  engine-source TEMPLATE
                print the engine code a synthesized cleanup template carries, for review
                (refused unless the function's code is exactly the loader around one engine)
  status --job ID
                progress of an S3 Batch Operations copy job a run started
  report --bucket NAME | --dir DIR [--format table|md|csv|json]
                one table over many accounts' reports, with their readiness
  readiness     what the rest of the departure needs (root user, contacts, organization,
                invitations, payment method, provider access); exit 1 when something needs attention
  leave-organization [--accept-invitation ID] [--yes]
                leave the provider's organization from this member account (asks for the account id
                on a terminal unless --yes), then accept an invitation from an allowed organization
  ticket [--dir DIR | --bucket NAME] [--target-date YYYY-MM-DD]
                the provider's departure support ticket, from stored reports or a fresh plan
  restore --from REPORT [--only NAME ...] [--apply [--yes]]
                what an apply deleted or changed, from its report's backups: shows what it would put
                back (and what it cannot); --apply puts it back, never overwriting what differs

Options:
  --config FILE      JSON config; keys: ${[...CONFIG_KEYS, ...Object.keys(SWEEP_CONFIG_CHECKS)].join(', ')}
  --json             print only the JSON report on stdout
  --concurrency N    actions run at once while applying (default 8)
  --report FILE      with plan and apply: also write the JSON report to FILE (what report --dir reads)
  --profile NAME     the AWS profile of ~/.aws/config and ~/.aws/credentials (else AWS_PROFILE)
  --region NAME      the AWS region (else AWS_REGION)
  --job ID           the S3 Batch Operations job of status
  --accept-invitation ID  with leave-organization: the invitation (h-...) to accept afterwards
  --yes              with apply and leave-organization: do not ask for the account id
  --target-date DATE with ticket: the departure's target date (else the config's ticket.targetDate)
  --from FILE        with restore: the JSON report of an apply (apply --report FILE)
  --only NAME        with restore: only the report's action of that name (repeatable)
  --apply            with restore: carry the restore plan out (asks for the account id on a terminal unless --yes)
  -h, --help         this help

Otherwise credentials, region and endpoint come from the standard AWS environment and profiles
(AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).`;

/** A mistake in how the command was called; exit code 2. */
export class UsageError extends Error {}

interface Arguments {
  readonly command: Mode | 'protections' | 'engine-source' | 'status' | 'report' | 'readiness' | 'leave-organization' | 'ticket' | 'restore' | 'help';
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
  /** leave-organization: the invitation to accept, and whether to skip the confirmation. */
  readonly acceptInvitation?: string;
  readonly yes?: boolean;
  /** ticket: the target date given on the command line. */
  readonly targetDate?: string;
  /** plan and apply: where the JSON report is written, whatever is printed. */
  readonly report?: string;
  /** plan: where the reviewed plan is saved; apply: the reviewed plan it must still match. */
  readonly out?: string;
  readonly planFile?: string;
  /** The AWS profile and region, as the AWS CLI takes them; they override AWS_PROFILE and AWS_REGION. */
  readonly profile?: string;
  readonly region?: string;
  /** restore: the apply report, the names to restore (none: all), and whether to carry it out. */
  readonly from?: string;
  readonly only?: readonly string[];
  readonly apply?: boolean;
}

const COMMANDS: readonly Arguments['command'][] = ['plan', 'apply', 'protections', 'engine-source', 'status', 'report', 'readiness', 'leave-organization', 'ticket', 'restore'];

/** The options parseArgs knows; their checks and the one-line errors stay ours. */
const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  yes: { type: 'boolean' },
  config: { type: 'string' },
  job: { type: 'string' },
  bucket: { type: 'string' },
  dir: { type: 'string' },
  format: { type: 'string' },
  concurrency: { type: 'string' },
  'accept-invitation': { type: 'string' },
  'target-date': { type: 'string' },
  report: { type: 'string' },
  out: { type: 'string' },
  plan: { type: 'string' },
  profile: { type: 'string' },
  region: { type: 'string' },
  from: { type: 'string' },
  only: { type: 'string', multiple: true },
  apply: { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type OptionName = keyof typeof OPTIONS;

export function parseArguments(argv: readonly string[]): Arguments {
  // Not strict: parseArgs would then throw its own multi-line messages; each token is checked here instead.
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const given: Partial<Record<OptionName, string | true>> = {};
  /** --only may be given many times; every other option once (the last one counts). */
  const only: string[] = [];
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const option = Object.hasOwn(OPTIONS, token.name) ? OPTIONS[token.name as OptionName] : undefined;
    if (!option) throw new UsageError(`unknown option ${token.rawName}; see ctl-departure --help`);
    if (token.name === 'help') return { command: 'help', json: false };
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      given[token.name as OptionName] = true;
    } else {
      // "--config --json" is a forgotten value, not a file named --json.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) throw new UsageError(`${token.rawName} needs a value`);
      given[token.name as OptionName] = token.value;
      if (token.name === 'only') only.push(token.value);
    }
  }
  const text = (name: OptionName) => given[name] as string | undefined;
  let command: Arguments['command'] | undefined;
  let target: string | undefined;
  for (const arg of positionals) {
    if (command === 'engine-source' && !target) target = arg;
    else if (command) throw new UsageError(`unexpected argument "${arg}"; give one command`);
    else if (COMMANDS.includes(arg as Arguments['command'])) command = arg as Arguments['command'];
    else throw new UsageError(`unknown command "${arg}"; use ${COMMANDS.slice(0, -1).join(', ')} or ${COMMANDS.at(-1)}`);
  }
  const acceptInvitation = text('accept-invitation');
  if (acceptInvitation !== undefined && !/^h-[0-9a-z]{8,32}$/.test(acceptInvitation)) throw new UsageError(`--accept-invitation must be a handshake id such as h-abcd1234efgh, not "${acceptInvitation}"`);
  const targetDate = text('target-date');
  if (targetDate !== undefined && !isDate(targetDate)) throw new UsageError(`--target-date must be a date such as 2027-01-31, not "${targetDate}"`);
  const format = text('format');
  if (format !== undefined && !COMBINED_FORMATS.includes(format as CombinedFormat)) throw new UsageError(`--format must be one of ${COMBINED_FORMATS.join(', ')}, not "${format}"`);
  const concurrency = text('concurrency') === undefined ? undefined : Number(text('concurrency'));
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
    throw new UsageError('--concurrency must be a whole number from 1 to 64');
  }
  const region = text('region');
  // The shape of every commercial, GovCloud and China region name (us-east-1, us-gov-west-1, cn-north-1, ap-southeast-5).
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) throw new UsageError(`--region must be a region name such as us-east-1, not "${region}"`);
  const profile = text('profile');
  if (profile !== undefined && !/^[\w.+@:/-]+$/.test(profile)) throw new UsageError(`--profile must name a profile of the AWS config files, not "${profile}"`);
  const yes = given.yes === true;
  if (command === 'engine-source' && !target) throw new UsageError('engine-source needs a template file, e.g. cdk.out/ProviderDeparture.template.json');
  if (command === 'status' && !given.job) throw new UsageError('status needs --job ID, the S3 Batch Operations job id a run reported');
  if (command === 'report' && !given.bucket === !given.dir) throw new UsageError('report needs exactly one of --bucket NAME or --dir DIR');
  if (command === 'ticket' && given.bucket && given.dir) throw new UsageError('ticket reads --bucket NAME or --dir DIR, not both (neither: a fresh plan of this account)');
  if (acceptInvitation && command !== 'leave-organization') throw new UsageError('--accept-invitation belongs to leave-organization');
  if (yes && command !== 'leave-organization' && command !== 'apply' && command !== 'restore') throw new UsageError('--yes belongs to apply, restore --apply and leave-organization');
  if (command === 'restore' && given.from === undefined) throw new UsageError('restore needs --from REPORT, the JSON report of an apply (ctl-departure apply --report REPORT)');
  if (command !== 'restore' && given.from !== undefined) throw new UsageError('--from belongs to restore');
  if (command !== 'restore' && only.length) throw new UsageError('--only belongs to restore');
  if (command !== 'restore' && given.apply) throw new UsageError('--apply belongs to restore; to apply a departure: ctl-departure apply');
  if (command === 'restore' && yes && !given.apply) throw new UsageError('--yes belongs to restore --apply');
  if (command === 'restore' && given.config !== undefined) throw new UsageError('--config does not belong to restore: it reads everything from the report');
  if (given.out !== undefined && (command ?? 'plan') !== 'plan') throw new UsageError('--out belongs to plan: ctl-departure plan --out plan.json, then apply --plan plan.json');
  if (given.plan !== undefined && command !== 'apply') throw new UsageError('--plan belongs to apply: ctl-departure apply --plan plan.json');
  if (targetDate && command !== 'ticket') throw new UsageError('--target-date belongs to ticket');
  const report = text('report');
  if (report !== undefined && !['plan', 'apply', 'restore', undefined].includes(command)) throw new UsageError('--report belongs to plan, apply and restore');
  return {
    command: command ?? 'plan', configFile: text('config'), json: given.json === true, concurrency, target, job: text('job'),
    bucket: text('bucket'), dir: text('dir'), format: format as CombinedFormat | undefined, acceptInvitation, yes, targetDate, report, profile, region,
    out: text('out'), planFile: text('plan'), from: text('from'), only, apply: given.apply === true,
  };
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
  return resolveConfig(parsed, SWEEP_CONFIG_CHECKS);
}

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Where leave-organization asks for confirmation. @default the process's own terminal, if it has one */
  readonly terminal?: Terminal;
  /** Where plan and apply show their progress. @default stderr */
  readonly progress?: ProgressSink;
  /** Whether the report table on stdout is coloured. @default stdout is a terminal and NO_COLOR is not set */
  readonly colour?: boolean;
}

/** stdin and stderr, when both are a terminal: the question goes to stderr so stdout stays the command's output. */
const processTerminal: Terminal = {
  isTTY: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  async ask(question) {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await prompt.question(question);
    } finally {
      prompt.close();
    }
  },
};

const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs the CLI and returns its exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let args: Arguments;
  let config: DepartureConfig;
  /** The plan the operator reviewed (a plan file, or the one confirmed on the terminal): apply must still match it. */
  let reviewed: { readonly report: DepartureReport; readonly source: string } | undefined;
  try {
    args = parseArguments(argv);
    config = loadConfig(args.configFile);
    checkTicket(config.ticket);
    // Before any AWS call: a report that cannot be written is found now, not after an apply.
    if (args.report !== undefined) writeOutput('--report', args.report, '');
    if (args.out !== undefined) writeOutput('--out', args.out, '');
    if (args.planFile !== undefined) reviewed = { report: readPlanFile(args.planFile, config).report, source: args.planFile };
    if (args.from !== undefined) readApplyReport(args.from);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof PlanRefused || error instanceof RestoreRefused) {
      io.err(`ctl-departure: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (args.command === 'help') {
    io.out(USAGE);
    return 0;
  }
  // Read by the SDK when clients resolve credentials and by createClients for the region. A named profile wins
  // over keys in the environment, as with the AWS CLI: they are dropped rather than left to the SDK's precedence.
  if (args.profile !== undefined) {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[name];
    process.env.AWS_PROFILE = args.profile;
  }
  if (args.region !== undefined) process.env.AWS_REGION = args.region;
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
  if (args.command === 'leave-organization') {
    try {
      return await leaveOrganization(createClients(), config, { acceptInvitation: args.acceptInvitation, yes: args.yes ?? false }, io, io.terminal ?? processTerminal);
    } catch (error) {
      io.err(`ctl-departure: ${explainAwsError(error)}`);
      return 1;
    }
  }
  if (args.command === 'restore') {
    try {
      const options = { from: args.from!, only: args.only ?? [], apply: args.apply ?? false, yes: args.yes ?? false, json: args.json, concurrency: args.concurrency };
      const { code, report } = await restore(options, io, io.terminal ?? processTerminal);
      if (args.report !== undefined && report) writeOutput('--report', args.report, `${JSON.stringify(report, null, 2)}\n`);
      return code;
    } catch (error) {
      if (error instanceof RestoreRefused) {
        io.err(`ctl-departure: ${error.message}`);
        return 2;
      }
      io.err(`ctl-departure: restore: ${explainAwsError(error)}`);
      return 1;
    }
  }
  if (args.command === 'ticket') {
    try {
      const stored = args.dir ? reportsFromDir(args.dir) : args.bucket ? await reportsFromBucket(createClients().s3, args.bucket) : undefined;
      for (const bad of stored?.filter((r) => r.invalid !== undefined) ?? []) io.err(`ctl-departure: ticket: ${bad.source} left out: ${bad.invalid}`);
      const reports = stored ? stored.flatMap((r) => (r.invalid === undefined ? [r.report] : [])) : [await runDeparture({ mode: 'plan', config, clients: createClients(), sweep: sweep() })];
      if (!reports.length) throw new Error(`no reports in ${args.dir ?? `s3://${args.bucket}/reports/`}`);
      io.out(buildTicket(reports, config, args.targetDate));
      return stored?.some((r) => r.invalid !== undefined) ? 1 : 0;
    } catch (error) {
      io.err(`ctl-departure: ticket: ${explainAwsError(error)}`);
      return 1;
    }
  }
  try {
    const mode = args.command === 'readiness' ? 'plan' : args.command;
    const clients = createClients();
    const terminal = io.terminal ?? processTerminal;
    if (mode === 'apply' && !args.yes && terminal.isTTY) {
      reviewed ??= { report: await tracked(io, (progress) => runDeparture({ mode: 'plan', config, clients, sweep: sweep(), onPlan: () => progress.stop() })), source: 'the plan confirmed' };
      const { accountId, summary } = reviewed.report;
      io.err(wantsColour(process.stderr) && io.colour !== false ? colourReport(formatReport(reviewed.report)) : formatReport(reviewed.report));
      const typed = (await terminal.ask(`Apply to account ${accountId}: ${summary.delete} to delete, ${summary.steps} steps. Type the account id to confirm: `)).trim();
      if (typed !== accountId) {
        io.err(`ctl-departure: "${printable(typed)}" is not ${accountId}: not confirmed; nothing changed`);
        return 1;
      }
    }
    const check = reviewed && checkAgainst(reviewed.report, reviewed.source);
    const report = await tracked(io, (progress) =>
      runDeparture({
        mode, config, clients, concurrency: args.concurrency, sweep: sweep(),
        onPlan: (actions, inventory) => {
          check?.(actions, inventory.accountId);
          if (mode === 'apply') progress.applying(actions);
          else progress.stop();
        },
      }),
    );
    if (args.command === 'readiness') {
      const { text, code } = readinessOutput(report, args.json);
      io.out(text);
      return code;
    }
    const json = JSON.stringify(report, null, 2);
    const table = formatReport(report);
    io.out(args.json ? json : `${(io.colour ?? wantsColour(process.stdout)) ? colourReport(table) : table}${report.readiness ? `\n\nreadiness:\n${formatReadiness(report.readiness)}` : ''}`);
    if (args.report !== undefined) writeOutput('--report', args.report, `${json}\n`);
    if (args.out !== undefined) writeOutput('--out', args.out, `${JSON.stringify(planFile(report, config), null, 2)}\n`);
    return succeeded(report) ? 0 : 1;
  } catch (error) {
    if (error instanceof PlanRefused) {
      io.err(`ctl-departure: ${error.message}`);
      for (const line of error.details) io.err(`  ${line}`);
      return 2;
    }
    io.err(`ctl-departure: ${explainAwsError(error)}`);
    return 1;
  }
}

/**
 * The sweep of resource policies and shares (the cleanup stack's function does not carry it; the sweep stack's does), in
 * every region discovery found enabled (Account ListRegions), narrowed by the config's `regions`.
 */
const sweep = () => createSweep();

/** Runs with progress on stderr (never on stdout, which is the report), ended before anything else is printed. */
async function tracked<T>(io: Io, run: (progress: Progress) => Promise<T>): Promise<T> {
  const progress = new Progress(io.progress ?? stderrProgress());
  try {
    return await run(progress);
  } finally {
    progress.stop();
  }
}

/** The JSON report file of --report (the record `report --dir` reads), or the plan file of --out. */
function writeOutput(option: string, file: string, content: string): void {
  try {
    writeFileSync(file, content);
  } catch (error) {
    throw new UsageError(`${option} ${file}: cannot write the file (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}

/** One line for errors that stop a run before any action, with what to do about them (AWS's text made printable). */
export function explainAwsError(error: unknown): string {
  return printable(explain(error));
}

function explain(error: unknown): string {
  const name = (error as Error)?.name ?? '';
  if (name === 'ApplyRefused') return (error as Error).message;
  if (name === 'CredentialsProviderError' && process.env.AWS_PROFILE) {
    return `no AWS credentials for profile "${process.env.AWS_PROFILE}" (${(error as Error).message}); check --profile or AWS_PROFILE and ~/.aws/config`;
  }
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
