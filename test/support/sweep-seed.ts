/**
 * Resource policies and shares that grant the provider, seeded in moto for the sweep's tests and the rehearsal: one of
 * each kind per region, each beside a grant of the customer's that must survive.
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AddLayerVersionPermissionCommand, AddPermissionCommand, CreateFunctionCommand, LambdaClient, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateRepositoryCommand, ECRClient, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutPermissionCommand } from '@aws-sdk/client-eventbridge';
import { CreateImageCommand, CreateSnapshotCommand, CreateVolumeCommand, DescribeImagesCommand, EC2Client, ModifyImageAttributeCommand, ModifySnapshotAttributeCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateResourceShareCommand, RAMClient } from '@aws-sdk/client-ram';
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';

export const ACCOUNT = '123456789012';
export const PROVIDER = '589942003651';
/** Another account of the customer's, whose grants stay. */
export const PARTNER = '444455556666';
export const PROVIDER_ORG = 'o-ctlprovider1';

const statement = (Sid: string, AWS: string | string[], Action: string | string[], Resource = '*', extra: object = {}) => ({ Sid, Effect: 'Allow', Principal: { AWS }, Action, Resource, ...extra });
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const root = (account: string) => `arn:aws:iam::${account}:root`;

/** A KMS key whose policy keeps the account's own root statement and grants the provider's root. */
export async function seedKmsKey(region: string, description = 'customer data key'): Promise<string> {
  const kms = new KMSClient({ region });
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({
      Description: description,
      Policy: policy(statement('EnableRoot', root(ACCOUNT), 'kms:*'), statement('ProviderUse', root(PROVIDER), ['kms:Decrypt', 'kms:DescribeKey'])),
    }),
  );
  return KeyMetadata!.Arn!;
}

/** An SNS topic whose policy keeps SNS's default statement and lets the provider publish. */
export async function seedSnsTopic(region: string, name = 'customer-alerts'): Promise<string> {
  const sns = new SNSClient({ region });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const owner = { Sid: '__default_statement_ID', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['SNS:Publish', 'SNS:Subscribe'], Resource: TopicArn, Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } } };
  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: policy(owner, statement('ProviderPublish', `arn:aws:iam::${PROVIDER}:role/CTLMonitoring`, 'SNS:Publish', TopicArn)) }));
  return TopicArn!;
}

export interface Seeded {
  readonly key: string;
  readonly topic: string;
  readonly orgTopic: string;
  readonly queueUrl: string;
  readonly bucket: string;
  readonly publicBucket: string;
  readonly functionName: string;
  readonly layer: string;
  readonly secret: string;
  readonly repository: string;
  readonly snapshot: string;
  readonly image: string;
  readonly share: string;
}

/** One grant of every kind in the region (names carry the region, so two regions never collide). */
export async function seedEveryKind(region: string): Promise<Seeded> {
  const key = await seedKmsKey(region);
  const topic = await seedSnsTopic(region);

  const sns = new SNSClient({ region });
  const { TopicArn: orgTopic } = await sns.send(new CreateTopicCommand({ Name: 'org-events' }));
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn: orgTopic,
      AttributeName: 'Policy',
      AttributeValue: policy({ Sid: 'OrgPublish', Effect: 'Allow', Principal: '*', Action: 'SNS:Publish', Resource: orgTopic, Condition: { StringEquals: { 'aws:PrincipalOrgID': PROVIDER_ORG } } }),
    }),
  );

  const sqs = new SQSClient({ region });
  const queueArn = `arn:aws:sqs:${region}:${ACCOUNT}:provider-jobs`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'provider-jobs', Attributes: { Policy: policy(statement('ProviderSend', PROVIDER, 'sqs:SendMessage', queueArn)) } }));

  const s3 = new S3Client({ region, forcePathStyle: true });
  const bucket = `customer-shared-${region}`;
  const publicBucket = `customer-website-${region}`;
  for (const name of [bucket, publicBucket]) {
    await s3.send(new CreateBucketCommand({ Bucket: name, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }) }));
  }
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy(statement('SharedRead', [root(PROVIDER), root(PARTNER)], 's3:GetObject', `arn:aws:s3:::${bucket}/*`)) }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: publicBucket, Policy: policy({ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${publicBucket}/*` }) }));

  const iam = new IAMClient({ region: 'us-east-1' });
  const roleName = `app-role-${region}`;
  const role = await iam
    .send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }) }))
    .then((r) => r.Role!.Arn!);
  const lambda = new LambdaClient({ region });
  const zip = emptyZip();
  const functionName = 'customer-worker';
  await lambda.send(new CreateFunctionCommand({ FunctionName: functionName, Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zip } }));
  await lambda.send(new AddPermissionCommand({ FunctionName: functionName, StatementId: 'ProviderInvoke', Action: 'lambda:InvokeFunction', Principal: PROVIDER }));
  await lambda.send(new AddPermissionCommand({ FunctionName: functionName, StatementId: 'PartnerInvoke', Action: 'lambda:InvokeFunction', Principal: PARTNER }));
  const layer = 'customer-libs';
  const { Version } = await lambda.send(new PublishLayerVersionCommand({ LayerName: layer, Content: { ZipFile: zip } }));
  await lambda.send(new AddLayerVersionPermissionCommand({ LayerName: layer, VersionNumber: Version, StatementId: 'ProviderLayer', Action: 'lambda:GetLayerVersion', Principal: PROVIDER }));

  const secrets = new SecretsManagerClient({ region });
  const { ARN: secret } = await secrets.send(new CreateSecretCommand({ Name: 'db-password', SecretString: 'not-a-real-secret' }));
  await secrets.send(new PutResourcePolicyCommand({ SecretId: secret, ResourcePolicy: policy(statement('ProviderRead', root(PROVIDER), 'secretsmanager:GetSecretValue')) }));

  const ecr = new ECRClient({ region });
  const repository = 'customer-images';
  await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
  await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repository, policyText: policy(statement('Pull', [root(PROVIDER), root(PARTNER)], ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'])) }));

  const events = new EventBridgeClient({ region });
  await events.send(new PutPermissionCommand({ StatementId: 'ProviderPut', Action: 'events:PutEvents', Principal: PROVIDER }));
  await events.send(new PutPermissionCommand({ StatementId: 'PartnerPut', Action: 'events:PutEvents', Principal: PARTNER }));

  const ec2 = new EC2Client({ region });
  const { VolumeId } = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${region}a`, Size: 8 }));
  const { SnapshotId: snapshot } = await ec2.send(new CreateSnapshotCommand({ VolumeId }));
  await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshot, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: [PROVIDER, PARTNER] }));
  const { Images } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const { Instances } = await ec2.send(new RunInstancesCommand({ ImageId: Images![0]!.ImageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }));
  const { ImageId: image } = await ec2.send(new CreateImageCommand({ InstanceId: Instances![0]!.InstanceId, Name: 'customer-golden' }));
  await ec2.send(new ModifyImageAttributeCommand({ ImageId: image, LaunchPermission: { Add: [{ UserId: PROVIDER }, { UserId: PARTNER }] } }));

  const ram = new RAMClient({ region });
  const { resourceShare } = await ram.send(
    new CreateResourceShareCommand({ name: 'shared-subnets', principals: [PROVIDER, PARTNER], resourceArns: [`arn:aws:ec2:${region}:${ACCOUNT}:subnet/subnet-0abc1234`] }),
  );
  return {
    key, topic, orgTopic: orgTopic!, queueUrl: QueueUrl!, bucket, publicBucket, functionName, layer, secret: secret!, repository,
    snapshot: snapshot!, image: image!, share: resourceShare!.resourceShareArn!,
  };
}

/** The smallest zip archive (an end-of-central-directory record and nothing else): moto stores code, never runs it here. */
function emptyZip(): Uint8Array {
  const zip = new Uint8Array(22);
  zip.set([0x50, 0x4b, 0x05, 0x06]);
  return zip;
}
