/**
 * The sweep of resource policies and shares against strict moto, in two regions: every kind of grant to the provider
 * found, shared statements rewritten keeping the customer's principals, public grants flagged and left, an unreadable
 * service reported without stopping the run, and the IAM Access Analyzer cross-check.
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetLayerVersionPolicyCommand, GetPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ECRClient, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeImageAttributeCommand, DescribeSnapshotAttributeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetResourceShareAssociationsCommand, RAMClient } from '@aws-sdk/client-ram';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { AccessAnalyzerClient, CreateAnalyzerCommand } from '@aws-sdk/client-accessanalyzer';
import type { MiddlewareStack } from '@smithy/types';
import { createClients, type AwsClients } from '../lambda/engine/aws';
import { resolveConfig } from '../lambda/engine/config';
import { SWEEP_CONFIG_CHECKS } from '../lambda/engine/sweep-config';
import type { Action, ResourceType } from '../lambda/engine/model';
import { runDeparture } from '../lambda/engine/run';
import { createSweep, SWEEP_KINDS } from '../lambda/resources/sweep';
import { formatReport } from '../cli/format';
import { motoSuite } from './support/moto-suite';
import { ACCOUNT, PARTNER, PROVIDER, PROVIDER_ORG, seedEveryKind, type Seeded } from './support/sweep-seed';

jest.setTimeout(240_000);
const moto = motoSuite();

const REGIONS = ['us-east-1', 'eu-west-1'];
const sweep = () => createSweep({ regions: async () => ({ regions: REGIONS }) });
const CONFIG = { providerOrganizationIds: [PROVIDER_ORG] };

/** Clients whose `region` client of `Client` is denied every call, as IAM (or an SCP) would deny it. */
function denying(clients: AwsClients, serviceId: string, region: string): AwsClients {
  const clientFor = clients.clientFor;
  return Object.assign(clients, {
    clientFor: <C>(Client: new (config: never) => C, at: string): C => {
      const client = clientFor(Client, at);
      const stack = (client as { middlewareStack: MiddlewareStack<object, object> }).middlewareStack;
      if (at === region && (client as { config: { serviceId: string } }).config.serviceId === serviceId && !stack.identify().some((name) => name.startsWith('denyAll'))) {
        stack.add(
          () => async () => {
            throw Object.assign(new Error(`User is not authorized to perform this ${serviceId} call with an explicit deny in a service control policy`), { name: 'AccessDeniedException' });
          },
          { step: 'initialize', name: 'denyAll' },
        );
      }
      return client;
    },
  });
}

const run = (mode: 'plan' | 'apply', config: object = {}, clients: AwsClients = createClients({ maxAttempts: 2 })) =>
  runDeparture({ mode, config: resolveConfig({ ...CONFIG, ...config }, SWEEP_CONFIG_CHECKS), clients, sweep: sweep() });

const find = (actions: readonly Action[], resource: ResourceType, region: string, name?: string) =>
  actions.filter((a) => a.resource === resource && a.region === region && (name === undefined || a.name === name));

const principalsOf = (policy: string | undefined) => JSON.stringify(JSON.parse(policy ?? '{}').Statement ?? []);

describe('the sweep, in two regions', () => {
  let seeded: Record<string, Seeded>;
  beforeEach(async () => {
    moto();
    seeded = {};
    for (const region of REGIONS) seeded[region] = await seedEveryKind(region);
  });

  test('plan: every kind of grant is found and flagged, public grants with their own reason; nothing changes', async () => {
    const { report } = { report: await run('plan') };
    for (const region of REGIONS) {
      for (const kind of SWEEP_KINDS.filter((k) => !k.global)) {
        const flagged = find(report.actions, kind.type, region).filter((a) => a.action === 'flag' && /^grants the provider: /.test(a.reason));
        expect({ kind: kind.type, region, flagged: flagged.length > 0 }).toEqual({ kind: kind.type, region, flagged: true });
      }
      expect(find(report.actions, 'sns:topic-policy', region, 'org-events')[0]!.reason).toMatch(`aws:PrincipalOrgID ${PROVIDER_ORG}`);
    }
    const buckets = report.actions.filter((a) => a.resource === 's3:bucket-policy');
    expect(buckets.map((a) => [a.name, a.action, a.reason.split(':')[0]]).sort()).toEqual([
      ['customer-shared-eu-west-1', 'flag', 'grants the provider'],
      ['customer-shared-us-east-1', 'flag', 'grants the provider'],
      ['customer-website-eu-west-1', 'flag', 'open to anyone, never changed here'],
      ['customer-website-us-east-1', 'flag', 'open to anyone, never changed here'],
    ]);
    expect(report.actions.filter((a) => SWEEP_KINDS.some((k) => k.type === a.resource)).every((a) => a.steps.length === 0)).toBe(true);
    // The table names each resource's region.
    expect(formatReport(report)).toMatch(/kms:key-policy +\S+ \(eu-west-1\) +grants the provider/);
  });

  test('a service that cannot be read in one region is one flagged line with its error; the rest of the run goes on', async () => {
    const report = await run('plan', {}, denying(createClients({ maxAttempts: 2 }), 'ECR', 'eu-west-1'));
    const denied = find(report.actions, 'ecr:repository-policy', 'eu-west-1');
    expect(denied).toEqual([expect.objectContaining({ name: 'ecr in eu-west-1', action: 'flag', reason: expect.stringMatching(/^could not be read, not reviewed: AccessDeniedException: .*explicit deny/) })]);
    expect(find(report.actions, 'ecr:repository-policy', 'us-east-1')[0]!.reason).toMatch(/^grants the provider/);
    expect(find(report.actions, 'kms:key-policy', 'eu-west-1')[0]!.reason).toMatch(/^grants the provider/);
  });

  test("apply with resourcePolicies.remove: the provider's grants go, the customer's stay, public ones are left; a second run finds nothing", async () => {
    const applied = await run('apply', { resourcePolicies: { remove: true } });
    const failed = applied.actions.filter((a) => a.status === 'failed');
    expect(failed.map((a) => `${a.resource} ${a.name}: ${a.error}`)).toEqual([]);
    for (const region of REGIONS) {
      const s = seeded[region]!;
      const kms = new KMSClient({ region });
      const keyPolicy = (await kms.send(new GetKeyPolicyCommand({ KeyId: s.key, PolicyName: 'default' }))).Policy!;
      expect(JSON.parse(keyPolicy).Statement.map((st: { Sid: string }) => st.Sid)).toEqual(['EnableRoot']);

      const sns = new SNSClient({ region });
      const topicPolicy = (await sns.send(new GetTopicAttributesCommand({ TopicArn: s.topic }))).Attributes!.Policy!;
      expect(JSON.parse(topicPolicy).Statement.map((st: { Sid: string }) => st.Sid)).toEqual(['__default_statement_ID']);
      // The organization's only statement gone: the topic has SNS's default policy back, never none.
      const orgPolicy = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: s.orgTopic }))).Attributes!.Policy!);
      expect(orgPolicy.Statement).toEqual([expect.objectContaining({ Sid: '__default_statement_ID', Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } } })]);

      const queue = await new SQSClient({ region }).send(new GetQueueAttributesCommand({ QueueUrl: s.queueUrl, AttributeNames: ['Policy'] }));
      expect(queue.Attributes?.Policy ?? '').toBe('');

      const lambda = new LambdaClient({ region });
      const functionPolicy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: s.functionName }))).Policy!);
      expect(functionPolicy.Statement.map((st: { Sid: string }) => st.Sid)).toEqual(['PartnerInvoke']);
      await expect(lambda.send(new GetLayerVersionPolicyCommand({ LayerName: s.layer, VersionNumber: 1 }))).rejects.toThrow();

      const secret = await new SecretsManagerClient({ region }).send(new GetResourcePolicyCommand({ SecretId: s.secret }));
      expect(secret.ResourcePolicy).toBeUndefined();

      const repository = await new ECRClient({ region }).send(new GetRepositoryPolicyCommand({ repositoryName: s.repository }));
      expect(JSON.parse(repository.policyText!).Statement).toEqual([expect.objectContaining({ Sid: 'Pull', Principal: { AWS: `arn:aws:iam::${PARTNER}:root` } })]);

      const bus = await new EventBridgeClient({ region }).send(new DescribeEventBusCommand({}));
      expect(JSON.parse(bus.Policy!).Statement.map((st: { Sid: string }) => st.Sid)).toEqual(['PartnerPut']);

      const ec2 = new EC2Client({ region });
      const snapshot = await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: s.snapshot, Attribute: 'createVolumePermission' }));
      expect(snapshot.CreateVolumePermissions).toEqual([{ UserId: PARTNER }]);
      const image = await ec2.send(new DescribeImageAttributeCommand({ ImageId: s.image, Attribute: 'launchPermission' }));
      expect(image.LaunchPermissions).toEqual([{ UserId: PARTNER }]);

      const share = await new RAMClient({ region }).send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [s.share] }));
      expect(share.resourceShareAssociations?.map((a) => a.associatedEntity)).toEqual([PARTNER]);

      const s3 = new S3Client({ region, forcePathStyle: true, followRegionRedirects: true });
      const shared = (await s3.send(new GetBucketPolicyCommand({ Bucket: s.bucket }))).Policy!;
      expect(principalsOf(shared)).toBe(JSON.stringify([{ Sid: 'SharedRead', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER}:root` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${s.bucket}/*` }]));
      // Public: flagged, never changed.
      const open = (await s3.send(new GetBucketPolicyCommand({ Bucket: s.publicBucket }))).Policy!;
      expect(JSON.parse(open).Statement[0].Principal).toBe('*');
    }
    const again = await run('plan', { resourcePolicies: { remove: true } });
    const left = again.actions.filter((a) => SWEEP_KINDS.some((k) => k.type === a.resource) && a.action !== 'skip');
    expect(left.map((a) => a.name).sort()).toEqual(REGIONS.map((region) => `customer-website-${region}`).sort());
  });

  test('removal per service: only the services switched on change, the rest stay flagged', async () => {
    const report = await run('plan', { resourcePolicies: { remove: { kms: true, ram: true } } });
    const changing = report.actions.filter((a) => a.action === 'delete' && SWEEP_KINDS.some((k) => k.type === a.resource));
    expect([...new Set(changing.map((a) => a.resource))].sort()).toEqual(['kms:key-policy', 'ram:resource-share']);
    expect(changing.flatMap((a) => a.steps.map((s) => `${s.region} ${s.service}:${s.call}`)).sort()).toEqual([
      'eu-west-1 kms:PutKeyPolicy',
      'eu-west-1 ram:DisassociateResourceShare',
      'us-east-1 kms:PutKeyPolicy',
      'us-east-1 ram:DisassociateResourceShare',
    ]);
  });

  test("a grant to a role this run deletes is the provider's, by its ARN (by its unique id: sweep-plan.test.ts)", async () => {
    const iam = new IAMClient({ region: 'us-east-1' });
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'CTLBackupRole', AssumeRolePolicyDocument: trust }))).Role!;
    const kms = new KMSClient({ region: 'us-east-1' });
    const statements = [
      { Sid: 'EnableRoot', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Backup', Effect: 'Allow', Principal: { AWS: role.Arn }, Action: 'kms:Decrypt', Resource: '*' },
    ];
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
    const report = await run('plan');
    const key = report.actions.find((a) => a.arn === KeyMetadata!.Arn)!;
    expect(key).toMatchObject({ action: 'flag', reason: expect.stringContaining(`statement Backup for ${role.Arn}`) });
    expect(report.actions.find((a) => a.resource === 'iam:role' && a.name === 'CTLBackupRole')!.action).toBe('delete');
  });

  test('IAM Access Analyzer: a finding the sweep reported agrees; one it did not is flagged', async () => {
    const analyzer = new AccessAnalyzerClient({ region: 'us-east-1' });
    await analyzer.send(new CreateAnalyzerCommand({ analyzerName: 'account-analyzer', type: 'ACCOUNT' }));
    const efs = `arn:aws:elasticfilesystem:us-east-1:${ACCOUNT}:file-system/fs-0123456789abcdef0`;
    const add = async (resource: string, resourceType: string) => {
      const response = await fetch(`${moto().endpoint}/strict-moto/access-analyzer-finding`, {
        method: 'POST',
        body: JSON.stringify({ account: ACCOUNT, region: 'us-east-1', analyzer: 'account-analyzer', finding: { resource, resourceType, principal: { AWS: PROVIDER }, isPublic: false } }),
      });
      expect(response.status).toBe(200);
    };
    await add(seeded['us-east-1']!.key, 'AWS::KMS::Key');
    await add(efs, 'AWS::EFS::FileSystem');
    const report = await run('plan');
    const findings = report.actions.filter((a) => a.resource === 'accessanalyzer:finding');
    expect(findings.map((a) => [a.arn, a.action])).toEqual([
      [seeded['us-east-1']!.key, 'skip'],
      [efs, 'flag'],
    ]);
    expect(findings[1]!.reason).toBe(`IAM Access Analyzer finds AWS::EFS::FileSystem ${efs} open to ${PROVIDER}, which the sweep did not report: review it by hand`);
  });
});
