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
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
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
  // The kinds' permission declarations are read by the stack, never by the running engine: the bundle leaves them out.
  const source = mkdtempSync(path.join(tmpdir(), 'ctl-departure-engine-'));
  try {
    return bundleFrom(withoutPermissions(path.join(projectRoot(), 'lambda'), source));
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
}

/**
 * A copy of `lambda/` in `into` whose resource kinds declare `permissions: []`: a few kilobytes of IAM actions, ARN
 * templates and reasons that only the stack's policy is built from (see lambda/engine/permissions.ts).
 */
function withoutPermissions(lambdaDir: string, into: string): string {
  const copy = path.join(into, 'lambda');
  cpSync(lambdaDir, copy, { recursive: true });
  // The same compiler options as the checkout's (esbuild reads them from the nearest tsconfig.json).
  cpSync(path.join(lambdaDir, '..', 'tsconfig.json'), path.join(into, 'tsconfig.json'));
  const kinds = path.join(copy, 'resources');
  for (const file of readdirSync(kinds).filter((name) => name.endsWith('.ts'))) {
    const at = path.join(kinds, file);
    const text = readFileSync(at, 'utf8');
    const tree = ts.createSourceFile(at, text, ts.ScriptTarget.Latest, true);
    const cuts: [number, number][] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAssignment(node) && node.name.getText(tree) === 'permissions' && ts.isObjectLiteralExpression(node.parent)) {
        cuts.push([node.initializer.getStart(tree), node.initializer.getEnd()]);
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(tree);
    writeFileSync(at, cuts.reverse().reduce((out, [start, end]) => `${out.slice(0, start)}[]${out.slice(end)}`, text));
  }
  return path.join(copy, 'handler.ts');
}

function bundleFrom(entry: string): HandlerBundle {
  const result = buildSync({
    entryPoints: [entry],
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
