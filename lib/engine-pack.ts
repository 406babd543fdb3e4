/**
 * The engine as the template carries it: minified, brotli-compressed and base64-encoded behind a one-line loader
 * that says what it is. Kept apart from the bundler so the CLI can read templates without esbuild.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/** The loader line: decompresses the engine and compiles it as this module (index.js), so `handler` is exported. */
export function packEngine(plain: string, hash: string): string {
  const packed = brotliCompressSync(Buffer.from(plain), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).toString('base64');
  return [
    `// ctl-departure engine ${hash} (sha256 of the code): brotli+base64 to fit the template; print it with: npx ctl-departure engine-source TEMPLATE`,
    `module._compile(require("zlib").brotliDecompressSync(Buffer.from("${packed}","base64")).toString(),__filename);`,
  ].join('\n');
}

/** The engine code carried by a loader written by {@link packEngine}. */
export function unpackEngine(code: string): string {
  const packed = /Buffer\.from\("([A-Za-z0-9+/=]+)","base64"\)/.exec(code)?.[1];
  if (!packed) throw new Error('this code was not written by ctl-departure (no packed engine in it)');
  return brotliDecompressSync(Buffer.from(packed, 'base64')).toString();
}

/** SHA-256 (first 16 hex digits) of the engine code: the template's `EngineVersion`. */
export function engineHash(plain: string): string {
  return createHash('sha256').update(plain).digest('hex').slice(0, 16);
}

/** The inlined Lambda code of a synthesized cleanup template. */
export function inlinedCode(template: { Resources?: Record<string, { Type?: string; Properties?: { Code?: { ZipFile?: unknown } } }> }): string {
  const fn = Object.values(template.Resources ?? {}).find((r) => r.Type === 'AWS::Lambda::Function' && typeof r.Properties?.Code?.ZipFile === 'string');
  if (!fn) throw new Error('the template has no Lambda function with inline code');
  return fn.Properties!.Code!.ZipFile as string;
}
