/** The restore planner, pure: backups and a state in, ordered items with one decision and reason each out. */
import { planRestore, RestoreRefused } from '../cli/restore/plan';
import type { RestoreItem, RestoreState } from '../cli/restore/model';
import {
  ACCOUNT,
  ALLOW_ALL,
  READ_ONLY,
  applied,
  applyReport,
  arn,
  emptyState,
  policyBackup,
  roleBackup,
  stateOf,
  trust,
  userBackup,
} from './support/restore-fixtures';

const calls = (item: RestoreItem) => item.steps.map((s) => s.call);
const find = (items: RestoreItem[], name: string) => {
  const item = items.find((i) => i.name === name);
  if (!item) throw new Error(`no item ${name} in ${items.map((i) => i.name).join(', ')}`);
  return item;
};
const SAML_METADATA = `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.ctl.io">${' '.repeat(1000)}</md:EntityDescriptor>`;

/** A departure of every kind: what the planner must put back, and in which order. */
function fullDeparture() {
  const boundary = arn('policy', 'CTLBoundary');
  const opsPolicy = arn('policy', 'CTLOpsPolicy', '/ops/');
  return applyReport([
    applied('iam:role', 'CTLChainRole', roleBackup('CTLChainRole', { AssumeRolePolicyDocument: trust({ AWS: arn('role', 'CTLOpsRole', '/ops/') }) })),
    applied(
      'iam:role',
      'CTLOpsRole',
      roleBackup('CTLOpsRole', {
        Path: '/ops/',
        Description: 'operations',
        MaxSessionDuration: 7200,
        PermissionsBoundary: boundary,
        Tags: [{ Key: 'team', Value: 'ops' }],
        InlinePolicies: [{ PolicyName: 'logs', PolicyDocument: READ_ONLY }],
        AttachedPolicyArns: [opsPolicy, 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
        InstanceProfiles: [
          { InstanceProfileName: 'CTLOpsRole', Path: '/ops/', deletedByThisRun: true },
        ],
      }),
    ),
    applied('iam:role', 'CTLSamlRole', roleBackup('CTLSamlRole', { AssumeRolePolicyDocument: trust({ Federated: arn('saml-provider', 'CTLSaml') }) })),
    applied('iam:role', 'CTLWebRole', roleBackup('CTLWebRole', { InstanceProfiles: [{ InstanceProfileName: 'web-server', Path: '/apps/', deletedByThisRun: false }] })),
    applied('iam:instance-profile', 'CTLOpsRole', { Path: '/ops/', InstanceProfileName: 'CTLOpsRole', Tags: [], Roles: ['CTLOpsRole'] }),
    applied('iam:user', 'CTLSupport', userBackup('CTLSupport', {
      PermissionsBoundary: boundary,
      Groups: ['Admins', 'CTLOperators'],
      Credentials: { accessKeyIds: ['AKIAOLDKEY0000000001'], loginProfile: true, mfaDevices: [], signingCertificateIds: [], sshPublicKeyIds: [], serviceSpecificCredentialIds: [] },
    })),
    applied('iam:group', 'CTLOperators', { Path: '/ops/', GroupName: 'CTLOperators', InlinePolicies: [], AttachedPolicyArns: [opsPolicy], Members: ['alice', 'CTLSupport'] }),
    applied('iam:policy', 'CTLBoundary', policyBackup('CTLBoundary')),
    applied('iam:policy', 'CTLOpsPolicy', policyBackup('CTLOpsPolicy', {
      Path: '/ops/',
      DefaultVersionId: 'v3',
      Versions: [
        { VersionId: 'v2', IsDefaultVersion: false, Document: READ_ONLY },
        { VersionId: 'v3', IsDefaultVersion: true, Document: ALLOW_ALL },
        { VersionId: 'v4', IsDefaultVersion: false, Document: { ...READ_ONLY, Statement: [] } },
      ],
      AttachedTo: [{ kind: 'group', name: 'Admins' }, { kind: 'role', name: 'CTLOpsRole' }],
    })),
    applied('iam:saml-provider', 'CTLSaml', { Name: 'CTLSaml', SAMLMetadataDocument: SAML_METADATA, Tags: [{ Key: 'owner', Value: 'ctl' }] }),
    applied('iam:oidc-provider', 'auth.ctl.io/tenant', { Url: 'https://auth.ctl.io/tenant', ClientIDList: ['cam'], ThumbprintList: [], Tags: [] }),
    applied('iam:role', 'CTLCAMRole', { Tags: [{ Key: 'Optimization', Value: 'true' }] }, { action: 'preserve' }),
    applied('iam:mfa-device', 'CTLOldDevice', undefined, { steps: [{ service: 'iam', call: 'DeleteVirtualMFADevice', input: {}, status: 'done' }] }),
  ]);
}

/** The account after the departure: customers' things only. */
function afterDeparture(): RestoreState {
  return {
    ...emptyState(),
    roles: {
      'app-batch': { Path: '/', RoleName: 'app-batch', AssumeRolePolicyDocument: trust({ AWS: 'AROACTLOPSROLEXXXXXXX' }), Tags: [], InlinePolicies: [], AttachedPolicyArns: [] },
      CTLCAMRole: { Path: '/', RoleName: 'CTLCAMRole', AssumeRolePolicyDocument: trust({ AWS: 'arn:aws:iam::210987654321:root' }), Tags: [], InlinePolicies: [], AttachedPolicyArns: [] },
    },
    users: { alice: { Path: '/', UserName: 'alice', Tags: [], InlinePolicies: [], AttachedPolicyArns: [], Groups: ['Admins'] } },
    groups: { Admins: { Path: '/', GroupName: 'Admins', InlinePolicies: [], AttachedPolicyArns: [] } },
    instanceProfiles: { 'web-server': { Path: '/apps/', InstanceProfileName: 'web-server', Tags: [], Roles: [] } },
  };
}

describe('a full restore', () => {
  const items = planRestore(fullDeparture(), afterDeparture());

  test('runs in dependency order: providers, policies, groups, users, memberships, roles (a role its trust names first), profiles, attachments, tags', () => {
    expect(items.map((i) => `${i.phase} ${i.name}`)).toEqual([
      'iam:saml-provider CTLSaml',
      'iam:oidc-provider auth.ctl.io/tenant',
      'iam:policy CTLBoundary',
      'iam:policy CTLOpsPolicy',
      'iam:group CTLOperators',
      'iam:user CTLSupport',
      'iam:group-membership CTLSupport in group Admins',
      'iam:group-membership CTLSupport in group CTLOperators',
      'iam:group-membership alice in group CTLOperators',
      'iam:role CTLOpsRole',
      'iam:role CTLSamlRole',
      'iam:role CTLWebRole',
      'iam:role CTLChainRole',
      'iam:instance-profile CTLOpsRole',
      'iam:instance-profile CTLWebRole in instance profile web-server',
      'iam:policy-attachment CTLOpsPolicy on group Admins',
      'iam:tags tags of role CTLCAMRole',
      'other CTLOldDevice',
    ]);
    expect(find(items, 'CTLChainRole').wave).toBe(1);
    expect(find(items, 'CTLOpsRole').wave).toBe(0);
  });

  test('a role comes back whole in one CreateRole, then its inline and attached policies; its old unique id is named where it still shows', () => {
    const role = find(items, 'CTLOpsRole');
    expect(role.decision).toBe('restore');
    expect(role.steps.map((s) => [s.call, s.input])).toEqual([
      [
        'CreateRole',
        {
          RoleName: 'CTLOpsRole',
          Path: '/ops/',
          AssumeRolePolicyDocument: JSON.stringify(trust({ AWS: 'arn:aws:iam::589942003651:root' })),
          Description: 'operations',
          MaxSessionDuration: 7200,
          PermissionsBoundary: arn('policy', 'CTLBoundary'),
          Tags: [{ Key: 'team', Value: 'ops' }],
        },
      ],
      ['PutRolePolicy', { RoleName: 'CTLOpsRole', PolicyName: 'logs', PolicyDocument: JSON.stringify(READ_ONLY) }],
      ['AttachRolePolicy', { RoleName: 'CTLOpsRole', PolicyArn: arn('policy', 'CTLOpsPolicy', '/ops/') }],
      ['AttachRolePolicy', { RoleName: 'CTLOpsRole', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    ]);
    expect(role.notes).toEqual([
      "not restorable: the old unique id AROACTLOPSROLEXXXXXXX: the recreated role gets a new one, and a policy elsewhere that named the old role by ARN shows AROACTLOPSROLEXXXXXXX now and stays broken until edited; still naming it: role app-batch's trust policy",
    ]);
  });

  test('a policy comes back with every version in order, the backed-up default set again; new version ids are said', () => {
    const policy = find(items, 'CTLOpsPolicy');
    const PolicyArn = arn('policy', 'CTLOpsPolicy', '/ops/');
    expect(policy.steps.map((s) => [s.call, s.input])).toEqual([
      ['CreatePolicy', { PolicyName: 'CTLOpsPolicy', Path: '/ops/', PolicyDocument: JSON.stringify(READ_ONLY) }],
      ['CreatePolicyVersion', { PolicyArn, PolicyDocument: JSON.stringify(ALLOW_ALL), SetAsDefault: true }],
      ['CreatePolicyVersion', { PolicyArn, PolicyDocument: JSON.stringify({ ...READ_ONLY, Statement: [] }), SetAsDefault: false }],
    ]);
    expect(policy.notes).toEqual(["not restorable: version ids: v2 becomes v1, v3 becomes v2, v4 becomes v3 (IAM numbers a new policy's versions from v1)"]);
    expect(policy.reason).toBe('deleted by the departure: recreated with 3 version(s), the second the default');
  });

  test('a user comes back without its credentials, which it says; memberships come back once group and user exist', () => {
    const user = find(items, 'CTLSupport');
    expect(calls(user)).toEqual(['CreateUser']);
    expect(user.steps[0]!.input).toEqual({ UserName: 'CTLSupport', Path: '/', PermissionsBoundary: arn('policy', 'CTLBoundary') });
    expect(user.notes).toContain('not restorable: its credentials (access key AKIAOLDKEY0000000001; a console password): secrets are never shown twice; make new ones and hand them over');
    expect(find(items, 'alice in group CTLOperators')).toMatchObject({ decision: 'restore', sources: ['CTLOperators'], steps: [{ call: 'AddUserToGroup', input: { GroupName: 'CTLOperators', UserName: 'alice' } }] });
    expect(find(items, 'CTLSupport in group CTLOperators').sources).toEqual(['CTLSupport', 'CTLOperators']);
  });

  test('instance profiles: a deleted one is recreated with its role; a kept one gets the role back', () => {
    expect(find(items, 'CTLOpsRole').phase).toBe('iam:role');
    const profile = items.find((i) => i.phase === 'iam:instance-profile' && i.name === 'CTLOpsRole')!;
    expect(profile.steps.map((s) => [s.call, s.input])).toEqual([
      ['CreateInstanceProfile', { InstanceProfileName: 'CTLOpsRole', Path: '/ops/' }],
      ['AddRoleToInstanceProfile', { InstanceProfileName: 'CTLOpsRole', RoleName: 'CTLOpsRole' }],
    ]);
    expect(find(items, 'CTLWebRole in instance profile web-server').steps.map((s) => s.input)).toEqual([{ InstanceProfileName: 'web-server', RoleName: 'CTLWebRole' }]);
  });

  test('a deleted policy goes back on the customer principals it was detached from; a restored role attaches it itself', () => {
    expect(items.filter((i) => i.phase === 'iam:policy-attachment').map((i) => i.name)).toEqual(['CTLOpsPolicy on group Admins']);
    expect(find(items, 'CTLOpsPolicy on group Admins').steps.map((s) => [s.call, s.input])).toEqual([['AttachGroupPolicy', { GroupName: 'Admins', PolicyArn: arn('policy', 'CTLOpsPolicy', '/ops/') }]]);
  });

  test('federation providers come back from their definitions; tags come back on what was kept; an MFA device cannot', () => {
    expect(find(items, 'CTLSaml').steps.map((s) => s.input)).toEqual([{ Name: 'CTLSaml', SAMLMetadataDocument: SAML_METADATA, Tags: [{ Key: 'owner', Value: 'ctl' }] }]);
    expect(find(items, 'auth.ctl.io/tenant').steps.map((s) => s.input)).toEqual([{ Url: 'https://auth.ctl.io/tenant', ClientIDList: ['cam'] }]);
    expect(find(items, 'tags of role CTLCAMRole').steps.map((s) => [s.call, s.input])).toEqual([['TagRole', { RoleName: 'CTLCAMRole', Tags: [{ Key: 'Optimization', Value: 'true' }] }]]);
    expect(find(items, 'CTLOldDevice')).toMatchObject({ decision: 'cannot', reason: expect.stringMatching(/^a virtual MFA device is a credential/), steps: [] });
  });
});

test('a second restore, with everything back, changes nothing: each item is the same', () => {
  const report = applyReport([
    applied('iam:role', 'CTLOpsRole', roleBackup('CTLOpsRole', { InlinePolicies: [{ PolicyName: 'logs', PolicyDocument: READ_ONLY }], Tags: [{ Key: 'a', Value: 'b' }] })),
    applied('iam:policy', 'CTLOpsPolicy', policyBackup('CTLOpsPolicy')),
    applied('iam:user', 'CTLSupport', userBackup('CTLSupport')),
  ]);
  const items = planRestore(report, stateOf(report));
  expect(items.map((i) => [i.name, i.decision, i.steps.length])).toEqual([
    ['CTLOpsPolicy', 'same', 0],
    ['CTLSupport', 'same', 0],
    ['CTLOpsRole', 'same', 0],
  ]);
});

describe('conflicts are reported, never overwritten', () => {
  test('a role of that name with another trust policy or path: nothing of it is touched', () => {
    const report = applyReport([applied('iam:role', 'CTLOpsRole', roleBackup('CTLOpsRole', { InlinePolicies: [{ PolicyName: 'logs', PolicyDocument: READ_ONLY }] }))]);
    const state = stateOf(report);
    const taken = { ...state, roles: { CTLOpsRole: { ...state.roles.CTLOpsRole!, Path: '/other/', AssumeRolePolicyDocument: trust({ Service: 'ec2.amazonaws.com' }), InlinePolicies: [] } } };
    expect(planRestore(report, taken)).toEqual([
      expect.objectContaining({ decision: 'conflict', reason: 'the name is taken by a role with another path /other/ (backed up: /), trust policy: not overwritten', steps: [] }),
    ]);
  });

  test('an inline policy or tag with another value now: that part is left, the missing parts come back', () => {
    const report = applyReport([
      applied('iam:role', 'CTLOpsRole', roleBackup('CTLOpsRole', { InlinePolicies: [{ PolicyName: 'logs', PolicyDocument: READ_ONLY }, { PolicyName: 'more', PolicyDocument: ALLOW_ALL }], Tags: [{ Key: 'team', Value: 'ops' }, { Key: 'cost', Value: 'ctl' }] })),
    ]);
    const state = stateOf(report);
    const changed = { ...state, roles: { CTLOpsRole: { ...state.roles.CTLOpsRole!, InlinePolicies: [{ PolicyName: 'logs', PolicyDocument: ALLOW_ALL }], Tags: [{ Key: 'team', Value: 'customer' }] } } };
    const [item] = planRestore(report, changed);
    expect(item!.decision).toBe('conflict');
    expect(item!.steps.map((s) => [s.call, s.input])).toEqual([
      ['TagRole', { RoleName: 'CTLOpsRole', Tags: [{ Key: 'cost', Value: 'ctl' }] }],
      ['PutRolePolicy', { RoleName: 'CTLOpsRole', PolicyName: 'more', PolicyDocument: JSON.stringify(ALLOW_ALL) }],
    ]);
    expect(item!.notes).toEqual(['conflict: tag team has another value now: not overwritten', 'conflict: inline policy logs has another document now: not overwritten']);
    expect(item!.reason).toBe('tag team has another value now: not overwritten; the rest is put back (there with the same definition; put back: 1 tag(s), 1 inline policy)');
  });

  test('a policy whose versions differ is a conflict; one whose first versions match gets the rest (a restore that stopped half-way)', () => {
    const versions = [
      { VersionId: 'v1', IsDefaultVersion: false, Document: READ_ONLY },
      { VersionId: 'v2', IsDefaultVersion: true, Document: ALLOW_ALL },
    ];
    const report = applyReport([applied('iam:policy', 'CTLOpsPolicy', policyBackup('CTLOpsPolicy', { Versions: versions, DefaultVersionId: 'v2' }))]);
    const state = stateOf(report);
    const PolicyArn = arn('policy', 'CTLOpsPolicy');
    const half = { ...state, policies: { [PolicyArn]: { ...state.policies[PolicyArn]!, Versions: [{ VersionId: 'v1', IsDefaultVersion: true, Document: READ_ONLY }] } } };
    expect(planRestore(report, half)[0]!.steps.map((s) => [s.call, s.input])).toEqual([['CreatePolicyVersion', { PolicyArn, PolicyDocument: JSON.stringify(ALLOW_ALL), SetAsDefault: true }]]);
    const other = { ...state, policies: { [PolicyArn]: { ...state.policies[PolicyArn]!, Versions: [{ VersionId: 'v1', IsDefaultVersion: true, Document: ALLOW_ALL }] } } };
    expect(planRestore(report, other)[0]).toMatchObject({ decision: 'conflict', steps: [], reason: 'the name is taken by a policy with other versions (1 there, 2 backed up, documents differ): not overwritten' });
  });

  test('a kept instance profile that holds another role now keeps it', () => {
    const report = applyReport([applied('iam:role', 'CTLWebRole', roleBackup('CTLWebRole', { InstanceProfiles: [{ InstanceProfileName: 'web-server', Path: '/', deletedByThisRun: false }] }))]);
    const state = { ...emptyState(), instanceProfiles: { 'web-server': { Path: '/', InstanceProfileName: 'web-server', Tags: [], Roles: ['web-v2'] } } };
    expect(find(planRestore(report, state), 'CTLWebRole in instance profile web-server')).toMatchObject({
      decision: 'conflict',
      steps: [],
      reason: 'the profile holds role web-v2 now, and AWS allows one role per instance profile: CTLWebRole not added',
    });
  });
});

describe('--only restores those items and says what they need', () => {
  const report = fullDeparture();

  test('a role alone (and the profile of the same name): its boundary policy is missing, so it cannot be created; the lines name what to add', () => {
    const items = planRestore(report, afterDeparture(), { only: ['CTLOpsRole'] });
    expect(items.map((i) => `${i.phase} ${i.name} ${i.decision}`)).toEqual(['iam:role CTLOpsRole needs', 'iam:instance-profile CTLOpsRole restore']);
    expect(items[0]!.reason).toBe('cannot be created: permissions boundary CTLBoundary, neither there nor restored by this run (restore it too: --only CTLBoundary)');
    expect(items[1]!.notes).toEqual(['needs: role CTLOpsRole (to put it in the profile), which this run cannot restore (see its own line)']);
  });

  test('a role with its boundary: created, the attachment of a policy left out is a needs line', () => {
    const items = planRestore(report, afterDeparture(), { only: ['CTLOpsRole', 'CTLBoundary'] });
    const role = find(items, 'CTLOpsRole');
    expect(role.decision).toBe('restore');
    expect(calls(role)).toEqual(['CreateRole', 'PutRolePolicy', 'AttachRolePolicy']);
    expect(role.notes).toContain('needs: managed policy CTLOpsPolicy (to attach it), neither there nor restored by this run (restore it too: --only CTLOpsPolicy)');
  });

  test('a role whose trust policy names a role left out waits for it', () => {
    const [item] = planRestore(report, afterDeparture(), { only: ['CTLChainRole'] });
    expect(item).toMatchObject({ decision: 'needs', reason: 'cannot be created: role CTLOpsRole (its trust policy names it), neither there nor restored by this run (restore it too: --only CTLOpsRole)' });
  });

  test('a name the report does not hold is refused before anything is read', () => {
    expect(() => planRestore(report, afterDeparture(), { only: ['CTLNope'] })).toThrow(new RestoreRefused('--only CTLNope: no action of that name in the report changed anything; give the name of a deleted or changed resource as the report shows it'));
  });
});

describe('what cannot be restored, said per item', () => {
  test('a trust policy naming a principal deleted before the departure (its unique id)', () => {
    const report = applyReport([applied('iam:role', 'CTLOld', roleBackup('CTLOld', { AssumeRolePolicyDocument: trust({ AWS: 'AROAGONEGONEGONEGONE1' }) }))]);
    expect(planRestore(report, emptyState())[0]).toMatchObject({ decision: 'cannot', reason: expect.stringContaining('names AROAGONEGONEGONEGONE1, a principal deleted before the departure') });
  });

  test('roles whose trust policies name each other', () => {
    const report = applyReport([
      applied('iam:role', 'CTLA', roleBackup('CTLA', { AssumeRolePolicyDocument: trust({ AWS: arn('role', 'CTLB') }) })),
      applied('iam:role', 'CTLB', roleBackup('CTLB', { AssumeRolePolicyDocument: trust({ AWS: arn('role', 'CTLA') }) })),
    ]);
    expect(planRestore(report, emptyState()).map((i) => [i.name, i.decision])).toEqual([['CTLA', 'needs'], ['CTLB', 'needs']]);
  });

  test('a deleted bucket: its objects are where the departure copied them', () => {
    const steps = [
      { service: 's3' as const, call: 'CopyObjects', input: { SourceBucket: 'ctlaudit-1', DestinationBucket: 'archive', DestinationPrefix: 'ctlaudit-1/' }, status: 'done' as const },
      { service: 's3' as const, call: 'DeleteBucket', input: { Bucket: 'ctlaudit-1' }, status: 'done' as const },
    ];
    const report = applyReport([applied('s3:bucket', 'ctlaudit-1', { Bucket: 'ctlaudit-1', deleted: true }, { steps })]);
    expect(planRestore(report, emptyState())[0]).toMatchObject({
      decision: 'cannot',
      reason: 'deleted by the departure: a bucket cannot be recreated from the report; its objects are in s3://archive/ctlaudit-1/. Create it again by hand, if the name is still free, and copy the objects back',
    });
  });

  test('automation the report holds no definition of', () => {
    const report = applyReport([applied('iam:role', 'CTLX', roleBackup('CTLX')), applied('lambda:function', 'CTLFn', undefined)]);
    expect(planRestore(report, emptyState())[1]).toMatchObject({ decision: 'cannot', reason: 'the report holds no definition of this lambda:function: redeploy it from its source' });
  });
});

describe('bucket settings', () => {
  const original = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ProviderRead', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::589942003651:root' }, Action: 's3:GetObject', Resource: '*' }, { Sid: 'Mine', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 's3:GetObject', Resource: '*' }] });
  const rewritten = JSON.stringify({ Version: '2012-10-17', Statement: [JSON.parse(original).Statement[1]] });
  const pab = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
  const bucket = `config-bucket-${ACCOUNT}`;
  const owned = { Bucket: bucket, ExpectedBucketOwner: ACCOUNT };
  const report = applyReport([
    applied('s3:bucket', bucket, { Bucket: bucket, Policy: original, Tags: [{ Key: 'owner', Value: 'ctl' }] }, {
      action: 'preserve',
      steps: [
        { service: 's3', call: 'PutBucketPolicy', input: { ...owned, Policy: rewritten }, status: 'done' },
        { service: 's3', call: 'PutPublicAccessBlock', input: { ...owned, PublicAccessBlockConfiguration: pab }, status: 'done' },
        { service: 's3', call: 'PutBucketTagging', input: { ...owned, Tagging: { TagSet: [{ Key: 'owner', Value: 'ctl' }, { Key: 'ctl-departure:archived', Value: 'x' }] } }, status: 'done' },
      ],
    }),
  ]);

  test('each setting the departure changed goes back as it was, or is removed where there was none', () => {
    const state = { ...emptyState(), buckets: { [bucket]: { exists: true, Policy: rewritten, PublicAccessBlockConfiguration: pab, Tags: [{ Key: 'owner', Value: 'ctl' }, { Key: 'ctl-departure:archived', Value: 'x' }] } } };
    const [item] = planRestore(report, state);
    expect(item!.steps.map((s) => [s.call, s.input])).toEqual([
      ['PutBucketPolicy', { ...owned, Policy: original }],
      ['DeletePublicAccessBlock', owned],
      ['PutBucketTagging', { ...owned, Tagging: { TagSet: [{ Key: 'owner', Value: 'ctl' }] } }],
    ]);
    expect(item!.reason).toBe('changed by the departure: bucket policy, public access block, tags put back as before');
  });

  test('a setting changed since the departure is a conflict; one already back is the same', () => {
    const state = { ...emptyState(), buckets: { [bucket]: { exists: true, Policy: original, PublicAccessBlockConfiguration: { ...pab, BlockPublicAcls: false }, Tags: [{ Key: 'owner', Value: 'ctl' }] } } };
    const [item] = planRestore(report, state);
    expect(item).toMatchObject({ decision: 'conflict', steps: [], notes: ['conflict: the public access block changed since the departure: not overwritten'] });
  });
});

test('the planner changes neither its inputs nor depends on anything but them', () => {
  const report = fullDeparture();
  const state = afterDeparture();
  const before = JSON.stringify([report, state]);
  expect(JSON.stringify(planRestore(report, state))).toBe(JSON.stringify(planRestore(report, state)));
  expect(JSON.stringify([report, state])).toBe(before);
});
