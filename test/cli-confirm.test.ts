/** apply's confirmation as an operator meets it: the bin entry on a pseudo-terminal (python's pty), or without one. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { seedReferenceAccount } from './support/reference-account';
import { testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';

motoSuite();

const bin = path.join(__dirname, '..', 'bin', 'ctl-departure.js');
const PROMPT = 'Type the account id to confirm: ';

/** Runs the bin on a pseudo-terminal; types `answer` once the prompt appears (never, if undefined). Output is the terminal's. */
function onTerminal(args: string[], answer: string | undefined, extraEnv: NodeJS.ProcessEnv = {}) {
  const driver = [
    'import os, pty, select, sys, time',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    '    os.execvp(sys.argv[1], sys.argv[1:])',
    "out, sent, deadline = b'', False, time.time() + 60",
    "answer = os.environ.get('CONFIRM')",
    'while time.time() < deadline:',
    '    ready, _, _ = select.select([fd], [], [], 1)',
    '    if not ready: continue',
    '    try: chunk = os.read(fd, 4096)',
    '    except OSError: break',
    '    if not chunk: break',
    '    out += chunk',
    `    if answer is not None and not sent and ${JSON.stringify(PROMPT.trim())}.encode() in out:`,
    "        os.write(fd, (answer + '\\r').encode()); sent = True",
    '_, status = os.waitpid(pid, 0)',
    "sys.stdout.write(out.decode(errors='replace'))",
    'sys.exit(os.waitstatus_to_exitcode(status))',
  ].join('\n');
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  if (answer === undefined) delete env.CONFIRM;
  else env.CONFIRM = answer;
  const result = spawnSync(process.env.PYTHON ?? 'python3', ['-c', driver, process.execPath, bin, ...args], { env, encoding: 'utf8', timeout: 90_000 });
  return { code: result.status, out: result.stdout.replace(/\r\n/g, '\n') };
}

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
