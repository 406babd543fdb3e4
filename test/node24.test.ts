/**
 * Runs what Lambda runs: the template's inline code, exactly, written to index.js and invoked by a Node 24 process
 * (nodejs24.x) with synthetic CloudFormation events, against moto and a local response server. The jest process runs
 * Node 20; only this test sees the runtime the stack declares.
 *
 * The child's environment differs from Lambda's in two ways only: NODE_PATH points at this checkout's AWS SDK (Lambda's
 * points at the runtime's copy), and the rehearsal switch lets the handler answer the local recorder over http.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inlinedCode } from '../lib/engine-pack';
import { ALLOW_LOOPBACK_HTTP_ENV } from '../lambda/response';
import { departureResource, resolveProperties, type CfnTemplate } from '../scripts/rehearsal';
import { readIamState } from './support/iam-state';
import { motoEnv, startMoto, type MotoServer } from './support/moto';
import { findNode24, lambdaDriver, SKIP_NODE24_ENV } from './support/node24';
import { seedReferenceAccount } from './support/reference-account';
import { synthDepartureStack } from './support/synth';

const ROOT = path.resolve(__dirname, '..');
const ACCOUNT = '123456789012';
const STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/ProviderDeparture/0f7e0c10-0000-11ef-0000-0a1b2c3d4e5f`;
const node24 = findNode24(ROOT);

const DRIVER = lambdaDriver('node24');

if ('missing' in node24) {
  if (process.env[SKIP_NODE24_ENV] === '1') test.skip(`the inlined handler under Node 24 (skipped by ${SKIP_NODE24_ENV}=1)`, () => undefined);
  // Not a skip: CI must have the runtime the stack declares.
  else test('the inlined handler under Node 24: a Node 24 binary is needed', () => expect(node24.missing).toBe('a Node 24 binary'));
} else {
  const binary = node24.path;
  describe(`the inlined handler under ${node24.version}`, () => {
    let moto: MotoServer;
    let server: Server;
    let responseUrl: string;
    const answers: Record<string, unknown>[] = [];
    let dir: string;
    let properties: Record<string, string>;
    let iam: IAMClient;

    beforeAll(async () => {
      moto = await startMoto();
      iam = new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      await seedReferenceAccount(iam, ACCOUNT);
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => (answers.push(JSON.parse(body)), response.writeHead(200).end()));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      responseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/cloudformation-response?sig=1`;

      const template = synthDepartureStack().artifact.template as CfnTemplate;
      dir = mkdtempSync(path.join(tmpdir(), 'ctl-departure-node24-'));
      // Exactly the template's ZipFile, as CloudFormation writes it to index.js.
      writeFileSync(path.join(dir, 'index.js'), inlinedCode(template as never));
      writeFileSync(path.join(dir, 'driver.js'), DRIVER);
      const resource = departureResource(template);
      const functionId = ((resource.properties.ServiceToken as { 'Fn::GetAtt': string[] })['Fn::GetAtt'])[0]!;
      const defaults = Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([key, p]) => [key, p.Default ?? '']));
      properties = resolveProperties(resource.properties, defaults, { [functionId]: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:ProviderDeparture-Handler` });
    }, 120_000);

    afterAll(async () => {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await moto?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** One invocation in a fresh Node 24 process; the answer the response server received, and the runtime's version. */
    async function invoke(event: Record<string, unknown>) {
      const file = path.join(dir, `event-${answers.length}-${Date.now()}.json`);
      writeFileSync(file, JSON.stringify({ ServiceToken: properties.ServiceToken, ResponseURL: responseUrl, StackId: STACK_ID, RequestId: `req-${Date.now()}`, LogicalResourceId: 'DepartureRun', ResourceType: 'Custom::ProviderDeparture', ...event }));
      const before = answers.length;
      const env = {
        PATH: process.env.PATH,
        NODE_PATH: path.join(ROOT, 'node_modules'),
        ...motoEnv(moto.endpoint),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        [ALLOW_LOOPBACK_HTTP_ENV]: '1',
      };
      // Asynchronous: the response server answering the child lives in this process.
      const stderr = await new Promise<string>((resolve, reject) =>
        execFile(binary, ['driver.js', file], { cwd: dir, env, timeout: 120_000 }, (error, _out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(err))),
      );
      return { answer: answers[before] as Record<string, any>, answers: answers.length - before, runtime: /^runtime (\S+)/m.exec(stderr)?.[1] };
    }

    test('Create in plan mode answers SUCCESS with the counts, changing nothing', async () => {
      const before = await readIamState(iam);
      const { answer, answers: count, runtime } = await invoke({ RequestType: 'Create', ResourceProperties: properties });
      expect(runtime).toBe(node24.version);
      expect(count).toBe(1);
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `ctl-departure-${ACCOUNT}`, StackId: STACK_ID, LogicalResourceId: 'DepartureRun', Data: { Mode: 'plan', Account: ACCOUNT, Failed: 0 } });
      expect(answer.Data.Delete).toBeGreaterThan(0);
      expect(await readIamState(iam)).toEqual(before);
    });

    test('an Update asking for apply whose stack status cannot be read runs a plan only and answers SUCCESS', async () => {
      const before = await readIamState(iam);
      // moto has no such stack: DescribeStacks fails, so this Update may be a rollback.
      const { answer } = await invoke({ RequestType: 'Update', PhysicalResourceId: `ctl-departure-${ACCOUNT}`, ResourceProperties: { ...properties, Mode: 'apply' }, OldResourceProperties: properties });
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `ctl-departure-${ACCOUNT}`, Data: { Mode: 'plan' } });
      expect(answer.Reason).toMatch(/^could not tell whether this Update is a rollback \(DescribeStacks failed: ValidationError: /);
      expect(await readIamState(iam)).toEqual(before);
    });

    test('an unknown RequestType and a bad property answer FAILED with one line, running nothing', async () => {
      expect((await invoke({ RequestType: 'Upsert', ResourceProperties: properties })).answer).toMatchObject({
        Status: 'FAILED',
        Reason: 'unknown RequestType "Upsert": CloudFormation sends Create, Update or Delete; nothing ran',
      });
      expect((await invoke({ RequestType: 'Create', ResourceProperties: { ...properties, KeepCamProvider: 'maybe' } })).answer).toMatchObject({
        Status: 'FAILED',
        Reason: 'bad property KeepCamProvider: must be "true" or "false", not "maybe"; nothing ran',
      });
    });

    test('Delete changes nothing and succeeds', async () => {
      const { answer } = await invoke({ RequestType: 'Delete', PhysicalResourceId: `ctl-departure-${ACCOUNT}`, ResourceProperties: properties });
      expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: 'delete changes nothing', PhysicalResourceId: `ctl-departure-${ACCOUNT}` });
    });
  });
}
