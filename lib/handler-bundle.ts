/**
 * Bundles the engine's Lambda handler into one minified CommonJS file for inlining in the template.
 * The AWS SDK is left to the Lambda runtime, which ships it: the bundle carries only our code.
 */
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export interface HandlerBundle {
  /** The code, as CloudFormation writes it to `index.js`. */
  readonly code: string;
  /** SHA-256 of the code: a new engine version changes it and so re-runs the custom resource. */
  readonly hash: string;
}

let cached: HandlerBundle | undefined;

export function bundleHandler(): HandlerBundle {
  if (cached) return cached;
  const result = buildSync({
    entryPoints: [path.join(projectRoot(), 'lambda', 'handler.ts')],
    bundle: true,
    platform: 'node',
    // The Lambda runs nodejs24.x; ES2022 output also runs on the Node 20 used for local rehearsals.
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    external: ['@aws-sdk/*'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text.trim();
  cached = { code, hash: createHash('sha256').update(code).digest('hex').slice(0, 16) };
  return cached;
}

/** The checkout's root, found from this file whether it runs as TypeScript or from dist/. */
function projectRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'lambda', 'handler.ts'))) return dir;
  }
  throw new Error(`cannot find lambda/handler.ts above ${__dirname}`);
}
