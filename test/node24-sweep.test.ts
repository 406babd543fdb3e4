/**
 * Runs what the sweep stack's Lambda runs: its template's inline code (the sweep bundle, lib/handler-bundle.ts),
 * exactly, written to index.js and invoked by a Node 24 process with synthetic CloudFormation events, against strict
 * moto and a local response server, as test/node24.test.ts does for the cleanup stack.
 *
 * Two templates: built to read (`-c sweep=true`) and built to remove (`-c sweep='{"remove":true}'`). Moto holds a KMS
 * key (us-east-1) whose policy grants the provider beside the customer's own statement, and an SNS topic (eu-west-1)
 * whose one statement grants the provider and a customer's partner account together; the Regions property pins the
 * sweep to those two regions, so both must be swept for both to be found (one test leaves it empty: every region
 * EC2 DescribeRegions names).
 */
import { GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateTopicCommand, GetTopicAttributesCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inlinedCode } from '../lib/engine-pack';
import { ALLOW_LOOPBACK_HTTP_ENV } from '../lambda/response';
import { departureResource, resolveProperties, type CfnTemplate } from '../scripts/rehearsal';
import { useMotoEnvironment } from './support/engine-harness';
import { motoEnv, startMoto, type MotoServer } from './support/moto';
import { findNode24, lambdaDriver, SKIP_NODE24_ENV } from './support/node24';
import { ACCOUNT, PARTNER, PROVIDER, seedKmsKey } from './support/sweep-seed';
import { synthSweepStack } from './support/synth';

const ROOT = path.resolve(__dirname, '..');
const STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/ProviderDepartureSweep/5e7a1c20-0000-11ef-0000-0a1b2c3d4e5f`;
const PHYSICAL_ID = `ctl-departure-${ACCOUNT}`;
const KEY_REGION = 'us-east-1';
const TOPIC_REGION = 'eu-west-1';
const node24 = findNode24(ROOT);

const DRIVER = lambdaDriver('node24-sweep');

/** One synthesized variant: where its index.js is, and its custom resource's properties as CloudFormation sends them. */
interface Variant {
  readonly dir: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, string>;
}

/** The template's inline code in its own directory, and the resource's properties from the parameters' defaults. */
function prepare(sweep: string, into: string): Variant {
  const template = synthSweepStack(sweep).artifact.template as CfnTemplate;
  const dir = path.join(into, sweep === 'true' ? 'read' : 'remove');
  mkdirSync(dir);
  // Exactly the template's ZipFile, as CloudFormation writes it to index.js.
  writeFileSync(path.join(dir, 'index.js'), inlinedCode(template as never));
  writeFileSync(path.join(dir, 'driver.js'), DRIVER);
  const resource = departureResource(template);
  const functionId = ((resource.properties.ServiceToken as { 'Fn::GetAtt': string[] })['Fn::GetAtt'])[0]!;
  const defaults = Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([key, p]) => [key, p.Default ?? '']));
  // The one parameter changed at deploy: the sweep pinned to the seeded regions (empty would be every enabled region).
  const parameters = { ...defaults, Regions: `${KEY_REGION},${TOPIC_REGION}` };
  const properties = resolveProperties(resource.properties, parameters, { [functionId]: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:ProviderDepartureSweep-Handler` });
  return { dir, logicalId: resource.logicalId, type: resource.type, properties };
}

const root = (account: string) => `arn:aws:iam::${account}:root`;

/** A topic whose one statement lets the provider and the customer's partner account publish, beside SNS's default. */
async function seedSharedTopic(): Promise<string> {
  const sns = new SNSClient({ region: TOPIC_REGION });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'shared-alerts' }));
  const owner = { Sid: '__default_statement_ID', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['SNS:Publish', 'SNS:Subscribe'], Resource: TopicArn, Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } } };
  const shared = { Sid: 'SharedPublish', Effect: 'Allow', Principal: { AWS: [root(PROVIDER), root(PARTNER)] }, Action: 'SNS:Publish', Resource: TopicArn };
  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify({ Version: '2012-10-17', Statement: [owner, shared] }) }));
  return TopicArn!;
}

if ('missing' in node24) {
  if (process.env[SKIP_NODE24_ENV] === '1') test.skip(`the sweep stack's inlined handler under Node 24 (skipped by ${SKIP_NODE24_ENV}=1)`, () => undefined);
  // Not a skip: CI must have the runtime the stack declares.
  else test("the sweep stack's inlined handler under Node 24: a Node 24 binary is needed", () => expect(node24.missing).toBe('a Node 24 binary'));
} else {
  const binary = node24.path;
  describe(`the sweep stack's inlined handler under ${node24.version}`, () => {
    let moto: MotoServer;
    let server: Server;
    let responseUrl: string;
    const answers: Record<string, unknown>[] = [];
    let work: string;
    let read: Variant;
    let remove: Variant;
    let key: string;
    let topic: string;

    beforeAll(async () => {
      moto = await startMoto();
      // The seeding and reading clients below, like the child's, go to moto.
      useMotoEnvironment(moto);
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => (answers.push(JSON.parse(body)), response.writeHead(200).end()));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      responseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/cloudformation-response?sig=1`;
      work = mkdtempSync(path.join(tmpdir(), 'ctl-departure-node24-sweep-'));
      read = prepare('true', work);
      remove = prepare('{"remove":true}', work);
    }, 180_000);

    beforeEach(async () => {
      await moto.reset();
      key = await seedKmsKey(KEY_REGION);
      topic = await seedSharedTopic();
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await moto?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    /** Both policies, parsed: what a run must leave alone, or change exactly. */
    async function policies() {
      const keyPolicy = (await new KMSClient({ region: KEY_REGION }).send(new GetKeyPolicyCommand({ KeyId: key, PolicyName: 'default' }))).Policy!;
      const topicPolicy = (await new SNSClient({ region: TOPIC_REGION }).send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!.Policy!;
      return { key: JSON.parse(keyPolicy), topic: JSON.parse(topicPolicy) };
    }

    /** One invocation of a variant in a fresh Node 24 process; the answer the response server received, and the runtime's version. */
    async function invoke(variant: Variant, event: Record<string, unknown>) {
      const file = path.join(variant.dir, `event-${answers.length}-${Date.now()}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          ServiceToken: variant.properties.ServiceToken,
          ResponseURL: responseUrl,
          StackId: STACK_ID,
          RequestId: `req-${Date.now()}`,
          LogicalResourceId: variant.logicalId,
          ResourceType: variant.type,
          ...event,
        }),
      );
      const before = answers.length;
      const env = {
        PATH: process.env.PATH,
        NODE_PATH: path.join(ROOT, 'node_modules'),
        ...motoEnv(moto.endpoint),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        [ALLOW_LOOPBACK_HTTP_ENV]: '1',
      };
      // Asynchronous: the response server answering the child lives in this process.
      const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
        execFile(binary, ['driver.js', file], { cwd: variant.dir, env, timeout: 120_000 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve({ stdout: out, stderr: err }))),
      );
      const logs = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>);
      return { answer: answers[before] as Record<string, any>, answers: answers.length - before, runtime: /^runtime (\S+)/m.exec(stderr)?.[1], logs };
    }

    /** The actions the run logged for the seeded key and topic. */
    const seededActions = (logs: Record<string, any>[]) =>
      logs
        .filter((record) => record.message === 'action' && (record.arn === key || record.arn === topic))
        .map((record) => ({ resource: record.resource, region: record.region, action: record.action, status: record.status }))
        .sort((a, b) => a.resource.localeCompare(b.resource));

    test('built to read, Create in plan mode: SUCCESS, the key and the topic flagged in their regions, nothing changed', async () => {
      expect(read.properties).toMatchObject({ Mode: 'plan', Remove: 'false', RemoveServices: '', Regions: `${KEY_REGION},${TOPIC_REGION}` });
      const before = await policies();
      const { answer, answers: count, runtime, logs } = await invoke(read, { RequestType: 'Create', ResourceProperties: read.properties });
      expect(runtime).toBe(node24.version);
      expect(count).toBe(1);
      expect(answer).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: PHYSICAL_ID,
        StackId: STACK_ID,
        LogicalResourceId: read.logicalId,
        Data: { Mode: 'plan', Account: ACCOUNT, Flag: 2, Delete: 0, Done: 0, Failed: 0, Steps: 0 },
      });
      expect(answer.Reason).toBeUndefined();
      expect(seededActions(logs)).toEqual([
        { resource: 'kms:key-policy', region: KEY_REGION, action: 'flag', status: 'skipped' },
        { resource: 'sns:topic-policy', region: TOPIC_REGION, action: 'flag', status: 'skipped' },
      ]);
      expect(await policies()).toEqual(before);
    });

    test("built to remove, Create with Mode=apply: the provider's principals leave both policies, the customer's grants stay", async () => {
      expect(remove.properties).toMatchObject({ Remove: 'true', RemoveServices: expect.stringMatching(/(^|,)kms(,|$)/) });
      expect(remove.properties.RemoveServices).toMatch(/(^|,)sns(,|$)/);
      const before = await policies();
      const { answer, logs } = await invoke(remove, { RequestType: 'Create', ResourceProperties: { ...remove.properties, Mode: 'apply' } });
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID, Data: { Mode: 'apply', Account: ACCOUNT, Delete: 2, Done: 2, Failed: 0, Flag: 0 } });
      expect(answer.Reason).toBeUndefined();
      expect(seededActions(logs)).toEqual([
        { resource: 'kms:key-policy', region: KEY_REGION, action: 'delete', status: 'done' },
        { resource: 'sns:topic-policy', region: TOPIC_REGION, action: 'delete', status: 'done' },
      ]);

      const after = await policies();
      const text = JSON.stringify(after);
      expect(text).not.toContain(PROVIDER);
      // The key: the provider's statement gone, the customer's own and the rest of the policy untouched.
      expect(after.key).toEqual({ ...before.key, Statement: before.key.Statement.filter((s: { Sid: string }) => s.Sid !== 'ProviderUse') });
      expect(after.key.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['EnableRoot']);
      // The topic: the shared statement keeps the partner (one principal left, written as a string) and the owner's stays.
      const [owner, shared] = before.topic.Statement;
      expect(after.topic).toEqual({ ...before.topic, Statement: [owner, { ...shared, Principal: { AWS: root(PARTNER) } }] });
    });

    test('built to read, asked to remove (Mode=apply, Remove=true): a plan whose reason says why, nothing changed', async () => {
      const before = await policies();
      const { answer, logs } = await invoke(read, { RequestType: 'Create', ResourceProperties: { ...read.properties, Mode: 'apply', Remove: 'true' } });
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID, Data: { Mode: 'plan', Flag: 2, Delete: 0, Done: 0, Failed: 0 } });
      expect(answer.Reason).toMatch(/^Remove=true, but this stack was synthesized without the removal permissions, so only a plan ran and nothing changed; synthesize it with -c sweep='\{"remove":true\}'/);
      expect(logs.filter((record) => record.message === 'narrowed')).toHaveLength(1);
      expect(seededActions(logs).map((a) => a.action)).toEqual(['flag', 'flag']);
      expect(await policies()).toEqual(before);
    });

    test('built to remove, an Update asking for apply whose stack status cannot be read: a plan only, nothing changed', async () => {
      const before = await policies();
      // moto has no such stack: DescribeStacks fails, so this Update may be a rollback.
      const { answer } = await invoke(remove, { RequestType: 'Update', PhysicalResourceId: PHYSICAL_ID, ResourceProperties: { ...remove.properties, Mode: 'apply' }, OldResourceProperties: remove.properties });
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID, Data: { Mode: 'plan', Delete: 2, Done: 0, Failed: 0 } });
      expect(answer.Reason).toMatch(/^could not tell whether this Update is a rollback \(DescribeStacks failed: ValidationError: /);
      expect(await policies()).toEqual(before);
    });

    test('a bad property answers FAILED with one line naming it, running nothing', async () => {
      const before = await policies();
      const { answer, logs } = await invoke(remove, { RequestType: 'Create', ResourceProperties: { ...remove.properties, Mode: 'apply', Regions: `${KEY_REGION},Mars` } });
      expect(answer).toMatchObject({
        Status: 'FAILED',
        PhysicalResourceId: PHYSICAL_ID,
        Reason: 'bad property Regions: "Mars" is not a region name such as eu-west-1; leave it empty for every enabled region; nothing ran',
      });
      expect(answer.Reason).not.toContain('\n');
      expect(answer.Data).toBeUndefined();
      expect(logs.filter((record) => record.message === 'action' || record.message === 'report')).toEqual([]);
      // A property only the cleanup stack knows is refused too, by name.
      expect((await invoke(remove, { RequestType: 'Create', ResourceProperties: { ...remove.properties, BucketMode: 'delete' } })).answer).toMatchObject({
        Status: 'FAILED',
        Reason: expect.stringMatching(/^bad property BucketMode: unknown property; the known properties are ServiceToken, .*; nothing ran$/),
      });
      expect(await policies()).toEqual(before);
    });

    test('Regions empty: the enabled regions (Account ListRegions) are swept, both seeded regions among them', async () => {
      const before = await policies();
      // About 10 s: moto names some 30 regions, each read for every kind.
      const { answer, logs } = await invoke(read, { RequestType: 'Create', ResourceProperties: { ...read.properties, Regions: '' } });
      expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { Mode: 'plan', Flag: 2, Failed: 0 } });
      expect(seededActions(logs).map((a) => [a.resource, a.region])).toEqual([['kms:key-policy', KEY_REGION], ['sns:topic-policy', TOPIC_REGION]]);
      expect(await policies()).toEqual(before);
    });

    test('Delete changes nothing and succeeds', async () => {
      const before = await policies();
      const { answer } = await invoke(remove, { RequestType: 'Delete', PhysicalResourceId: PHYSICAL_ID, ResourceProperties: remove.properties });
      expect(answer).toMatchObject({ Status: 'SUCCESS', Reason: 'delete changes nothing', PhysicalResourceId: PHYSICAL_ID });
      expect(await policies()).toEqual(before);
    });
  });
}
