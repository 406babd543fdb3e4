/** The plan table as a person reads it: step inputs readable, and nothing in it can drive the terminal. */
import { formatReport, formatStep, printable } from '../cli/format';
import { step, type Action } from '../lambda/engine/model';
import { report } from './support/reports';

const ESC = '\u001b';

const bucket: Action = {
  resource: 's3:bucket',
  name: 'config-bucket-123456789012',
  arn: 'arn:aws:s3:::config-bucket-123456789012',
  action: 'preserve',
  reason: 'provider bucket: archived in place (buckets.mode archive)',
  status: 'planned',
  steps: [
    step('PutPublicAccessBlock', { Bucket: 'config-bucket-123456789012', PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }, 's3'),
    step('PutBucketTagging', { Bucket: 'config-bucket-123456789012', Tagging: { TagSet: [{ Key: 'owner', Value: 'ctl' }, { Key: 'ctl-departure:archived', Value: '2026-11-23 by ctl-departure' }] } }, 's3'),
    step('PutBucketLifecycleConfiguration', { Bucket: 'config-bucket-123456789012', LifecycleConfiguration: { Rules: [{ ID: 'ctl-departure-archive', Status: 'Enabled', Transitions: [{ Days: 0, StorageClass: 'DEEP_ARCHIVE' }] }] } }, 's3'),
  ],
};

test('S3 step inputs are printed as their keys and values, never [object Object]', () => {
  const lines = bucket.steps.map(formatStep);
  expect(lines).toEqual([
    '· PutPublicAccessBlock config-bucket-123456789012 {BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}',
    '· PutBucketTagging config-bucket-123456789012 {TagSet: [{Key: owner, Value: ctl}, {Key: ctl-departure:archived, Value: 2026-11-23 by ctl-departure}]}',
    '· PutBucketLifecycleConfiguration config-bucket-123456789012 {Rules: [{ID: ctl-departure-archive, Status: Enabled, Transitions: [{Days: 0, StorageClass: DEEP_ARCHIVE}]}]}',
  ]);
  expect(formatReport(report('123456789012', 'plan', [bucket]))).not.toContain('[object Object]');
});

test('IAM steps keep their short form: names, ARNs shortened, lists joined', () => {
  expect(formatStep(step('DetachRolePolicy', { RoleName: 'CTLRole', PolicyArn: 'arn:aws:iam::123456789012:policy/CTLPolicy' }))).toBe('· DetachRolePolicy CTLRole policy/CTLPolicy');
  expect(formatStep(step('UntagRole', { RoleName: 'CTLCAMRole', TagKeys: ['Optimization', 'Owner'] }))).toBe('· UntagRole CTLCAMRole Optimization,Owner');
});

test('control characters, ANSI escapes and bidi marks from names, reasons, steps, errors and warnings are shown escaped', () => {
  const hostile: Action = {
    resource: 'events:rule',
    name: `CTLRule${ESC}[2J${ESC}]0;owned\u0007`,
    arn: 'arn:aws:events:us-east-1:123456789012:rule/CTLRule',
    action: 'delete',
    reason: `description says \u202eevil\u202c and\nmore`,
    status: 'failed',
    error: `RemoveTargets failed: ${ESC}[31mred\r`,
    steps: [{ ...step('RemoveTargets', { Rule: `CTLRule${ESC}[2J`, Ids: ['t1\u0085'] }, 'events'), status: 'failed', error: `denied ${ESC}[0m` }],
  };
  const text = formatReport({ ...report('123456789012', 'apply', [hostile]), warnings: [`organization o-x ${ESC}[1mbold`] });
  // Nothing a terminal acts on is left: C0 (but the line breaks between lines), DEL, C1, bidi controls.
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  expect(text).toContain('CTLRule\\u001b[2J\\u001b]0;owned\\u0007');
  expect(text).toContain('description says \\u202eevil\\u202c and\\u000amore');
  expect(text).toContain('error: RemoveTargets failed: \\u001b[31mred\\u000d');
  expect(text).toContain('✗ RemoveTargets CTLRule\\u001b[2J t1\\u0085  ✗ denied \\u001b[0m');
  expect(text).toContain('WARNING: organization o-x \\u001b[1mbold');
  // Every action stays on its own lines: an embedded newline cannot forge another row.
  expect(text.split('\n').filter((line) => line.includes('description says'))).toHaveLength(1);
});

test('an applied action with a backup says so in one line, its lists counted; the JSON carries it whole', () => {
  const role: Action = {
    resource: 'iam:role',
    name: 'CTLOps',
    arn: 'arn:aws:iam::123456789012:role/CTLOps',
    action: 'delete',
    reason: 'name starts with provider prefix "CTL"',
    status: 'done',
    steps: [{ ...step('DeleteRole', { RoleName: 'CTLOps' }), status: 'done' }],
    backup: {
      Path: '/',
      RoleName: 'CTLOps',
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
      MaxSessionDuration: 3600,
      Tags: [{ Key: 'team', Value: 'ops' }],
      InlinePolicies: [],
      AttachedPolicyArns: ['arn:aws:iam::123456789012:policy/A', 'arn:aws:iam::123456789012:policy/B'],
      InstanceProfiles: [{ InstanceProfileName: 'CTLOps', Path: '/', deletedByThisRun: true }],
    },
  };
  const deletedBucket: Action = { ...bucket, action: 'delete', status: 'done', backup: { Bucket: bucket.name, deleted: true } };
  const text = formatReport(report('123456789012', 'apply', [role, deletedBucket]));
  expect(text).toContain('\n      ✓ DeleteRole CTLOps\n      backup: recorded: Tags 1, AttachedPolicyArns 2, InstanceProfiles 1\n');
  expect(text).toContain('      backup: recorded (the bucket; no object is in a backup)\n');
  // A plan has none, and says nothing of one.
  expect(formatReport(report('123456789012', 'plan', [{ ...role, backup: undefined, status: 'planned' }]))).not.toContain('backup');
});

test('printable leaves ordinary text, including non-ASCII names, alone', () => {
  expect(printable('CTL-Überwachung é 日本 @+=,.')).toBe('CTL-Überwachung é 日本 @+=,.');
});
