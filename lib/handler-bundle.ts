/**
 * Bundles the engine's Lambda handler for inlining in the template. The AWS SDK is left to the Lambda runtime,
 * which ships it: the bundle carries only our code.
 *
 * The minified bundle is brotli-compressed behind a one-line loader so that the whole stack stays far below
 * CloudFormation's 51,200-byte limit for a template sent inline. The loader says what it is; `npx ctl-departure
 * engine-source TEMPLATE` prints the code a template carries, and `EngineVersion` (the SHA-256 of that code)
 * ties it to the source it was built from.
 */
import { buildSync } from 'esbuild';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { engineHash, packEngine } from './engine-pack';

export interface HandlerBundle {
  /** What CloudFormation writes to `index.js`: the loader with the compressed engine. */
  readonly code: string;
  /** The engine itself, minified. */
  readonly plain: string;
  /** SHA-256 (64 hex digits) of `plain`: a new engine version changes it and so re-runs the custom resource. */
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
  const plain = result.outputFiles[0]!.text.trim();
  const hash = engineHash(plain);
  cached = { code: packEngine(plain, hash), plain, hash };
  return cached;
}

/** The checkout's root, found from this file whether it runs as TypeScript or from dist/. */
function projectRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'lambda', 'handler.ts'))) return dir;
  }
  throw new Error(`cannot find lambda/handler.ts above ${__dirname}`);
}
