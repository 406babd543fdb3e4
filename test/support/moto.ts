/**
 * Starts our strict moto launcher (test/moto/strict_moto.py) on a free loopback port for one test file or
 * rehearsal, and stops it afterwards, so nothing has to be running beforehand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/** The launcher, found from this file whether it runs as TypeScript or compiled into dist/. */
function launcherPath(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'moto', 'strict_moto.py');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find test/moto/strict_moto.py above ${__dirname}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.env.PYTHON ?? 'python3', [launcherPath(), '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // MOTO_LOG=1 shows the server's own log, e.g. the traceback behind an HTTP 500.
  if (process.env.MOTO_LOG) child.stderr?.pipe(process.stderr);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`strict moto exited with code ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`strict moto did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    endpoint,
    port,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered HTTP ${response.status}`);
    },
    async enforceIam(afterActions) {
      const response = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: String(afterActions === Infinity ? 'inf' : afterActions) });
      if (!response.ok) throw new Error(`moto reset-auth answered HTTP ${response.status}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
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
