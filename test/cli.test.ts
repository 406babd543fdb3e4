/** The CLI as a person runs it: the real bin entry, against moto, with exit codes and one-line errors. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main, parseArguments } from '../cli/main';
import { CONFIG_KEYS } from '../lambda/engine/config';
import { seedReferenceAccount } from './support/reference-account';
import { testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';

motoSuite();

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
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
  expect(bad.stderr.trim()).toBe('ctl-departure: unknown command "destroy"; use plan, apply, protections, engine-source, status, report, readiness, leave-organization or ticket');
});

test.each([
  [['plan', '--config', '/nonexistent.json'], 'ctl-departure: --config /nonexistent.json: cannot read the file (ENOENT)'],
  [['plan', '--concurrency', '0'], 'ctl-departure: --concurrency must be a whole number from 1 to 64'],
  [['plan', '--config'], 'ctl-departure: --config needs a value'],
  [['plan', '--verbose'], 'ctl-departure: unknown option --verbose; see ctl-departure --help'],
])('%j exits 2 with one line', async (args, message) => {
  const result = await cli(...args);
  expect(result).toEqual({ code: 2, out: '', err: message });
});

test.each([
  ['{"prefixes": ["CTL*"]}', 'ctl-departure: config "prefixes[0]": "CTL*" contains a wildcard; prefixes are literal, write "CTL" rather than "CTL*"'],
  ['{"prefixes": [""]}', 'ctl-departure: config "prefixes[0]": must not be empty: an empty prefix matches every resource; use a literal such as "CTL"'],
  ['{"exclud": []}', `ctl-departure: config "exclud": unknown key; the known keys are ${CONFIG_KEYS.join(', ')}`],
  ['{"prefixes": ', expect.stringMatching(/^ctl-departure: --config .*: not valid JSON \(/)],
  ['null', 'ctl-departure: config "(root)": must be a JSON object such as {"prefixes": ["CTL"]}, not null'],
  ['{"__proto__": {"prefixes": ["C"]}}', `ctl-departure: config "__proto__": unknown key; the known keys are ${CONFIG_KEYS.join(', ')}`],
  ['{"hasOwnProperty": 1}', `ctl-departure: config "hasOwnProperty": unknown key; the known keys are ${CONFIG_KEYS.join(', ')}`],
  ['{"constructor": {}}', `ctl-departure: config "constructor": unknown key; the known keys are ${CONFIG_KEYS.join(', ')}`],
  ['{"toString": "x"}', `ctl-departure: config "toString": unknown key; the known keys are ${CONFIG_KEYS.join(', ')}`],
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

test('plan is the default command', () => {
  expect(parseArguments([]).command).toBe('plan');
  expect(parseArguments(['--json']).command).toBe('plan');
});
