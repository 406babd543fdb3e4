/**
 * Starts our strict moto launcher (test/moto/strict_moto.py) on a free loopback port for one test file or
 * rehearsal, and stops it afterwards, so nothing has to be running beforehand.
 *
 *   const server = await startMoto();                  // in beforeAll
 *   const iam = new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
 *   await server.reset();                              // in beforeEach: every account empty again
 *   await server.stop();                               // in afterAll
 *
 * PYTHON selects the interpreter (default python3); MOTO_LOG=1 shows the server's stderr, e.g. the traceback
 * behind an HTTP 500.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import * as path from 'node:path';

export interface MotoServer {
  /** e.g. http://127.0.0.1:43121 */
  readonly endpoint: string;
  readonly port: number;
  /** Forgets every resource in every account (moto's /moto-api/reset). */
  reset(): Promise<void>;
  /**
   * Turns moto's IAM authorization on (after `afterActions` more requests) or off (`Infinity`): with it on, a
   * caller's policies are enforced and a denied call answers AccessDenied, as in AWS.
   */
  enforceIam(afterActions: number): Promise<void>;
  /** Stops the server and waits until its process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const READY_LINE = /^strict-moto ready on (http:\/\/\S+)$/m;

/** The launcher, found from this file whether it runs as TypeScript (test/support) or compiled (dist/test/support). */
function launcherPath(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'moto', 'strict_moto.py');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find test/moto/strict_moto.py above ${__dirname}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function post(url: string, body?: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', body });
  await response.arrayBuffer(); // drain, so the connection is released
  if (!response.ok) throw new Error(`POST ${url} answered HTTP ${response.status}`);
}

export interface MotoOptions {
  /**
   * IAM's eventual consistency: DeleteRole, DeletePolicy, DeleteUser and DeleteGroup answer DeleteConflict until
   * this long after the last detach that freed the entity (strict_moto.py rule (o)).
   * @default 0, always consistent
   */
  readonly iamPropagationSeconds?: number;
}

export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  const port = await freePort();
  const args = [launcherPath(), '--port', String(port), '--host', '127.0.0.1'];
  if (options.iamPropagationSeconds) args.push('--iam-propagation-seconds', String(options.iamPropagationSeconds));
  // The server logs every request on stderr. Into a file, never a pipe: a pipe fills while this process cannot read it
  // (a test waiting in spawnSync for a CLI that calls the server), and the server then stalls on its next log line.
  const logDir = mkdtempSync(path.join(tmpdir(), 'strict-moto-'));
  const logFile = path.join(logDir, 'stderr.log');
  const log = process.env.MOTO_LOG ? 'inherit' : openSync(logFile, 'w');
  const child = spawn(process.env.PYTHON ?? 'python3', args, {
    stdio: ['ignore', 'pipe', log],
  });
  if (typeof log === 'number') closeSync(log);
  const stderrTail = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '(shown above: MOTO_LOG)');
  // Never leave a server behind, even when a test file forgets stop() or the runner exits early.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  // stdout is read for the server's lifetime (it says little after "ready"); the log's tail explains failures.
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout = (stdout + chunk).slice(-4000)));
  exited.then(() => rmSync(logDir, { recursive: true, force: true }));

  const endpoint = await new Promise<string>((resolve, reject) => {
    const fail = (why: string) => {
      cleanup();
      child.kill('SIGKILL');
      process.removeListener('exit', killOnExit);
      reject(new Error(`strict moto (port ${port}) ${why}\n--- stderr ---\n${stderrTail()}`));
    };
    const timer = setTimeout(() => fail(`was not ready within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    const onData = () => {
      const ready = READY_LINE.exec(stdout);
      if (ready) {
        cleanup();
        resolve(ready[1]);
      }
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`);
    const onError = (error: Error) => fail(`could not start: ${error.message}`);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.removeListener('data', onData);
      child.removeListener('exit', onExit);
      child.removeListener('error', onError);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });

  return {
    endpoint,
    port,
    reset: () => post(`${endpoint}/moto-api/reset`),
    enforceIam: (afterActions) => post(`${endpoint}/moto-api/reset-auth`, afterActions === Infinity ? 'inf' : String(afterActions)),
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_GRACE_MS)));
      if (await Promise.race([exited.then(() => false), graceOver])) {
        child.kill('SIGKILL');
        await exited;
      }
      clearTimeout(timer);
    },
  };
}

/** The standard AWS environment that points an SDK client or a child process at the server. */
export function motoEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
  };
}
