/** `engine-source` prints an engine only when the template's function is exactly the loader around that one engine. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { main } from '../cli/main';
import { engineHash, fromBase91, packEngine, templateEngine, toBase91, unpackEngine } from '../lib/engine-pack';

const ENGINE = 'exports.handler=async()=>{};';
const HASH = engineHash(ENGINE);
const LOADER = packEngine(ENGINE, HASH);

/** The shape of the cleanup template that engine-source reads: one inline function, one custom resource running it. */
function template(code: string, engineVersion: string = HASH) {
  return {
    Resources: {
      Handler: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler', Code: { ZipFile: code } } },
      Run: { Type: 'Custom::ProviderDeparture', Properties: { ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] }, EngineVersion: engineVersion } },
    },
  };
}

async function engineSource(body: unknown) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'engine-source-')), 'template.json');
  writeFileSync(file, JSON.stringify(body));
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['engine-source', file], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n').replace(file, 'TEMPLATE') };
}

const decoy = toBase91(brotliCompressSync(Buffer.from('require("child_process")')));

test('base 91 round-trips any bytes, in characters that need no escape in JavaScript, JSON or single-quoted YAML', () => {
  for (let length = 0; length < 200; length++) {
    const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 151 + length * 7) % 256));
    const text = toBase91(bytes);
    expect(fromBase91(text, length)).toEqual(bytes);
    expect(text).toMatch(/^[!#-&(-[\]-~]*$/);
    expect(text.length).toBeLessThanOrEqual(Math.ceil((length * 8) / 13) * 2);
  }
});

test('EngineVersion is the full SHA-256 and the loader names it', () => {
  expect(HASH).toMatch(/^[0-9a-f]{64}$/);
  expect(LOADER.split('\n')[0]).toContain(`ctl-departure engine ${HASH} `);
  expect(unpackEngine(LOADER)).toEqual({ code: ENGINE, hash: HASH });
});

test('engine-source prints the verified engine with its full EngineVersion', async () => {
  expect(await engineSource(template(LOADER))).toEqual({ code: 0, out: `// EngineVersion ${HASH}\n${ENGINE}`, err: '' });
});

test.each([
  ['code after the loader', `${LOADER}\nrequire("child_process").execSync("curl evil")`, 'ctl-departure: engine-source TEMPLATE: the code is not exactly the ctl-departure loader around its engine'],
  ['code before the loader', `globalThis.x=1;${LOADER}`, 'the code is not exactly the ctl-departure loader around its engine'],
  ['a decoy blob', `${LOADER}\n//S="${decoy}",B=[]`, 'the code carries 2 packed blobs, not one'],
  ['a header naming another hash', LOADER.replace(HASH, 'f'.repeat(64)), 'the code is not exactly the ctl-departure loader'],
  ['no blob at all', 'exports.handler=async()=>{}', 'this code was not written by ctl-departure (no packed engine in it)'],
  ['a blob that is not brotli', LOADER.replace(/S="[^"]+"/, 'S="AAAA"'), 'the packed engine does not decompress'],
  ['a length that is not the blob\'s', LOADER.replace(/B\.length=\d+;/, 'B.length=3;'), 'the packed engine does not decompress'],
])('engine-source refuses %s with one line and exit code 2', async (_what, code, message) => {
  const result = await engineSource(template(code));
  expect(result.code).toBe(2);
  expect(result.out).toBe('');
  expect(result.err).toContain(message);
  expect(result.err.split('\n')).toHaveLength(1);
});

test('an EngineVersion that is not the hash of the code, or a 16-digit one, is refused', () => {
  expect(() => templateEngine(template(LOADER, HASH.slice(0, 16)))).toThrow(`EngineVersion "${HASH.slice(0, 16)}" is not the sha256 of the code the template carries (${HASH})`);
});

test('a second inline function, or a custom resource that runs another function, is refused', () => {
  const two = template(LOADER);
  (two.Resources as Record<string, unknown>).Other = { Type: 'AWS::Lambda::Function', Properties: { Code: { ZipFile: 'x' } } };
  expect(() => templateEngine(two)).toThrow('the template has 2 Lambda functions with inline code, not one');
  const elsewhere = template(LOADER);
  elsewhere.Resources.Run.Properties.ServiceToken = { 'Fn::GetAtt': ['Elsewhere', 'Arn'] };
  expect(() => templateEngine(elsewhere)).toThrow("the custom resource does not run the template's inline function");
});
