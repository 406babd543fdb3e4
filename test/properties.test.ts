/** The custom resource's properties are checked as the CLI checks its config: one line naming the property and the fix. */
import { parseProperties, PropertyError } from '../lambda/properties';
import { DEFAULT_CONFIG } from '../lambda/engine/config';

/** What the synthesized stack sends with its default parameters. */
const STACK: Record<string, string> = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f',
  ServiceTimeout: '660',
  Mode: 'plan',
  Prefixes: 'CTL',
  KeepCamProvider: 'true',
  CamPolicyNames: 'CTLCAMPolicy',
  RemoveTagKeys: 'Optimization',
  Exclude: '',
  ProviderAccountIds: '589942003651',
  OidcUrlFragments: 'ctl.io,centurylink,lumen.com',
  BucketNames: 'config-bucket-{accountId},ctlaudit-{accountId}',
  BucketMode: 'keep',
  ArchiveBucket: '',
  StorageClass: 'DEEP_ARCHIVE',
  TransitionDays: '0',
  DeleteWithoutArchive: 'false',
  BatchRoleArn: '',
  ReportBucket: '',
  EngineVersion: 'a'.repeat(64),
};

test("the stack's own properties give the engine's defaults", () => {
  const parsed = parseProperties(STACK);
  expect(parsed.mode).toBe('plan');
  expect(parsed.reportBucket).toBeUndefined();
  expect(parsed.config).toEqual({ ...DEFAULT_CONFIG, exclude: [] });
});

test('settings reach the config: lists, flags, bucket settings and the reports bucket', () => {
  const parsed = parseProperties({
    ...STACK, Mode: 'apply', Exclude: 'CTLKeep, CTLOther', KeepCamProvider: 'false', BucketMode: 'copy', ArchiveBucket: 'acme-archive',
    TransitionDays: '30', DeleteWithoutArchive: 'true', ReportBucket: 'departure-reports', ServiceTimeout: 660 as unknown as string,
  });
  expect(parsed).toMatchObject({ mode: 'apply', reportBucket: 'departure-reports', config: { exclude: ['CTLKeep', 'CTLOther'], keepCamProvider: false } });
  expect(parsed.config.buckets).toMatchObject({ mode: 'copy', archiveBucket: 'acme-archive', transitionDays: 30, deleteWithoutArchive: true });
});

test('a missing property keeps its default, as a missing key of a config file does', () => {
  expect(parseProperties({ ServiceToken: STACK.ServiceToken })).toEqual({ mode: 'plan', config: DEFAULT_CONFIG });
});

test.each([
  [{ Prefix: 'CTL' }, 'property Prefix: unknown property; the known properties are ServiceToken, ServiceTimeout, Mode, ReportBucket, EngineVersion, Permissions, Prefixes,'],
  [{ Prefixes: ['CTL'] }, 'property Prefixes: must be a string, not ["CTL"]'],
  [{ Mode: 'destroy' }, 'property Mode: must be "plan" or "apply", not "destroy"; set the stack parameter Mode'],
  [{ Mode: '' }, 'property Mode: must be "plan" or "apply", not ""'],
  [{ Prefixes: '' }, 'property Prefixes: config "prefixes": must name at least one entry'],
  [{ Prefixes: 'CTL*' }, 'property Prefixes: config "prefixes[0]": "CTL*" contains a wildcard'],
  [{ KeepCamProvider: 'yes' }, 'property KeepCamProvider: must be "true" or "false", not "yes"'],
  [{ DeleteWithoutArchive: 'yes' }, 'property DeleteWithoutArchive: must be "true" or "false", not "yes"'],
  [{ TransitionDays: '1e3' }, 'property TransitionDays: must be a whole number of days such as 0, not "1e3"'],
  [{ TransitionDays: '' }, 'property TransitionDays: must be a whole number of days such as 0, not ""'],
  [{ BucketMode: '' }, 'property BucketMode: config "buckets.mode": must be one of keep, archive, copy, delete, not ""'],
  [{ StorageClass: 'COLD' }, 'property StorageClass: config "buckets.storageClass": must be one of STANDARD,'],
  [{ BucketMode: 'copy' }, 'property ArchiveBucket: config "buckets.archiveBucket": is required in copy mode'],
  [{ BucketMode: 'archive', StorageClass: 'STANDARD' }, 'config "buckets.storageClass": cannot be STANDARD in archive mode'],
  [{ BucketMode: 'archive', StorageClass: 'STANDARD_IA', TransitionDays: '7' }, 'config "buckets.transitionDays": must be at least 30 for STANDARD_IA'],
  [{ ProviderAccountIds: '58994200365' }, 'property ProviderAccountIds: config "providerAccountIds[0]": "58994200365" is not a 12-digit AWS account id'],
  [{ BatchRoleArn: 'role/copy' }, 'property BatchRoleArn: config "buckets.batchRoleArn": must be one IAM role ARN, without wildcards'],
  [{ ReportBucket: 'Reports_Bucket' }, 'property ReportBucket: "Reports_Bucket" is not an S3 bucket name'],
  [{ EngineVersion: 'abcdef0123456789' }, "property EngineVersion: must be the engine's SHA-256 (64 hex digits) as synthesis writes it"],
  [{ ServiceTimeout: '7200' }, 'property ServiceTimeout: must be a whole number of seconds from 1 to 3600, not "7200"'],
  [{ ServiceToken: '' }, 'property ServiceToken: must be the ARN of the function CloudFormation invokes'],
  [{ Prefixes: 'C' }, `property Prefixes: config "prefixes[0]": "C" is too broad: a prefix needs at least 3 characters and must start with a letter; if it really names only the provider's, also list it in allowBroadPrefixes`],
  [{ Prefixes: 'CTL,AWS' }, 'property Prefixes: config "prefixes[1]": "AWS" is too broad: it overlaps names AWS gives (AWS...)'],
  [{ AllowBroadPrefixes: 'C' }, 'property AllowBroadPrefixes: config "allowBroadPrefixes[0]": "C" is not one of prefixes'],
  [{ OidcUrlFragments: 'ctl.io,com' }, 'property OidcUrlFragments: config "oidcUrlFragments[1]": "com" is too broad'],
  [{ OidcUrlFragments: '***' }, 'property OidcUrlFragments: config "oidcUrlFragments[0]": "***" is not a host or host/path'],
  [{ BucketNames: 'logs-{accountId}-{accountId}' }, 'property BucketNames: config "buckets.names[0]": "logs-{accountId}-{accountId}" names {accountId} twice'],
  [JSON.parse('{"__proto__": "x"}'), 'property __proto__: unknown property'],
  [{ constructor: 'x' }, 'property constructor: unknown property'],
  [{ hasOwnProperty: 'x' }, 'property hasOwnProperty: unknown property'],
])('%j is refused: %s', (change, message) => {
  const parse = () => parseProperties({ ...STACK, ...change });
  expect(parse).toThrow(PropertyError);
  expect(parse).toThrow(message);
});

test('a too-broad prefix or fragment named exactly in AllowBroad... is accepted', () => {
  const parsed = parseProperties({ ...STACK, Prefixes: 'CTL,C', AllowBroadPrefixes: 'C', OidcUrlFragments: 'lumen', AllowBroadOidcUrlFragments: 'lumen' });
  expect(parsed.config).toMatchObject({ prefixes: ['CTL', 'C'], allowBroadPrefixes: ['C'], oidcUrlFragments: ['lumen'] });
});

test('ResourceProperties that are not an object are refused', () => {
  expect(() => parseProperties(undefined)).toThrow('property ResourceProperties: must be an object of string properties');
});
