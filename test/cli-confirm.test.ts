/** apply's confirmation as an operator meets it: the bin entry on a pseudo-terminal (python's pty), or without one. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { seedReferenceAccount } from './support/reference-account';
import { testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';
import { onTerminal as runOnTerminal } from './support/pseudo-terminal';

motoSuite();

const bin = path.join(__dirname, '..', 'bin', 'ctl-departure.js');
const PROMPT = 'Type the account id to confirm: ';

/** The bin entry on a pseudo-terminal, typing `answer` at apply's prompt (never, if undefined). */
const onTerminal = (args: string[], answer: string | undefined, env: NodeJS.ProcessEnv = {}) => runOnTerminal(args, { prompt: PROMPT.trim(), answer, env });

const planned = () => spawnSync(process.execPath, [bin, 'plan', '--json'], { env: process.env, encoding: 'utf8' });
const toDelete = () => JSON.parse(planned().stdout).summary.delete as number;

beforeEach(async () => seedReferenceAccount(testIamClient(), '123456789012'));

test('on a terminal, apply shows the plan and applies once the account id is typed', () => {
  const run = onTerminal(['apply'], '123456789012');
  expect(run.out).toMatch(/^Plan for account 123456789012/m);
  expect(run.out).toContain(`Apply to account 123456789012: 10 to delete, `);
  expect(run.out).toMatch(/^Apply for account 123456789012/m);
  expect(run.code).toBe(0);
  expect(toDelete()).toBe(0);
});

test('on a terminal, another answer declines: exit 1 and nothing changed', () => {
  const run = onTerminal(['apply'], '999');
  expect(run.out).toContain(PROMPT);
  expect(run.out).toContain('ctl-departure: "999" is not 123456789012: not confirmed; nothing changed');
  expect(run.out).not.toMatch(/^Apply for account/m);
  expect(run.code).toBe(1);
  expect(toDelete()).toBe(10);
});

test('--yes on a terminal applies without asking', () => {
  const yes = onTerminal(['apply', '--yes'], undefined);
  expect(yes.out).not.toContain(PROMPT);
  expect(yes.out).toMatch(/^Apply for account 123456789012/m);
  expect(yes.code).toBe(0);
  expect(toDelete()).toBe(0);
});

test('without a terminal (a pipe), apply proceeds as before, the report alone on stdout', async () => {
  const piped = spawnSync(process.execPath, [bin, 'apply', '--json'], { env: process.env, encoding: 'utf8', input: '' });
  expect(piped.stderr).not.toContain(PROMPT);
  expect(JSON.parse(piped.stdout)).toMatchObject({ mode: 'apply', summary: { delete: 10, failed: 0 } });
  expect(piped.status).toBe(0);
});

test('apply --plan on a terminal asks about the reviewed plan file, then applies it', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ctl-plan-')), 'plan.json');
  expect(spawnSync(process.execPath, [bin, 'plan', '--out', file], { env: process.env, encoding: 'utf8' }).status).toBe(0);
  const run = onTerminal(['apply', '--plan', file], '123456789012');
  expect(run.out).toContain(`Apply to account 123456789012: 10 to delete, `);
  expect(run.out).toMatch(/^Apply for account 123456789012/m);
  expect(run.code).toBe(0);
  expect(toDelete()).toBe(0);
});

test('colours only on a terminal, and not with NO_COLOR', () => {
  const red = '\x1b[31mDELETE (10)\x1b[0m';
  expect(onTerminal(['plan'], undefined).out).toContain(red);
  const plain = onTerminal(['plan'], undefined, { NO_COLOR: '1' }).out;
  expect(plain).toContain('DELETE (10)');
  expect(plain).not.toMatch(/\x1b\[[0-9;]*m/); // no colour; the progress line's own erase (ESC[2K) may appear
  const piped = spawnSync(process.execPath, [bin, 'plan'], { env: process.env, encoding: 'utf8' }).stdout;
  expect(piped).toContain('DELETE (10)');
  expect(piped).not.toMatch(/\x1b\[[0-9;]*m/);
});
