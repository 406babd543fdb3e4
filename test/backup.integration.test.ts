/**
 * Backups (engine/backup.ts) against strict moto: an apply of the extended reference account records, before its
 * first change, the full definition of everything it deletes or changes; a backup that cannot be read keeps only
 * its own action from running; a plan reads none.
 */
import {
  AddRoleToInstanceProfileCommand,
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateInstanceProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import {
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { MiddlewareStack } from '@smithy/types';
import { CallCounter, createClients } from '../lambda/engine/aws';
import type { Backup, BucketBackup, GroupBackup, InstanceProfileBackup, OidcProviderBackup, PolicyBackup, RoleBackup, SamlProviderBackup, UserBackup } from '../lambda/engine/backup';
import { resolveConfig } from '../lambda/engine/config';
import { isActing, type Action } from '../lambda/engine/model';
import type { DepartureReport } from '../lambda/engine/report';
import { runDeparture } from '../lambda/engine/run';
import { RESOURCE_KINDS } from '../lambda/resources';
import { ACCOUNT, AUDIT_BUCKET, CONFIG_BUCKET, seedBuckets, seedEveryIdentityKind } from './support/authorization-scenarios';
import { run, testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';
import { trustPolicy } from './support/reference-account';
import { configBucketPolicy } from './fixtures/config-bucket-policy';

motoSuite();
let iam: IAMClient;
let s3: S3Client;
beforeAll(() => {
  iam = testIamClient();
  s3 = new S3Client({ region: 'us-east-1', forcePathStyle: true });
});

const arn = (resource: string) => `arn:aws:iam::${ACCOUNT}:${resource}`;
const INLINE = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] };
const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] };
const METADATA = '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sso.ctl.io"></md:EntityDescriptor>';
const LIFECYCLE = { ID: 'expire-temp', Status: 'Enabled' as const, Filter: { Prefix: 'tmp/' }, Expiration: { Days: 7 } };

/**
 * The account of the IAM authorization scenarios (every kind of provider identity), plus what a backup must carry
 * that those lack: a role with a description, a maximum session, a boundary, tags, inline and attached policies and
 * a tagged profile of its own; a described, tagged provider policy attached to customer principals; a tagged user;
 * tagged SAML and OIDC providers; and a config bucket with its own public access block, encryption, lifecycle rule
 * and tags, archived.
 */
async function seed(): Promise<void> {
  await seedEveryIdentityKind(iam);
  await seedBuckets(s3);
  await iam.send(new CreatePolicyCommand({ PolicyName: 'CTLBoundary', PolicyDocument: JSON.stringify(DOC), Description: 'provider boundary', Tags: [{ Key: 'owner', Value: 'ctl' }] }));
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'CTLOpsRole',
      Path: '/ops/',
      AssumeRolePolicyDocument: trustPolicy({ AWS: 'arn:aws:iam::589942003651:root' }),
      Description: 'provider operations',
      MaxSessionDuration: 7200,
      PermissionsBoundary: arn('policy/CTLBoundary'),
      Tags: [{ Key: 'team', Value: 'ops' }],
    }),
  );
  await iam.send(new PutRolePolicyCommand({ RoleName: 'CTLOpsRole', PolicyName: 'queue', PolicyDocument: JSON.stringify(INLINE) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'CTLOpsRole', PolicyArn: arn('policy/CTLVersioned') }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'CTLOpsRole', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'CTLOpsProfile', Tags: [{ Key: 'team', Value: 'ops' }] }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'CTLOpsProfile', RoleName: 'CTLOpsRole' }));
  // The several-versions policy, held by customer principals too.
  await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn('policy/CTLVersioned') }));
  await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Developers', PolicyArn: arn('policy/CTLVersioned') }));
  await iam.send(new TagUserCommand({ UserName: 'CTLSupport', Tags: [{ Key: 'contact', Value: 'noc@ctl.io' }] }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'CTLOperators', UserName: 'alice' }));
  await iam.send(new CreateSAMLProviderCommand({ Name: 'CTLSso', SAMLMetadataDocument: METADATA, Tags: [{ Key: 'idp', Value: 'cam' }] }));
  await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://login.lumen.com/tenant', ClientIDList: ['cam', 'ops'], ThumbprintList: ['c'.repeat(40)], Tags: [{ Key: 'idp', Value: 'lumen' }] }));
  const Bucket = CONFIG_BUCKET;
  await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false } }));
  await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [LIFECYCLE] } }));
  await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'owner', Value: 'ctl' }] } }));
  await s3.send(new PutBucketEncryptionCommand({ Bucket: AUDIT_BUCKET, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/ctl' } }] } }));
}

const find = (report: DepartureReport, resource: string, name: string): Action => {
  const action = report.actions.find((a) => a.resource === resource && a.name === name);
  if (!action) throw new Error(`no action for ${resource} ${name}`);
  return action;
};
const backupOf = <T extends Backup>(report: DepartureReport, resource: string, name: string) => find(report, resource, name).backup as T;
const KINDS_WITH_BACKUP = new Set(RESOURCE_KINDS.filter((kind) => kind.backup).map((kind) => kind.type));

describe('an apply of the extended reference account', () => {
  let report: DepartureReport;
  let calls: CallCounter;
  // One apply, read by every test below (moto is reset between tests, the report stays).
  let applied: Promise<void> | undefined;
  beforeEach(() =>
    (applied ??= (async () => {
      await seed();
      ({ report, calls } = await run('apply', { buckets: { mode: 'archive', transitionDays: 30 } }));
    })()),
  );

  test('every action that changed something carries a backup; nothing failed', async () => {
    expect(report.actions.filter((a) => a.status === 'failed').map((a) => `${a.name}: ${a.error}`)).toEqual([]);
    const acted = report.actions.filter((a) => isActing(a.action) && a.steps.length);
    expect(acted.length).toBeGreaterThan(20);
    expect(acted.filter((a) => KINDS_WITH_BACKUP.has(a.resource) && !a.backup).map((a) => a.name)).toEqual([]);
    // Nothing that changed nothing, and no kind without a backup, claims one.
    expect(report.actions.filter((a) => a.backup && (!a.steps.length || !KINDS_WITH_BACKUP.has(a.resource))).map((a) => a.name)).toEqual([]);
    // The few reads discovery does not make: one per deleted role, instance profile and SAML provider, one ListPolicyTags per deleted policy.
    const count = (resource: string) => report.actions.filter((a) => a.resource === resource && a.action === 'delete').length;
    expect(calls.calls.get('GetRole')).toBe(count('iam:role'));
    expect(calls.calls.get('GetInstanceProfile')).toBe(count('iam:instance-profile'));
    expect(calls.calls.get('GetSAMLProvider')).toBe(count('iam:saml-provider'));
  });

  test('a role: trust, description, maximum session, boundary, tags, inline and attached policies, its profiles', () => {
    expect(backupOf<RoleBackup>(report, 'iam:role', 'CTLOpsRole')).toEqual({
      Path: '/ops/',
      RoleName: 'CTLOpsRole',
      AssumeRolePolicyDocument: JSON.parse(trustPolicy({ AWS: 'arn:aws:iam::589942003651:root' })),
      Description: 'provider operations',
      MaxSessionDuration: 7200,
      PermissionsBoundary: arn('policy/CTLBoundary'),
      Tags: [{ Key: 'team', Value: 'ops' }],
      InlinePolicies: [{ PolicyName: 'queue', PolicyDocument: INLINE }],
      AttachedPolicyArns: [arn('policy/CTLVersioned'), 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
      InstanceProfiles: [{ InstanceProfileName: 'CTLOpsProfile', Path: '/', deletedByThisRun: true }],
      RoleId: expect.stringMatching(/^AROA/),
    });
    // In a customer's profile, which stays; no description: none recorded, the default session.
    expect(backupOf<RoleBackup>(report, 'iam:role', 'CTLCloudOptimization')).toMatchObject({
      MaxSessionDuration: 3600,
      InstanceProfiles: [{ InstanceProfileName: 'customer-profile', Path: '/', deletedByThisRun: false }],
    });
    expect(backupOf<RoleBackup>(report, 'iam:role', 'CTLCloudOptimization').Description).toBeUndefined();
    expect(backupOf<InstanceProfileBackup>(report, 'iam:instance-profile', 'CTLOpsProfile')).toEqual({ Path: '/', InstanceProfileName: 'CTLOpsProfile', Tags: [{ Key: 'team', Value: 'ops' }], Roles: ['CTLOpsRole'] });
  });

  test('a policy: every version oldest first with its document, the default, description, tags, who held it', () => {
    const versioned = backupOf<PolicyBackup>(report, 'iam:policy', 'CTLVersioned');
    expect(versioned).toMatchObject({ Path: '/', PolicyName: 'CTLVersioned', DefaultVersionId: 'v3', Tags: [], PolicyId: expect.any(String) });
    expect(versioned.Versions.map((v) => [v.VersionId, v.IsDefaultVersion, v.Document, typeof v.CreateDate])).toEqual(['v1', 'v2', 'v3', 'v4'].map((v) => [v, v === 'v3', DOC, 'string']));
    expect(versioned.AttachedTo).toHaveLength(3);
    expect(versioned.AttachedTo).toEqual(expect.arrayContaining([{ kind: 'role', name: 'CTLOpsRole' }, { kind: 'group', name: 'Developers' }, { kind: 'user', name: 'alice' }]));
    expect(backupOf<PolicyBackup>(report, 'iam:policy', 'CTLBoundary')).toMatchObject({
      Description: 'provider boundary',
      Tags: [{ Key: 'owner', Value: 'ctl' }],
      BoundaryOf: [{ kind: 'role', name: 'CTLOpsRole' }],
      AttachedTo: [],
    });
    // Detached from every customer group by this action's steps: all of them recorded.
    expect(backupOf<PolicyBackup>(report, 'iam:policy', 'CTLCustomerPolicy').AttachedTo).toEqual(
      expect.arrayContaining(['Administrators', 'Developers', 'Finance'].map((name) => ({ kind: 'group', name }))),
    );
  });

  test('a user: tags, inline and attached policies, groups, and which credentials existed', () => {
    const user = backupOf<UserBackup>(report, 'iam:user', 'CTLSupport');
    expect({ ...user, Groups: [...user.Groups].sort() }).toEqual({
      Path: '/',
      UserName: 'CTLSupport',
      Tags: [{ Key: 'contact', Value: 'noc@ctl.io' }],
      InlinePolicies: [{ PolicyName: 'inline', PolicyDocument: DOC }],
      AttachedPolicyArns: [arn('policy/CTLOperatorsPolicy'), 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
      Groups: ['CTLOperators', 'Developers'],
      Credentials: {
        accessKeyIds: [expect.stringMatching(/^AKIA/)],
        loginProfile: true,
        mfaDevices: [arn('mfa/CTLSupport-mfa')],
        signingCertificateIds: [expect.any(String)],
        sshPublicKeyIds: [expect.any(String)],
        serviceSpecificCredentialIds: [],
      },
      UserId: expect.any(String),
    });
  });

  test('a group: inline and attached policies, every member', () => {
    const group = backupOf<GroupBackup>(report, 'iam:group', 'CTLOperators');
    expect({ ...group, Members: [...group.Members].sort() }).toEqual({
      Path: '/',
      GroupName: 'CTLOperators',
      InlinePolicies: [{ PolicyName: 'inline', PolicyDocument: DOC }],
      AttachedPolicyArns: [arn('policy/CTLOperatorsPolicy'), 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
      Members: ['CTLBot', 'CTLSupport', 'alice', 'developers-user'],
      GroupId: expect.any(String),
    });
  });

  test('federation: a SAML provider with its metadata and tags, an OIDC provider with its URL, audiences and thumbprints', () => {
    expect(backupOf<SamlProviderBackup>(report, 'iam:saml-provider', 'CTLSso')).toEqual({ Name: 'CTLSso', SAMLMetadataDocument: METADATA, Tags: [{ Key: 'idp', Value: 'cam' }] });
    expect(backupOf<OidcProviderBackup>(report, 'iam:oidc-provider', 'login.lumen.com/tenant')).toEqual({
      Url: 'https://login.lumen.com/tenant',
      ClientIDList: ['cam', 'ops'],
      ThumbprintList: ['c'.repeat(40)],
      Tags: [{ Key: 'idp', Value: 'lumen' }],
    });
    expect(backupOf<OidcProviderBackup>(report, 'iam:oidc-provider', 'auth.ctl.io')).toEqual({ Url: 'https://auth.ctl.io', ClientIDList: ['cam'], ThumbprintList: ['a'.repeat(40)], Tags: [] });
  });

  test('an archived bucket: its policy, public access block, encryption, lifecycle rules and tags as they were', () => {
    expect(backupOf<BucketBackup>(report, 's3:bucket', CONFIG_BUCKET)).toEqual({
      Bucket: CONFIG_BUCKET,
      Policy: expect.any(String),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      LifecycleRules: [expect.objectContaining(LIFECYCLE)],
      TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
      Tags: [{ Key: 'owner', Value: 'ctl' }],
    });
    expect(JSON.parse(backupOf<BucketBackup>(report, 's3:bucket', CONFIG_BUCKET).Policy!)).toEqual(JSON.parse(configBucketPolicy(CONFIG_BUCKET)));
    expect(backupOf<BucketBackup>(report, 's3:bucket', AUDIT_BUCKET)).toEqual({
      Bucket: AUDIT_BUCKET,
      Policy: expect.stringContaining('ProviderAudit'),
      ServerSideEncryptionConfiguration: { Rules: [expect.objectContaining({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/ctl' } })] },
    });
  });

  test('tags a kept resource lost: the removed keys, with their values', () => {
    expect(backupOf(report, 'iam:policy', 'CTLCAMPolicy')).toEqual({ Tags: [{ Key: 'Optimization', Value: 'true' }] });
    expect(backupOf(report, 'iam:role', 'CTLCAMRole')).toEqual({ Tags: [{ Key: 'Optimization', Value: 'true' }] });
    expect(backupOf(report, 'iam:user', 'CTLCAMUser')).toEqual({ Tags: [{ Key: 'Optimization', Value: 'true' }] });
  });
});

test('a backup that cannot be read keeps its action from running, with the reason; the others go on', async () => {
  await seed();
  const clients = createClients({ maxAttempts: 1 });
  (clients.iam.middlewareStack as MiddlewareStack<object, object>).add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetRoleCommand' && (args.input as { RoleName?: string }).RoleName === 'CTLOpsRole') {
        throw Object.assign(new Error('User: runner is not authorized to perform: iam:GetRole'), { name: 'AccessDenied' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'denyOneGetRole' },
  );
  const report = await runDeparture({ mode: 'apply', config: resolveConfig({}), clients });
  const blocked = find(report, 'iam:role', 'CTLOpsRole');
  expect(blocked).toMatchObject({ status: 'failed', error: 'backup could not be read: AccessDenied: User: runner is not authorized to perform: iam:GetRole; nothing of it was changed' });
  expect(blocked.backup).toBeUndefined();
  expect(blocked.steps.map((s) => s.status)).toEqual(blocked.steps.map(() => 'planned'));
  expect((await iam.send(new GetRoleCommand({ RoleName: 'CTLOpsRole' }))).Role?.RoleName).toBe('CTLOpsRole');
  // What the role still holds cannot go either: AWS refuses, and each says so.
  expect(find(report, 'iam:instance-profile', 'CTLOpsProfile')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^DeleteInstanceProfile failed: DeleteConflict/) });
  expect(find(report, 'iam:policy', 'CTLVersioned')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^DeletePolicy failed: DeleteConflict/) });
  // Everything else ran (the role's boundary policy may go or not: AWS documents no rule about deleting one in use).
  const failed = report.actions.filter((a) => a.status === 'failed').map((a) => a.name);
  expect(failed.filter((name) => name !== 'CTLBoundary').sort()).toEqual(['CTLOpsProfile', 'CTLOpsRole', 'CTLVersioned']);
  expect(find(report, 'iam:role', 'CTLDeveloperRole')).toMatchObject({ status: 'done', backup: expect.objectContaining({ RoleName: 'CTLDeveloperRole' }) });
});

test('a plan reads no backup and records none', async () => {
  await seed();
  const { report, calls } = await run('plan', { buckets: { mode: 'archive', transitionDays: 30 } });
  expect(report.actions.filter((a) => a.backup)).toEqual([]);
  for (const read of ['GetRole', 'GetInstanceProfile', 'GetSAMLProvider']) expect(calls.calls.get(read)).toBeUndefined();
});
