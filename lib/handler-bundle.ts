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
import { minify_sync as minifySync } from 'terser';
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

/** Which stack's function: the cleanup stack's (lib/departure-stack.ts) or the sweep stack's (lib/sweep-stack.ts). */
export type BundleVariant = 'cleanup' | 'sweep';

const cached = new Map<BundleVariant, HandlerBundle>();

/**
 * The function of one stack. Both come from lambda/handler.ts: the sweep's takes lambda/sweep-handler.ts in place of
 * lambda/stack-dependencies.ts, and `process.env.CTL_DEPARTURE_BUNDLE` is the variant's name in the bundle (esbuild
 * `define`, see lambda/engine/bundle.ts), so each carries only its own stack's code.
 */
export function bundleHandler(variant: BundleVariant = 'cleanup'): HandlerBundle {
  const known = cached.get(variant);
  if (known) return known;
  // What only the stack and the CLI read (IAM permission declarations, the protection table's prose) is left out.
  const source = mkdtempSync(path.join(tmpdir(), 'ctl-departure-engine-'));
  try {
    const entry = withoutStackOnlyData(path.join(projectRoot(), 'lambda'), source);
    // The sweep stack's function: the handler's stack dependencies are the sweep's, a static import, so the bundler
    // still sees every module whole and drops what the define makes dead.
    if (variant === 'sweep') writeFileSync(path.join(path.dirname(entry), 'stack-dependencies.ts'), "export { STACK_DEPENDENCIES } from './sweep-handler';\n");
    const bundle = bundleFrom(entry, variant);
    cached.set(variant, bundle);
    return bundle;
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
}

/**
 * What the running engine never reads, replaced by an empty value in a copy of `lambda/` (in `into`): each kind's
 * `permissions` and every `*_PERMISSIONS` list (IAM actions, ARN templates and reasons the stack's policy is built
 * from, see lambda/engine/permissions.ts) with every single `Permission` they share, and the protection rules'
 * `description` and `iamPatterns` (printed by `ctl-departure protections`, written into the stack's Deny). Kilobytes
 * of template saved, no behaviour changed: the handler's tests run the bundle.
 */
function withoutStackOnlyData(lambdaDir: string, into: string): string {
  const copy = path.join(into, 'lambda');
  cpSync(lambdaDir, copy, { recursive: true });
  // The same compiler options as the checkout's (esbuild reads them from the nearest tsconfig.json).
  cpSync(path.join(lambdaDir, '..', 'tsconfig.json'), path.join(into, 'tsconfig.json'));
  const files = (readdirSync(copy, { recursive: true }) as string[]).filter((name) => name.endsWith('.ts'));
  for (const file of files) {
    const at = path.join(copy, file);
    const text = readFileSync(at, 'utf8');
    const tree = ts.createSourceFile(at, text, ts.ScriptTarget.Latest, true);
    const cuts: [number, number, string][] = [];
    const cut = (node: ts.Expression, empty: string): void => void cuts.push([node.getStart(tree), node.getEnd(), empty]);
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent)) {
        const name = node.name.getText(tree);
        if (name === 'permissions' && file.startsWith('resources')) return cut(node.initializer, '[]');
        if (file === path.join('protections', 'builtin.ts') && name === 'description') return cut(node.initializer, "''");
        if (file === path.join('protections', 'builtin.ts') && name === 'iamPatterns') return cut(node.initializer, '[]');
      }
      if (ts.isVariableDeclaration(node) && node.initializer && /_PERMISSIONS$/.test(node.name.getText(tree))) return cut(node.initializer, '[]');
      // A single declaration shared by kinds (e.g. DELETE_VIRTUAL_MFA_DEVICES): only their `permissions` named it.
      if (ts.isVariableDeclaration(node) && node.initializer && node.type?.getText(tree) === 'Permission') return cut(node.initializer, '{}');
      ts.forEachChild(node, visit);
    };
    visit(tree);
    writeFileSync(at, cuts.sort((x, y) => y[0] - x[0]).reduce((out, [start, end, empty]) => `${out.slice(0, start)}${empty}${out.slice(end)}`, text));
  }
  return path.join(copy, 'handler.ts');
}

function bundleFrom(entry: string, variant: BundleVariant): HandlerBundle {
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
    define: { 'process.env.CTL_DEPARTURE_BUNDLE': JSON.stringify(variant) },
    write: false,
    logLevel: 'silent',
  });
  // esbuild's minifier keeps the module's top-level names and folds little; terser's second pass over its output
  // renames the top level (the bundle is one CommonJS module: nothing outside reads those names) and compresses
  // further: about 1 KB less engine after brotli. No `unsafe` transforms: the code must behave as written.
  const minified = minifySync(result.outputFiles[0]!.text, {
    ecma: 2020,
    toplevel: true,
    compress: { passes: 3 },
    mangle: { toplevel: true },
    format: { comments: false },
  });
  const plain = minified.code!.trim();
  const hash = engineHash(plain);
  return { code: packEngine(plain, hash), plain, hash };
}

/** The checkout's root, found from this file whether it runs as TypeScript or from dist/. */
function projectRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'lambda', 'handler.ts'))) return dir;
  }
  throw new Error(`cannot find lambda/handler.ts above ${__dirname}`);
}
