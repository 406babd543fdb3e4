/**
 * `npm run bench:faults [N] [BIG]`: apply under injected faults. Seeds moto with N provider roles (default 200), each
 * with an inline policy and its own provider policy attached, plus N/10 provider users (an access key each, all in a
 * provider group), then runs apply through test/support/fault-proxy.ts at 0%, 5%, 20% and 40% of IAM requests
 * faulted (throttling, 5xx, connection resets, answers lost after the change was made, evenly), under a token
 * bucket of 20 IAM requests a second, and with BIG provider roles (default 1,000) under 20% random throttling.
 * Prints wall time, calls, SDK retries, later passes, failed actions and whether the account ends exactly as after
 * a fault-free apply. The N-role fault rates run BENCH_RUNS times (default 3) and show the median; BENCH_ONLY=regex
 * picks scenarios. Figures only: nothing here asserts a time.
 */
import { AddUserToGroupCommand, AttachRolePolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { isDeepStrictEqual } from 'node:util';
import { CallCounter, createClients } from '../lambda/engine/aws';
import { forEachBounded } from '../lambda/engine/concurrency';
import { DEFAULT_CONFIG } from '../lambda/engine/config';
import { runDeparture } from '../lambda/engine/run';
import { startFaultProxy, type FaultProxy, type FaultSettings } from '../test/support/fault-proxy';
import { readIamState, type IamState } from '../test/support/iam-state';
import { motoEnv, startMoto, type MotoServer } from '../test/support/moto';

const DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}';
const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::589942003651:root"},"Action":"sts:AssumeRole"}]}';
const RATE_LIMIT = 20;

interface Scenario {
  readonly name: string;
  readonly roles: number;
  readonly faults: FaultSettings;
  /** Applies measured; the figures are the run of median wall time. @default 1 */
  readonly runs?: number;
}

interface Outcome {
  readonly seconds: number;
  readonly calls: number;
  readonly retries: number;
  readonly laterPasses: number;
  readonly failed: number;
  readonly state: IamState;
  readonly proxy: FaultProxy['counts'];
}

async function seed(iam: IAMClient, roles: number): Promise<void> {
  const users = Math.max(1, Math.floor(roles / 10));
  await iam.send(new CreateGroupCommand({ GroupName: 'CTLOperators' }));
  await iam.send(new CreateRoleCommand({ RoleName: 'customer-app', AssumeRolePolicyDocument: TRUST.replace('589942003651', '123456789012') }));
  await forEachBounded(Array.from({ length: roles }, (_, i) => `CTLBench${String(i).padStart(5, '0')}`), 8, async (name) => {
    await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: DOC }));
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'inline', PolicyDocument: DOC }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: `arn:aws:iam::123456789012:policy/${name}` }));
  });
  await forEachBounded(Array.from({ length: users }, (_, i) => `CTLUser${String(i).padStart(4, '0')}`), 8, async (name) => {
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'CTLOperators', UserName: name }));
  });
}

async function applyOnce(moto: MotoServer, proxy: FaultProxy, iam: IAMClient, scenario: Scenario): Promise<Outcome> {
  await moto.reset();
  await seed(iam, scenario.roles);
  proxy.configure(scenario.faults);
  const calls = new CallCounter();
  // The SDK reads the endpoint from the environment at its first request, not when the client is made.
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  const started = process.hrtime.bigint();
  const report = await runDeparture({ mode: 'apply', config: DEFAULT_CONFIG, clients: createClients({ callCounter: calls }) }).finally(
    () => (process.env.AWS_ENDPOINT_URL = moto.endpoint),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const laterPasses = report.actions.reduce((n, a) => n + a.steps.filter((s) => s.note?.startsWith('done on pass')).length, 0);
  return {
    seconds,
    calls: calls.total,
    retries: calls.retries,
    laterPasses,
    failed: report.summary.failed,
    state: await readIamState(iam),
    proxy: { ...proxy.counts },
  };
}

const pad = (value: string | number, width: number) => String(value).padStart(width);

async function main(): Promise<void> {
  const roles = Number(process.argv[2] ?? 200);
  const big = Number(process.argv[3] ?? 1000);
  for (const [value, what] of [[roles, 'N'], [big, 'BIG']] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`usage: npm run bench:faults [N] [BIG], ${what} a whole number of roles (got ${value})`);
  }
  const moto = await startMoto();
  Object.assign(process.env, motoEnv(moto.endpoint), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const proxy = await startFaultProxy(moto.endpoint);
  const iam = new IAMClient({ region: 'us-east-1' });
  try {
    const runs = Number(process.env.BENCH_RUNS ?? 3);
    const scenarios: Scenario[] = [
      { name: 'no faults', roles, faults: {}, runs },
      { name: '5% faults', roles, faults: { rate: 0.05 }, runs },
      { name: '20% faults', roles, faults: { rate: 0.2 }, runs },
      { name: '40% faults', roles, faults: { rate: 0.4 }, runs },
      { name: `${RATE_LIMIT} IAM req/s`, roles, faults: { iamPerSecond: RATE_LIMIT } },
      { name: 'no faults', roles: big, faults: {} },
      { name: '20% throttling', roles: big, faults: { rate: 0.2, kinds: ['throttle'] } },
    ];
    console.log(`${roles} provider roles (+ ${roles} policies, ${Math.max(1, Math.floor(roles / 10))} users, 1 group); then ${big} roles. Faults hit IAM requests only.\n`);
    console.log(
      `${'scenario'.padEnd(16)} ${pad('roles', 6)} ${pad('wall s', 8)} ${pad('× free', 7)} ${pad('calls', 7)} ${pad('retries', 8)} ${pad('passes', 7)} ${pad('faults', 7)} ${pad('failed', 7)}  end state`,
    );
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
    const reference = new Map<number, Outcome>();
    // A first run pays for loading code and warming moto up: it is not measured.
    await applyOnce(moto, proxy, iam, { name: 'warm-up', roles, faults: {} });
    for (const scenario of scenarios) {
      // BENCH_ONLY=regex runs the matching scenarios (and the fault-free reference of their size).
      if (only && !only.test(scenario.name) && reference.has(scenario.roles)) continue;
      const outcomes: Outcome[] = [];
      for (let run = 0; run < (scenario.runs ?? 1); run++) outcomes.push(await applyOnce(moto, proxy, iam, scenario));
      outcomes.sort((a, b) => a.seconds - b.seconds);
      const outcome = outcomes[Math.floor((outcomes.length - 1) / 2)]!;
      const free = reference.get(scenario.roles);
      if (!free) reference.set(scenario.roles, outcome);
      const counts = outcome.proxy;
      const faults = counts.throttle + counts['server-error'] + counts.reset + counts['lost-answer'] + counts.rateLimited;
      const runs = outcomes.length > 1 ? ` (median of ${outcomes.length}: ${outcomes.map((o) => o.seconds.toFixed(1)).join(', ')} s)` : '';
      const same = !free
        ? `reference${runs}`
        : outcomes.every((o) => isDeepStrictEqual(o.state, free.state) && o.failed === 0)
          ? `same as fault-free${outcomes.length > 1 ? ', every run' : ''}${runs}`
          : 'DIFFERENT';
      console.log(
        `${scenario.name.padEnd(16)} ${pad(scenario.roles, 6)} ${pad(outcome.seconds.toFixed(1), 8)} ${pad(free ? (outcome.seconds / free.seconds).toFixed(2) : '1.00', 7)} ` +
          `${pad(outcome.calls, 7)} ${pad(outcome.retries, 8)} ${pad(outcome.laterPasses, 7)} ${pad(faults, 7)} ${pad(outcome.failed, 7)}  ${same}`,
      );
      if (scenario.faults.iamPerSecond) {
        const span = (counts.lastForwardedAt - counts.firstForwardedAt) / 1000;
        const rate = (counts.forwarded - 1) / span;
        const attempts = (counts.forwarded + counts.rateLimited) / span;
        console.log(
          `${''.padEnd(16)} IAM requests carried out: ${rate.toFixed(1)}/s over ${span.toFixed(1)} s (${((rate / scenario.faults.iamPerSecond) * 100).toFixed(0)}% of the limit); attempts ${attempts.toFixed(1)}/s, ${counts.rateLimited} refused`,
        );
      }
    }
  } finally {
    iam.destroy();
    await proxy.stop();
    await moto.stop();
  }
}

main().catch((error) => {
  console.error(`bench:faults: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
