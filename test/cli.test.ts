/** The CLI as a person runs it: the real bin entry, against moto, with exit codes and one-line errors. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main, parseArguments } from '../cli/main';
import { engineVersion, planDrift, type PlanFile } from '../cli/plan-file';
import { CONFIG_KEYS } from '../lambda/engine/config';
import { SWEEP_CONFIG_CHECKS } from '../lambda/engine/sweep-config';
import { seedReferenceAccount } from './support/reference-account';
import { testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';

/** The CLI checks the sweep's keys too (the stack refuses them). */
const CLI_KEYS = [...CONFIG_KEYS, ...Object.keys(SWEEP_CONFIG_CHECKS)].join(', ');

motoSuite();

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // No terminal, whatever jest runs on: apply must not wait for an answer here (the prompt is tested in cli-confirm).
  const terminal = { isTTY: false, ask: () => Promise.reject(new Error('asked without a terminal')) };
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t), terminal, colour: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const configFile = (content: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ctl-config-')), 'config.json');
  writeFileSync(file, content);
  return file;
};

test('plan prints a table grouped by decision and changes nothing; apply then carries it out', async () => {
  await seedReferenceAccount(testIamClient(), '123456789012');
  const plan = await cli('plan');
  expect(plan.code).toBe(0);
  expect(plan.out).toMatch(/^Plan for account 123456789012/);
  expect(plan.out).toMatch(/DELETE \(10\)\n {2}iam:role/);
  expect(plan.out).toMatch(/PRESERVE \(2\)/);
  expect(plan.out).toMatch(/Nothing was changed/);
  const apply = await cli('apply', '--json');
  expect(apply.code).toBe(0);
  const report = JSON.parse(apply.out);
  expect(report).toMatchObject({ mode: 'apply', accountId: '123456789012', summary: { failed: 0, delete: 10, preserve: 2 } });
  expect((await cli('plan', '--json')).out).toMatch(/"steps": 0,/);
});

test('the bin entry runs as `npx ctl-departure` does, with usage errors on one line and exit 2', () => {
  const bin = path.join(__dirname, '..', 'bin', 'ctl-departure.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: process.env });
  const help = run('--help');
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^Usage: ctl-departure <command>/);
  const bad = run('destroy');
  expect(bad.status).toBe(2);
  expect(bad.stderr.trim()).toBe('ctl-departure: unknown command "destroy"; use plan, apply, protections, engine-source, status, report, readiness, leave-organization, ticket or restore');
});

test.each([
  [['plan', '--config', '/nonexistent.json'], 'ctl-departure: --config /nonexistent.json: cannot read the file (ENOENT)'],
  [['plan', '--concurrency', '0'], 'ctl-departure: --concurrency must be a whole number from 1 to 64'],
  [['plan', '--config'], 'ctl-departure: --config needs a value'],
  [['plan', '--verbose'], 'ctl-departure: unknown option --verbose; see ctl-departure --help'],
  [['plan', '-x'], 'ctl-departure: unknown option -x; see ctl-departure --help'],
  [['plan', '--config', '--json'], 'ctl-departure: --config needs a value'],
  [['plan', '--json=yes'], 'ctl-departure: --json takes no value'],
  [['plan', 'apply'], 'ctl-departure: unexpected argument "apply"; give one command'],
  [['status'], 'ctl-departure: status needs --job ID, the S3 Batch Operations job id a run reported'],
  [['plan', '--format', 'xml'], 'ctl-departure: --format must be one of table, md, csv, json, not "xml"'],
  [['plan', '--yes'], 'ctl-departure: --yes belongs to apply, restore --apply and leave-organization'],
  [['apply', '--accept-invitation', 'h-abcd1234efgh'], 'ctl-departure: --accept-invitation belongs to leave-organization'],
  [['apply', '--out', 'p.json'], 'ctl-departure: --out belongs to plan: ctl-departure plan --out plan.json, then apply --plan plan.json'],
  [['plan', '--plan', 'p.json'], 'ctl-departure: --plan belongs to apply: ctl-departure apply --plan plan.json'],
  [['apply', '--plan', '/nonexistent.json'], 'ctl-departure: --plan /nonexistent.json: cannot read a plan file (ENOENT); make one with ctl-departure plan --out /nonexistent.json'],
  [['plan', '--region', 'Europe'], 'ctl-departure: --region must be a region name such as us-east-1, not "Europe"'],
  [['plan', '--profile', 'a b'], 'ctl-departure: --profile must name a profile of the AWS config files, not "a b"'],
  [['protections', '--report', 'r.json'], 'ctl-departure: --report belongs to plan, apply and restore'],
  [['plan', '--report', '/nonexistent/dir/r.json'], 'ctl-departure: --report /nonexistent/dir/r.json: cannot write the file (ENOENT)'],
])('%j exits 2 with one line', async (args, message) => {
  const result = await cli(...args);
  expect(result).toEqual({ code: 2, out: '', err: message });
});

test.each([
  ['{"prefixes": ["CTL*"]}', 'ctl-departure: config "prefixes[0]": "CTL*" contains a wildcard; prefixes are literal, write "CTL" rather than "CTL*"'],
  ['{"prefixes": [""]}', 'ctl-departure: config "prefixes[0]": must not be empty: an empty prefix matches every resource; use a literal such as "CTL"'],
  ['{"exclud": []}', `ctl-departure: config "exclud": unknown key; the known keys are ${CLI_KEYS}`],
  ['{"prefixes": ', expect.stringMatching(/^ctl-departure: --config .*: not valid JSON \(/)],
  ['null', 'ctl-departure: config "(root)": must be a JSON object such as {"prefixes": ["CTL"]}, not null'],
  ['{"__proto__": {"prefixes": ["C"]}}', `ctl-departure: config "__proto__": unknown key; the known keys are ${CLI_KEYS}`],
  ['{"hasOwnProperty": 1}', `ctl-departure: config "hasOwnProperty": unknown key; the known keys are ${CLI_KEYS}`],
  ['{"constructor": {}}', `ctl-departure: config "constructor": unknown key; the known keys are ${CLI_KEYS}`],
  ['{"toString": "x"}', `ctl-departure: config "toString": unknown key; the known keys are ${CLI_KEYS}`],
  ['{"identities": {"constructor": true}}', 'ctl-departure: config "identities.constructor": unknown key; the known keys are users, groups, samlProviders, oidcProviders'],
  ['{"prefixes": ["CTL"], "exclude": [], "prefixes": ["C"]}', 'ctl-departure: config "prefixes": is given twice: JSON would keep only the last; write it once'],
  ['{"buckets": {"mode": "delete", "names": [], "\\u006dode": "keep"}}', 'ctl-departure: config "buckets.mode": is given twice: JSON would keep only the last; write it once'],
  ['{"prefixes": ["C"]}', `ctl-departure: config "prefixes[0]": "C" is too broad: a prefix needs at least 3 characters and must start with a letter; if it really names only the provider's, also list it in allowBroadPrefixes`],
  ['{"prefixes": ["."]}', expect.stringMatching(/^ctl-departure: config "prefixes\[0\]": "\." is too broad: /)],
  ['{"oidcUrlFragments": ["***"]}', 'ctl-departure: config "oidcUrlFragments[0]": "***" is not a host or host/path such as "auth.ctl.io"'],
  ['{"oidcUrlFragments": ["com"]}', expect.stringMatching(/^ctl-departure: config "oidcUrlFragments\[0\]": "com" is too broad: .*; if it really names only the provider's, also list it in allowBroadOidcUrlFragments$/)],
  ['{"buckets": {"names": ["logs-{accountId}-{accountId}"]}}', 'ctl-departure: config "buckets.names[0]": "logs-{accountId}-{accountId}" names {accountId} twice: write it once'],
])('config %s is refused with exit 2 before any AWS call', async (content, message) => {
  const result = await cli('apply', '--config', configFile(content));
  expect(result).toEqual({ code: 2, out: '', err: message });
});

test('an unreachable endpoint is one line and exit 1', async () => {
  const saved = process.env.AWS_ENDPOINT_URL;
  Object.assign(process.env, { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' });
  try {
    const result = await cli('plan');
    expect(result).toEqual({ code: 1, out: '', err: expect.stringMatching(/^ctl-departure: cannot reach the AWS endpoint \(.*ECONNREFUSED.*\); check AWS_ENDPOINT_URL and the network$/) });
  } finally {
    process.env.AWS_ENDPOINT_URL = saved;
    delete process.env.AWS_MAX_ATTEMPTS;
  }
});

test('plan is the default command; options take --name=value as well', () => {
  expect(parseArguments([]).command).toBe('plan');
  expect(parseArguments(['--json']).command).toBe('plan');
  expect(parseArguments(['apply', '--config=c.json', '--concurrency=4', '--region=eu-west-3'])).toMatchObject({ command: 'apply', configFile: 'c.json', concurrency: 4, region: 'eu-west-3' });
  expect(parseArguments(['engine-source', '-h']).command).toBe('help');
});

test('--report writes the JSON report whatever is printed, and report --dir reads it', async () => {
  await seedReferenceAccount(testIamClient(), '123456789012');
  const dir = mkdtempSync(path.join(tmpdir(), 'ctl-reports-'));
  const file = path.join(dir, '123456789012.json');
  const table = await cli('plan', '--report', file);
  expect(table.code).toBe(0);
  expect(table.out).toMatch(/^Plan for account 123456789012/);
  const written = JSON.parse(readFileSync(file, 'utf8'));
  expect(written).toMatchObject({ mode: 'plan', accountId: '123456789012', summary: { delete: 10, preserve: 2 } });
  const json = await cli('plan', '--json', '--report', file);
  expect(readFileSync(file, 'utf8')).toBe(`${json.out}\n`);
  const combined = await cli('report', '--dir', dir);
  expect(combined.code).toBe(0);
  expect(combined.out).toMatch(/^123456789012 +plan +12 +0 +0 +2 /m);
});

/** The requests' SigV4 credential scopes (access key/date/region/service), from an endpoint that answers none. */
async function signedScopes(args: string[], env: Record<string, string | undefined>): Promise<{ scopes: string[]; result: Awaited<ReturnType<typeof cli>> }> {
  const scopes: string[] = [];
  const server = createServer((request, response) => {
    scopes.push(/Credential=([^,]+)/.exec(request.headers.authorization ?? '')?.[1] ?? '(unsigned)');
    response.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const names = [...Object.keys(env), 'AWS_ENDPOINT_URL', 'AWS_MAX_ATTEMPTS', 'AWS_PROFILE', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  const port = (server.address() as AddressInfo).port;
  Object.assign(process.env, { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_MAX_ATTEMPTS: '1' });
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return { scopes, result: await cli(...args) };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise((resolve) => server.close(resolve));
  }
}

test('--profile and --region override the environment as the AWS CLI does', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ctl-aws-'));
  writeFileSync(path.join(dir, 'credentials'), '[ops]\naws_access_key_id = AKIAOPSPROFILE000001\naws_secret_access_key = secret\n');
  writeFileSync(path.join(dir, 'config'), '[profile ops]\nregion = ap-southeast-2\n');
  const files = { AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), AWS_CONFIG_FILE: path.join(dir, 'config') };
  // The environment's own keys and region are what a run without the options signs with.
  const environment = { ...files, AWS_ACCESS_KEY_ID: 'AKIAENVIRONMENT00001', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-west-2' };
  const plain = await signedScopes(['plan'], environment);
  expect(plain.result.code).toBe(1);
  expect(plain.scopes[0]).toMatch(/^AKIAENVIRONMENT00001\/\d{8}\/us-west-2\/sts\/aws4_request$/);
  const chosen = await signedScopes(['plan', '--profile', 'ops', '--region', 'eu-west-3'], environment);
  expect(chosen.result).toMatchObject({ code: 1, out: '' });
  expect(chosen.scopes[0]).toMatch(/^AKIAOPSPROFILE000001\/\d{8}\/eu-west-3\/sts\/aws4_request$/);
  expect(process.env.AWS_PROFILE).toBeUndefined(); // restored by the helper, not leaked into later tests
  const missing = await signedScopes(['plan', '--profile', 'nosuch'], environment);
  expect(missing.scopes).toEqual([]);
  expect(missing.result).toEqual({ code: 1, out: '', err: expect.stringMatching(/^ctl-departure: no AWS credentials for profile "nosuch" \(.*\); check --profile or AWS_PROFILE and ~\/\.aws\/config$/) });
});

describe('reviewed plan files', () => {
  const planOut = async (...extra: string[]) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ctl-plan-')), 'plan.json');
    const planned = await cli('plan', '--out', file, ...extra);
    expect(planned.code).toBe(0);
    return file;
  };
  const unchanged = async (file: string) => {
    // Had anything been deleted, a new plan would differ from the reviewed one.
    const again = await cli('plan', '--json');
    expect(planDrift((JSON.parse(readFileSync(file, 'utf8')) as PlanFile).report.actions, JSON.parse(again.out).actions)).toEqual([]);
  };

  test('round trip: plan --out saves the report with engine and config; apply --plan applies it', async () => {
    await seedReferenceAccount(testIamClient(), '123456789012');
    const file = await planOut();
    // A customer's role created since the review is skipped either way: no drift.
    const { CreateRoleCommand } = await import('@aws-sdk/client-iam');
    const ec2 = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await testIamClient().send(new CreateRoleCommand({ RoleName: 'AppServerRole', AssumeRolePolicyDocument: ec2 }));
    const saved = JSON.parse(readFileSync(file, 'utf8')) as PlanFile;
    expect(saved).toMatchObject({ format: 'ctl-departure-plan/1', engine: engineVersion(), config: expect.stringMatching(/^[0-9a-f]{16}$/), report: { mode: 'plan', accountId: '123456789012', summary: { delete: 10 } } });
    const applied = await cli('apply', '--plan', file, '--json');
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.out)).toMatchObject({ mode: 'apply', summary: { failed: 0, delete: 10 } });
    // The same plan file once applied no longer matches the account: refused.
    expect((await cli('apply', '--plan', file)).code).toBe(2);
  });

  test('drift is refused with what was added, removed and changed, and nothing is changed', async () => {
    const iam = testIamClient();
    await seedReferenceAccount(iam, '123456789012');
    const file = await planOut();
    const { CreateRoleCommand, DeleteRolePolicyCommand, ListRolePoliciesCommand, ListRolesCommand } = await import('@aws-sdk/client-iam');
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::589942003651:root' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'CTLAddedSincePlan', AssumeRolePolicyDocument: trust }));
    const withInline = [];
    for (const role of (await iam.send(new ListRolesCommand({}))).Roles ?? []) {
      const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: role.RoleName! }))).PolicyNames ?? [];
      if (role.RoleName!.startsWith('CTL') && names.length) withInline.push({ role: role.RoleName!, policy: names[0]! });
    }
    expect(withInline.length).toBeGreaterThan(0);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: withInline[0]!.role, PolicyName: withInline[0]!.policy }));
    const refused = await cli('apply', '--plan', file);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    const lines = refused.err.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^ctl-departure: account 123456789012 changed since ${file} \\(\\d+ actions differ\\); nothing changed: review a new plan$`));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}\+ delete iam:role arn:aws:iam::123456789012:role\/CTLAddedSincePlan \(\d+ steps\)$/));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}~ delete iam:role arn:aws:iam::123456789012:role/${withInline[0]!.role}: its steps changed \\(.*DeleteRolePolicy.* -> `)));
    const { DeleteRoleCommand } = await import('@aws-sdk/client-iam');
    await iam.send(new DeleteRoleCommand({ RoleName: 'CTLAddedSincePlan' }));
    const removedFile = await planOut();
    await iam.send(new CreateRoleCommand({ RoleName: 'CTLAddedSincePlan', AssumeRolePolicyDocument: trust }));
    const fresh = await planOut();
    await iam.send(new DeleteRoleCommand({ RoleName: 'CTLAddedSincePlan' }));
    const removed = await cli('apply', '--plan', fresh);
    expect(removed.err.split('\n')).toContainEqual(expect.stringMatching(/^ {2}- delete iam:role arn:aws:iam::123456789012:role\/CTLAddedSincePlan$/));
    await unchanged(removedFile);
  });

  test('a plan file of another account, another config or another engine is refused in one line before any change', async () => {
    await seedReferenceAccount(testIamClient(), '123456789012');
    const file = await planOut();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as PlanFile;
    const variant = (change: (p: PlanFile) => PlanFile) => {
      const other = path.join(path.dirname(file), `other-${Math.random()}.json`);
      writeFileSync(other, JSON.stringify(change(saved)));
      return other;
    };
    const otherAccount = variant((p) => ({ ...p, report: { ...p.report, accountId: '210987654321' } }));
    expect(await cli('apply', '--plan', otherAccount)).toEqual({ code: 2, out: '', err: `ctl-departure: ${otherAccount} is a plan of account 210987654321, not of 123456789012; nothing changed` });
    const config = configFile('{"prefixes": ["CTL"], "exclude": ["CTLCAMRole"]}');
    expect(await cli('apply', '--plan', file, '--config', config)).toEqual({ code: 2, out: '', err: `ctl-departure: --plan ${file}: made with another config than this one; apply with the plan's --config, or plan again` });
    const otherEngine = variant((p) => ({ ...p, engine: '0.0.1+0000000000000000' }));
    expect(await cli('apply', '--plan', otherEngine)).toEqual({ code: 2, out: '', err: `ctl-departure: --plan ${otherEngine}: made by engine 0.0.1+0000000000000000, this is ${engineVersion()}; plan again with this version` });
    const notAPlan = variant((p) => p.report as unknown as PlanFile);
    expect(await cli('apply', '--plan', notAPlan)).toEqual({ code: 2, out: '', err: `ctl-departure: --plan ${notAPlan}: not a plan file of ctl-departure (format ctl-departure-plan/1); make one with ctl-departure plan --out ${notAPlan}` });
    await unchanged(file);
  });
});

test('progress goes to stderr, one updating line on a terminal, lines otherwise, and --json stdout stays the report', async () => {
  await seedReferenceAccount(testIamClient(), '123456789012');
  const run = async (isTTY: boolean, ...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const shown: string[] = [];
    const terminal = { isTTY: false, ask: () => Promise.reject(new Error('asked without a terminal')) };
    const progress = { isTTY, write: (text: string) => shown.push(text), everyMs: 5, afterMs: 0 };
    const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t), terminal, progress });
    return { code, out: out.join('\n'), err: err.join('\n'), progress: shown.join('') };
  };
  const lines = await run(false, 'apply', '--json');
  expect(lines.code).toBe(0);
  expect(JSON.parse(lines.out)).toMatchObject({ mode: 'apply', summary: { failed: 0 } });
  expect(lines.out).not.toMatch(/discovering|applying/);
  const steps = JSON.parse(lines.out).summary.steps as number;
  expect(lines.progress).toMatch(/^discovering: \d+s\n/);
  expect(lines.progress).toMatch(new RegExp(`\\napplying: ${steps}/${steps} steps done, 0 actions failed, \\d+\\.\\d steps/s \\(\\d+s\\)\\n$`));
  expect(lines.progress).not.toContain('\r');
  const tty = await run(true, 'plan', '--json');
  expect(JSON.parse(tty.out)).toMatchObject({ mode: 'plan' });
  expect(tty.progress).toMatch(/^(\r\x1b\[2Kdiscovering: \d+s)+\n$/);
  expect(tty.progress.split('\n')).toHaveLength(2); // one line, rewritten in place, ended once
});
