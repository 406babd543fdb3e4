/**
 * Each kind's backup builder (lambda/resources/*.ts) over planned actions, with the few reads it makes answered by a
 * stand-in IAM client: what it records, what it reads, and that a read or a document it lacks keeps only its own
 * action from running. No AWS: the same against moto is in backup.integration.test.ts.
 */
import type { AwsClients } from '../lambda/engine/aws';
import { DEFAULT_CONFIG, resolveConfig, type DepartureConfig } from '../lambda/engine/config';
import type { Bucket, Inventory } from '../lambda/engine/inventory';
import type { Action } from '../lambda/engine/model';
import { plan } from '../lambda/engine/plan';
import { captureBackups } from '../lambda/engine/run';
import { ACCOUNT, group, inventory, policy, policyArn, role, trustingAccount, user } from './support/inventory-builder';

const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }] };
/** As IAM sends a document: URL-encoded JSON. */
const SENT = encodeURIComponent(JSON.stringify(DOC));
const iamArn = (resource: string) => `arn:aws:iam::${ACCOUNT}:${resource}`;

type Answer = (input: Record<string, unknown>) => unknown;

/** An IAM client that answers the named commands (by their class name), records every call, and counts how many run at once. */
function standIn(answers: Record<string, Answer>) {
  const calls: string[] = [];
  let inFlight = 0;
  let most = 0;
  const iam = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push([name, ...Object.values(command.input).filter((value) => value !== undefined)].join(' '));
      const answer = answers[name];
      if (!answer) throw new Error(`unexpected ${name}`);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return answer(command.input);
    },
  };
  return { clients: { iam } as unknown as AwsClients, calls, most: () => most };
}

const GET_ROLE: Answer = (input) => ({ Role: { RoleName: input.RoleName, Description: `about ${String(input.RoleName)}`, MaxSessionDuration: 7200 } });

async function backups(inv: Inventory, answers: Record<string, Answer> = {}, config: DepartureConfig = DEFAULT_CONFIG) {
  const actions = plan(inv, config);
  const stand = standIn(answers);
  await captureBackups(actions, inv, { config, clients: stand.clients });
  const find = (resource: string, name: string): Action => {
    const action = actions.find((a) => a.resource === resource && a.name === name);
    if (!action) throw new Error(`no action for ${resource} ${name}`);
    return action;
  };
  return { actions, find, calls: stand.calls, most: stand.most };
}

describe('a deleted role', () => {
  const profile = (name: string, roleNames: string[]) => ({ name, arn: iamArn(`instance-profile/${name}`), path: '/', roleNames });
  const ctlRole = role('CTLOps', {
    path: '/ops/',
    trustPolicy: trustingAccount('589942003651'),
    inlinePolicyNames: ['queue'],
    inlineDocuments: { queue: SENT },
    attached: ['CTLOpsPolicy', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
    permissionsBoundaryArn: policyArn('CTLBoundary'),
    tags: { team: 'ops' },
    instanceProfiles: [profile('CTLOps', ['CTLOps']), profile('app-profile', ['CTLOps'])],
    id: 'AROAEXAMPLE',
  });

  test('records trust, GetRole\'s description and session, boundary, tags, inline documents decoded, attachments and profiles', async () => {
    const { find, calls } = await backups(inventory({ roles: [ctlRole], instanceProfiles: [profile('CTLOps', ['CTLOps']), { ...profile('app-profile', ['CTLOps']), name: 'app-profile' }] }), {
      GetRole: GET_ROLE,
      GetInstanceProfile: () => ({ InstanceProfile: { Tags: [{ Key: 'team', Value: 'ops' }] } }),
    });
    expect(find('iam:role', 'CTLOps')).toMatchObject({ status: 'planned' });
    expect(find('iam:role', 'CTLOps').backup).toEqual({
      Path: '/ops/',
      RoleName: 'CTLOps',
      AssumeRolePolicyDocument: trustingAccount('589942003651'),
      Description: 'about CTLOps',
      MaxSessionDuration: 7200,
      PermissionsBoundary: policyArn('CTLBoundary'),
      Tags: [{ Key: 'team', Value: 'ops' }],
      InlinePolicies: [{ PolicyName: 'queue', PolicyDocument: DOC }],
      AttachedPolicyArns: [policyArn('CTLOpsPolicy'), 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
      InstanceProfiles: [
        { InstanceProfileName: 'CTLOps', Path: '/', deletedByThisRun: true },
        { InstanceProfileName: 'app-profile', Path: '/', deletedByThisRun: false },
      ],
      RoleId: 'AROAEXAMPLE',
    });
    // The profile deleted with it has a backup of its own; the customer's, which stays, none.
    expect(find('iam:instance-profile', 'CTLOps').backup).toEqual({ Path: '/', InstanceProfileName: 'CTLOps', Tags: [{ Key: 'team', Value: 'ops' }], Roles: ['CTLOps'] });
    expect(find('iam:instance-profile', 'app-profile').backup).toBeUndefined();
    expect(calls.sort()).toEqual(['GetInstanceProfile CTLOps', 'GetRole CTLOps']);
  });

  test('an inline policy discovery read without its document: the role does not run, the others do', async () => {
    const { find } = await backups(inventory({ roles: [{ ...ctlRole, instanceProfiles: [], inlineDocuments: {} }, role('CTLOther')] }), { GetRole: GET_ROLE });
    expect(find('iam:role', 'CTLOps')).toMatchObject({
      status: 'failed',
      error: 'backup could not be read: inline policy queue was read without its document; nothing of it was changed',
      steps: expect.arrayContaining([expect.objectContaining({ status: 'planned' })]),
    });
    expect(find('iam:role', 'CTLOps').steps.every((s) => s.status === 'planned')).toBe(true);
    expect(find('iam:role', 'CTLOther')).toMatchObject({ status: 'planned', backup: expect.objectContaining({ RoleName: 'CTLOther' }) });
  });

  test('GetRole refused: that role fails with AWS\'s error, the others are backed up', async () => {
    const { find } = await backups(inventory({ roles: [role('CTLDenied'), role('CTLOther')] }), {
      GetRole: (input) => {
        if (input.RoleName === 'CTLDenied') throw Object.assign(new Error('not authorized to perform: iam:GetRole'), { name: 'AccessDenied' });
        return GET_ROLE(input);
      },
    });
    expect(find('iam:role', 'CTLDenied')).toMatchObject({ status: 'failed', error: 'backup could not be read: AccessDenied: not authorized to perform: iam:GetRole; nothing of it was changed' });
    expect(find('iam:role', 'CTLDenied').backup).toBeUndefined();
    expect(find('iam:role', 'CTLOther').status).toBe('planned');
  });

  test('reads run DISCOVERY_CONCURRENCY (8) at a time', async () => {
    const roles = Array.from({ length: 30 }, (_, i) => role(`CTLRole${i}`));
    const { actions, most } = await backups(inventory({ roles }), { GetRole: GET_ROLE });
    expect(actions.filter((a) => a.backup)).toHaveLength(30);
    expect(most()).toBe(8);
  });

  test('a kept CAM role: the tags its untag removes, with their values, and no read', async () => {
    const inv = inventory({
      roles: [role('CTLCAMRole', { attached: ['CTLCAMPolicy'], tags: { Optimization: 'true', team: 'cam' } })],
      policies: [policy('CTLCAMPolicy', { attachmentCount: 1, tags: { Optimization: 'on' } })],
    });
    const { find, calls } = await backups(inv);
    expect(find('iam:role', 'CTLCAMRole').backup).toEqual({ Tags: [{ Key: 'Optimization', Value: 'true' }] });
    expect(find('iam:policy', 'CTLCAMPolicy').backup).toEqual({ Tags: [{ Key: 'Optimization', Value: 'on' }] });
    expect(calls).toEqual([]);
  });
});

describe('a deleted policy', () => {
  const versions = ['v1', 'v2', 'v10', 'v9'].map((versionId) => ({ versionId, isDefault: versionId === 'v9', document: SENT, createDate: `2024-01-0${versionId.length}T00:00:00.000Z` }));
  const inv = () =>
    inventory({
      policies: [policy('CTLVersioned', { versions, defaultVersionId: 'v9', description: 'provider', id: 'ANPAEXAMPLE', attachmentCount: 3 })],
      roles: [role('CTLOps', { attached: ['CTLVersioned'] }), role('app-server', { attached: ['CTLVersioned'], permissionsBoundaryArn: policyArn('CTLOther') })],
      groups: [group('Developers', ['CTLVersioned'])],
    });

  test('every version oldest first, documents decoded, tags read, every principal that held it', async () => {
    const { find, calls } = await backups(inv(), { GetRole: GET_ROLE, ListPolicyTags: () => ({ Tags: [{ Key: 'owner', Value: 'ctl' }], IsTruncated: false }) });
    expect(find('iam:policy', 'CTLVersioned').backup).toEqual({
      Path: '/',
      PolicyName: 'CTLVersioned',
      Description: 'provider',
      Tags: [{ Key: 'owner', Value: 'ctl' }],
      DefaultVersionId: 'v9',
      Versions: ['v1', 'v2', 'v9', 'v10'].map((VersionId) => ({ VersionId, IsDefaultVersion: VersionId === 'v9', Document: DOC, CreateDate: expect.any(String) })),
      // The role being deleted lets go of it in its own action; the customer principals are detached by this one.
      AttachedTo: [{ kind: 'role', name: 'CTLOps' }, { kind: 'role', name: 'app-server' }, { kind: 'group', name: 'Developers' }],
      BoundaryOf: [],
      PolicyId: 'ANPAEXAMPLE',
    });
    expect(calls).toContain(`ListPolicyTags ${policyArn('CTLVersioned')}`);
  });

  test('a version without its document fails the policy alone', async () => {
    const broken = inventory({ policies: [policy('CTLBroken', { versions: [{ versionId: 'v1', isDefault: true }] }), policy('CTLFine', { versions: [{ versionId: 'v1', isDefault: true, document: SENT }] })] });
    const { find } = await backups(broken, { ListPolicyTags: () => ({ Tags: [] }) });
    expect(find('iam:policy', 'CTLBroken')).toMatchObject({ status: 'failed', error: 'backup could not be read: version v1 was read without its document; nothing of it was changed' });
    expect(find('iam:policy', 'CTLFine')).toMatchObject({ status: 'planned', backup: expect.objectContaining({ Versions: [expect.objectContaining({ Document: DOC })] }) });
  });

  test('the boundary of a deleted role: recorded', async () => {
    const bounded = inventory({ policies: [policy('CTLBoundary', { versions: [{ versionId: 'v1', isDefault: true, document: SENT }], tags: {} })], roles: [role('CTLOps', { permissionsBoundaryArn: policyArn('CTLBoundary') })] });
    const { find } = await backups(bounded, { GetRole: GET_ROLE });
    expect(find('iam:policy', 'CTLBoundary').backup).toMatchObject({ BoundaryOf: [{ kind: 'role', name: 'CTLOps' }], AttachedTo: [], Tags: [] });
  });
});

describe('users and groups', () => {
  const support = user('CTLSupport', {
    groupNames: ['CTLOperators', 'Developers'],
    inlinePolicyNames: ['inline'],
    inlineDocuments: { inline: SENT },
    attached: ['CTLOperatorsPolicy'],
    permissionsBoundaryArn: policyArn('CTLBoundary'),
    tags: { contact: 'noc' },
    id: 'AIDAEXAMPLE',
    credentials: {
      accessKeyIds: ['AKIA1'],
      hasLoginProfile: true,
      mfaDevices: [{ serialNumber: iamArn('mfa/ctl'), virtual: true }, { serialNumber: 'GAHT1', virtual: false }],
      signingCertificateIds: ['CERT1'],
      sshPublicKeyIds: ['APKA1'],
      serviceSpecificCredentialIds: ['ACCA1'],
    },
  });
  const operators = { ...group('CTLOperators', ['CTLOperatorsPolicy']), inlinePolicyNames: ['inline'], inlineDocuments: { inline: SENT }, id: 'AGPAEXAMPLE' };

  test('a user: policies, groups, boundary, tags, and which credentials existed; a group: policies and every member', async () => {
    const { find, calls } = await backups(inventory({ users: [support, user('alice', { groupNames: ['CTLOperators'] })], groups: [operators] }));
    expect(find('iam:user', 'CTLSupport').backup).toEqual({
      Path: '/',
      UserName: 'CTLSupport',
      PermissionsBoundary: policyArn('CTLBoundary'),
      Tags: [{ Key: 'contact', Value: 'noc' }],
      InlinePolicies: [{ PolicyName: 'inline', PolicyDocument: DOC }],
      AttachedPolicyArns: [policyArn('CTLOperatorsPolicy')],
      Groups: ['CTLOperators', 'Developers'],
      Credentials: { accessKeyIds: ['AKIA1'], loginProfile: true, mfaDevices: [iamArn('mfa/ctl'), 'GAHT1'], signingCertificateIds: ['CERT1'], sshPublicKeyIds: ['APKA1'], serviceSpecificCredentialIds: ['ACCA1'] },
      UserId: 'AIDAEXAMPLE',
    });
    expect(find('iam:group', 'CTLOperators').backup).toEqual({
      Path: '/',
      GroupName: 'CTLOperators',
      InlinePolicies: [{ PolicyName: 'inline', PolicyDocument: DOC }],
      AttachedPolicyArns: [policyArn('CTLOperatorsPolicy')],
      Members: ['CTLSupport', 'alice'],
      GroupId: 'AGPAEXAMPLE',
    });
    expect(calls).toEqual([]);
  });

  test('a kept CAM user loses its tag: recorded with its value; a kept group changes nothing and records nothing', async () => {
    const inv = inventory({
      users: [user('CTLCAMUser', { attached: ['CTLCAMPolicy'], tags: { Optimization: 'true' } })],
      groups: [group('CTLCAMGroup', ['CTLCAMPolicy'])],
      policies: [policy('CTLCAMPolicy', { attachmentCount: 2, tags: {} })],
    });
    const { find } = await backups(inv);
    expect(find('iam:user', 'CTLCAMUser').backup).toEqual({ Tags: [{ Key: 'Optimization', Value: 'true' }] });
    expect(find('iam:group', 'CTLCAMGroup')).toMatchObject({ action: 'preserve', status: 'skipped' });
    expect(find('iam:group', 'CTLCAMGroup').backup).toBeUndefined();
    expect(find('iam:policy', 'CTLCAMPolicy').backup).toBeUndefined(); // no tag to remove: no step
  });
});

describe('federation', () => {
  const saml = (name: string) => ({ name, arn: iamArn(`saml-provider/${name}`) });

  test('a SAML provider: its metadata document and tags (GetSAMLProvider); an OIDC provider: from discovery', async () => {
    const inv = inventory({
      samlProviders: [saml('CTLSaml')],
      oidcProviders: [{ url: 'auth.ctl.io/tenant', arn: iamArn('oidc-provider/auth.ctl.io/tenant'), tags: { idp: 'cam' }, clientIds: ['cam'], thumbprints: ['a'.repeat(40)] }],
    });
    const { find, calls } = await backups(inv, { GetSAMLProvider: () => ({ SAMLMetadataDocument: '<md:EntityDescriptor/>', Tags: [{ Key: 'idp', Value: 'cam' }] }) });
    expect(find('iam:saml-provider', 'CTLSaml').backup).toEqual({ Name: 'CTLSaml', SAMLMetadataDocument: '<md:EntityDescriptor/>', Tags: [{ Key: 'idp', Value: 'cam' }] });
    expect(find('iam:oidc-provider', 'auth.ctl.io/tenant').backup).toEqual({ Url: 'https://auth.ctl.io/tenant', ClientIDList: ['cam'], ThumbprintList: ['a'.repeat(40)], Tags: [{ Key: 'idp', Value: 'cam' }] });
    expect(calls).toEqual([`GetSAMLProvider ${iamArn('saml-provider/CTLSaml')}`]);
  });

  test('a SAML provider answered without its metadata: not deleted, saying so', async () => {
    const { find } = await backups(inventory({ samlProviders: [saml('CTLSaml')] }), { GetSAMLProvider: () => ({}) });
    expect(find('iam:saml-provider', 'CTLSaml')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^backup could not be read: AWS answered GetSAMLProvider without SAMLMetadataDocument/) });
  });
});

describe('a provider bucket', () => {
  const bucket: Bucket = {
    name: `config-bucket-${ACCOUNT}`,
    arn: `arn:aws:s3:::config-bucket-${ACCOUNT}`,
    exists: true,
    policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Provider', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::589942003651:root' }, Action: 's3:GetObject', Resource: '*' }] }),
    lifecycleRules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 7 } }],
    transitionMinimumSize: 'varies_by_storage_class',
    publicAccessBlocked: false,
    publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
    encrypted: false,
    tags: { owner: 'ctl' },
    contents: { objects: 1, bytes: 10, versions: 1, deleteMarkers: 0, needRestore: [] },
  };

  test('archived: every setting it had, whatever the mode replaces', async () => {
    const { find, calls } = await backups(inventory({ buckets: [bucket] }), {}, resolveConfig({ buckets: { mode: 'archive', transitionDays: 30 } }));
    expect(find('s3:bucket', bucket.name).backup).toEqual({
      Bucket: bucket.name,
      Policy: bucket.policy,
      LifecycleRules: bucket.lifecycleRules,
      TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      Tags: [{ Key: 'owner', Value: 'ctl' }],
      PublicAccessBlockConfiguration: bucket.publicAccessBlock,
    });
    expect(calls).toEqual([]);
  });

  test('deleted: the same, marked deleted; a bucket with nothing to change records nothing', async () => {
    const plain: Bucket = { ...bucket, name: `ctlaudit-${ACCOUNT}`, policy: undefined, lifecycleRules: [], tags: {}, publicAccessBlock: undefined, encryption: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } };
    const config = resolveConfig({ buckets: { mode: 'delete', deleteWithoutArchive: true } });
    const withWriters = (inv: Inventory): Inventory => ({ ...inv, bucketWriters: { writers: [], unreadable: [] } });
    const { find } = await backups(withWriters(inventory({ buckets: [plain] })), {}, config);
    expect(find('s3:bucket', plain.name).backup).toEqual({ Bucket: plain.name, TransitionDefaultMinimumObjectSize: 'varies_by_storage_class', ServerSideEncryptionConfiguration: plain.encryption, deleted: true });
    const kept = await backups(inventory({ buckets: [plain] }), {}, DEFAULT_CONFIG);
    expect(kept.find('s3:bucket', plain.name)).toMatchObject({ action: 'preserve', status: 'skipped' });
    expect(kept.find('s3:bucket', plain.name).backup).toBeUndefined();
  });
});

test('the provider\'s automation and unassigned MFA devices record no backup: restore cannot put them back', async () => {
  const inv = inventory({
    virtualMfaDevices: [{ serialNumber: iamArn('mfa/CTLSupport'), name: 'CTLSupport', path: '/' }],
    automation: {
      lambdaFunctions: [{ region: 'us-east-1', name: 'CTLAccountControls', arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:CTLAccountControls`, role: iamArn('role/x') }],
      eventRules: [],
      configRules: [],
      configRecorders: [],
      trails: [],
      unreadable: [],
    },
  });
  const { find, calls } = await backups(inv, {}, resolveConfig({ deleteAutomation: { lambdaFunctions: true } }));
  expect(find('iam:mfa-device', 'CTLSupport')).toMatchObject({ action: 'delete', status: 'planned' });
  expect(find('lambda:function', 'CTLAccountControls')).toMatchObject({ action: 'delete', status: 'planned' });
  expect(find('iam:mfa-device', 'CTLSupport').backup).toBeUndefined();
  expect(find('lambda:function', 'CTLAccountControls').backup).toBeUndefined();
  expect(calls).toEqual([]);
});
