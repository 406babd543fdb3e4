/**
 * The engine as the template carries it: minified, brotli-compressed and written in base 91 behind a one-line loader
 * that says what it is. Kept apart from the bundler so the CLI can read templates without esbuild.
 *
 * Base 91: every 13 bits are two characters of printable ASCII without `"`, `'` and `\`, so the blob needs no escape
 * in a JavaScript string, in JSON, or in the single-quoted YAML the CDK CLI sends (8/6.5 bytes per byte against
 * base64's 8/6: about 2 KB less template for a 21 KB engine).
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/** The 91 characters, by value: `!` to `~` without `"` `'` `\`. */
const DIGITS = [...Array(94)].map((_, i) => String.fromCharCode(33 + i)).filter((c) => !`"'\\`.includes(c));

/** Bytes → base 91, 13 bits per two characters, least significant bits first. */
export function toBase91(bytes: Uint8Array): string {
  let text = '';
  let bits = 0;
  let count = 0;
  const emit = (value: number) => (text += DIGITS[Math.floor(value / 91)]! + DIGITS[value % 91]!);
  for (const byte of bytes) {
    bits |= byte << count;
    count += 8;
    if (count >= 13) {
      emit(bits & 8191);
      bits >>>= 13;
      count -= 13;
    }
  }
  if (count > 0) emit(bits);
  return text;
}

/** Base 91 → bytes: the loader's own decoding, written out (the loader's is the same loop in one line). */
export function fromBase91(text: string, length: number): Buffer {
  const digit = (c: number) => c - 33 - +(c > 34) - +(c > 39) - +(c > 92);
  const out: number[] = [];
  let bits = 0;
  let count = 0;
  for (let i = 0; i < text.length; i += 2) {
    for (bits |= (digit(text.charCodeAt(i)) * 91 + digit(text.charCodeAt(i + 1))) << count, count += 13; count > 7; count -= 8) {
      out.push(bits & 255);
      bits >>= 8;
    }
  }
  out.length = length;
  return Buffer.from(out);
}

/** The loader around one packed engine: the only text {@link packEngine} ever writes, and the only one accepted back. */
function loaderText(hash: string, packed: string, length: number): string {
  return [
    `// ctl-departure engine ${hash} (sha256), brotli+base91; print it: npx ctl-departure engine-source TEMPLATE`,
    `for(var S="${packed}",B=[],V=0,N=0,I=0,D=c=>c-33-(c>34)-(c>39)-(c>92);I<S.length;I+=2)for(V|=(D(S.charCodeAt(I))*91+D(S.charCodeAt(I+1)))<<N,N+=13;N>7;N-=8)B.push(V&255),V>>=8;B.length=${length};` +
      'module._compile(require("zlib").brotliDecompressSync(Buffer.from(B)).toString(),__filename);',
  ].join('\n');
}

/** The loader line: decodes and decompresses the engine and compiles it as this module (index.js), so `handler` is exported. */
export function packEngine(plain: string, hash: string): string {
  const compressed = brotliCompressSync(Buffer.from(plain), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  return loaderText(hash, toBase91(compressed), compressed.length);
}

/** The engine a loader carries, and its SHA-256. */
export interface UnpackedEngine {
  /** Exactly the text the loader compiles. */
  readonly code: string;
  /** SHA-256 of `code`, 64 hex digits: the template's `EngineVersion`. */
  readonly hash: string;
}

const BLOB = /S="([!#-&(-[\]-~]*)",B=\[\]/g;
const LENGTH = /B\.length=(\d{1,9});/;

/**
 * The engine code carried by a loader written by {@link packEngine}, refused unless the code is byte for byte that
 * loader around one blob: code outside the blob, a second (decoy) blob or a header naming another hash would run or
 * claim something the printed engine does not show. The loader is re-generated around the blob found rather than
 * re-compressed, since brotli's output may differ between zlib versions while the text compiled is the same.
 */
export function unpackEngine(code: string): UnpackedEngine {
  const blobs = [...code.matchAll(BLOB)].map((match) => match[1]!);
  if (blobs.length !== 1) {
    throw new Error(blobs.length ? `the code carries ${blobs.length} packed blobs, not one: it is not the ctl-departure loader` : 'this code was not written by ctl-departure (no packed engine in it)');
  }
  const packed = blobs[0]!;
  const length = Number(LENGTH.exec(code)?.[1] ?? -1);
  let plain: string;
  try {
    if (length < 0) throw new Error('no length');
    plain = brotliDecompressSync(fromBase91(packed, length)).toString();
  } catch (error) {
    throw new Error(`the packed engine does not decompress (${(error as Error).message})`);
  }
  const hash = engineHash(plain);
  const expected = loaderText(hash, packed, length);
  if (code !== expected) {
    const at = firstDifference(code, expected);
    throw new Error(`the code is not exactly the ctl-departure loader around its engine (sha256 ${hash}): it differs at character ${at} of ${code.length}`);
  }
  return { code: plain, hash };
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** SHA-256 of the engine code, all 64 hex digits: the template's `EngineVersion`. */
export function engineHash(plain: string): string {
  return createHash('sha256').update(plain).digest('hex');
}

type TemplateResource = { Type?: string; Properties?: Record<string, unknown> & { Code?: { ZipFile?: unknown }; ServiceToken?: unknown } };
type Template = { Resources?: Record<string, TemplateResource> };

/** The inlined Lambda code of a synthesized cleanup template: its one function with inline code. */
export function inlinedCode(template: Template): string {
  const inline = Object.values(template.Resources ?? {}).filter((r) => r.Type === 'AWS::Lambda::Function' && typeof r.Properties?.Code?.ZipFile === 'string');
  if (inline.length !== 1) throw new Error(inline.length ? `the template has ${inline.length} Lambda functions with inline code, not one` : 'the template has no Lambda function with inline code');
  return inline[0]!.Properties!.Code!.ZipFile as string;
}

/**
 * The engine a cleanup template runs, verified: the custom resource's ServiceToken names the one function with inline
 * code, that code is exactly the loader around one blob, and the custom resource's `EngineVersion` is the blob's hash.
 */
export function templateEngine(template: Template): UnpackedEngine {
  const resources = Object.entries(template.Resources ?? {});
  const custom = resources.filter(([, r]) => r.Type === 'Custom::ProviderDeparture');
  if (custom.length !== 1) throw new Error(`the template has ${custom.length} Custom::ProviderDeparture resources, not one`);
  const properties = custom[0]![1].Properties ?? {};
  const token = properties.ServiceToken as { 'Fn::GetAtt'?: unknown } | undefined;
  const target = Array.isArray(token?.['Fn::GetAtt']) && token['Fn::GetAtt'][1] === 'Arn' ? String(token['Fn::GetAtt'][0]) : undefined;
  const code = inlinedCode(template);
  if (!target || template.Resources?.[target]?.Properties?.Code?.ZipFile !== code) {
    throw new Error('the custom resource does not run the template\'s inline function (its ServiceToken is not {"Fn::GetAtt": [<that function>, "Arn"]})');
  }
  const engine = unpackEngine(code);
  if (properties.EngineVersion !== engine.hash) {
    throw new Error(`EngineVersion ${JSON.stringify(properties.EngineVersion)} is not the sha256 of the code the template carries (${engine.hash})`);
  }
  return engine;
}
