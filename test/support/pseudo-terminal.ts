/**
 * Runs the `ctl-departure` bin entry on a pseudo-terminal (python's pty), as an operator meets it: its stdin, stdout
 * and stderr are a terminal. Once `prompt` appears, `answer` is typed (never, if undefined). The output is the
 * terminal's, with its CRLF line ends made LF.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const BIN = path.join(__dirname, '..', '..', 'bin', 'ctl-departure.js');

const DRIVER = [
  'import os, pty, select, sys, time',
  'pid, fd = pty.fork()',
  'if pid == 0:',
  '    os.execvp(sys.argv[1], sys.argv[1:])',
  "out, sent, deadline = b'', False, time.time() + 60",
  "answer, prompt = os.environ.get('PTY_ANSWER'), os.environ['PTY_PROMPT'].encode()",
  'while time.time() < deadline:',
  '    ready, _, _ = select.select([fd], [], [], 1)',
  '    if not ready: continue',
  '    try: chunk = os.read(fd, 4096)',
  '    except OSError: break',
  '    if not chunk: break',
  '    out += chunk',
  '    if answer is not None and not sent and prompt in out:',
  "        os.write(fd, (answer + '\\r').encode()); sent = True",
  '_, status = os.waitpid(pid, 0)',
  "sys.stdout.write(out.decode(errors='replace'))",
  'sys.exit(os.waitstatus_to_exitcode(status))',
].join('\n');

export function onTerminal(args: readonly string[], options: { prompt: string; answer?: string; env?: NodeJS.ProcessEnv }): { code: number | null; out: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, PTY_PROMPT: options.prompt };
  if (options.answer === undefined) delete env.PTY_ANSWER;
  else env.PTY_ANSWER = options.answer;
  const result = spawnSync(process.env.PYTHON ?? 'python3', ['-c', DRIVER, process.execPath, BIN, ...args], { env, encoding: 'utf8', timeout: 90_000 });
  return { code: result.status, out: result.stdout.replace(/\r\n/g, '\n') };
}
