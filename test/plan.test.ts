/** The planner is a pure function: these tests build inventories in memory and check each decision rule. */
import { DEFAULT_CONFIG, resolveConfig } from '../lambda/engine/config';
import type { Action } from '../lambda/engine/model';
import { plan } from '../lambda/engine/plan';
import { PROTECTION_RULES } from '../lambda/protections/builtin';
import { ACCOUNT, group, inventory, policy, policyArn, PROVIDER, role, trustingAccount, user } from './support/inventory-builder';

const find = (actions: Action[], resource: string, name: string) => {
  const found = actions.filter((a) => a.resource === resource && a.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const calls = (action: Action) => action.steps.map((s) => `${s.call} ${Object.values(s.input).join(' ')}`);

describe('plan', () => {
  test('every role and customer-managed policy gets exactly one decision with a reason', () => {
    const inv = inventory({
      roles: [role('CTLDeveloperRole'), role('app-server'), role('OrganizationAccountAccessRole')],
      policies: [policy('CTLDeveloperPolicy'), policy('AppPolicy')],
    });
    const actions = plan(inv, DEFAULT_CONFIG);
    expect(actions.map((a) => `${a.resource} ${a.name}`).sort()).toEqual([
      'iam:policy AppPolicy',
      'iam:policy CTLDeveloperPolicy',
      'iam:role CTLDeveloperRole',
      'iam:role OrganizationAccountAccessRole',
      'iam:role app-server',
    ]);
    for (const action of actions) expect(action.reason).toMatch(/\w{4,}/);
    expect(find(actions, 'iam:role', 'app-server')).toMatchObject({ action: 'skip', reason: 'not a provider role', steps: [] });
  });

  test('a provider role is removed in the order DeleteRole requires; its provider-named profile is deleted after it', () => {
    const inv = inventory({
      roles: [
        role('CTLDeveloperRole', {
          trustPolicy: trustingAccount(PROVIDER),
          inlinePolicyNames: ['inline1'],
          attached: ['CTLDeveloperPolicy', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
          instanceProfiles: [
            { name: 'CTLDeveloperRole', arn: 'arn:ip/CTLDeveloperRole', path: '/', roleNames: ['CTLDeveloperRole'] },
            { name: 'shared-profile', arn: 'arn:ip/shared-profile', path: '/', roleNames: ['CTLDeveloperRole'] },
          ],
        }),
      ],
      policies: [policy('CTLDeveloperPolicy', { attachmentCount: 1 })],
    });
    const actions = plan(inv, DEFAULT_CONFIG);
    const developer = find(actions, 'iam:role', 'CTLDeveloperRole');
    expect(developer.action).toBe('delete');
    expect(developer.reason).toBe('name starts with provider prefix "CTL"; trusts provider account 589942003651');
    expect(calls(developer)).toEqual([
      'RemoveRoleFromInstanceProfile CTLDeveloperRole CTLDeveloperRole',
      'RemoveRoleFromInstanceProfile shared-profile CTLDeveloperRole',
      'DeleteRolePolicy CTLDeveloperRole inline1',
      `DetachRolePolicy CTLDeveloperRole ${policyArn('CTLDeveloperPolicy')}`,
      'DetachRolePolicy CTLDeveloperRole arn:aws:iam::aws:policy/ReadOnlyAccess',
      'DeleteRole CTLDeveloperRole',
    ]);
    // The profiles are items of their own, after the roles: a provider-named one goes, a customer's is only emptied.
    expect(find(actions, 'iam:instance-profile', 'CTLDeveloperRole')).toMatchObject({
      action: 'delete',
      reason: 'name starts with provider prefix "CTL"',
      steps: [expect.objectContaining({ call: 'DeleteInstanceProfile', input: { InstanceProfileName: 'CTLDeveloperRole' } })],
    });
    expect(find(actions, 'iam:instance-profile', 'shared-profile')).toMatchObject({ action: 'skip', reason: 'not a provider instance profile', steps: [] });
    // The role's removal already detaches the policy: the policy's own steps do not repeat it.
    expect(calls(find(actions, 'iam:policy', 'CTLDeveloperPolicy'))).toEqual([`DeletePolicy ${policyArn('CTLDeveloperPolicy')}`]);
  });

  test('a provider policy is detached from the customer groups that keep existing, and its old versions go first', () => {
    const inv = inventory({
      groups: [group('Developers', ['CTLCustomerPolicy', 'DevelopersPolicy']), group('Finance', ['CTLCustomerPolicy'])],
      policies: [
        policy('CTLCustomerPolicy', {
          attachmentCount: 2,
          defaultVersionId: 'v3',
          versions: [
            { versionId: 'v1', isDefault: false },
            { versionId: 'v2', isDefault: false },
            { versionId: 'v3', isDefault: true },
          ],
        }),
        policy('DevelopersPolicy', { attachmentCount: 1 }),
      ],
    });
    const actions = plan(inv, DEFAULT_CONFIG);
    const arn = policyArn('CTLCustomerPolicy');
    expect(calls(find(actions, 'iam:policy', 'CTLCustomerPolicy'))).toEqual([
      `DetachGroupPolicy Developers ${arn}`,
      `DetachGroupPolicy Finance ${arn}`,
      `DeletePolicyVersion ${arn} v1`,
      `DeletePolicyVersion ${arn} v2`,
      `DeletePolicy ${arn}`,
    ]);
    expect(find(actions, 'iam:policy', 'DevelopersPolicy').action).toBe('skip');
  });

  describe('CAM provider', () => {
    const camInventory = () =>
      inventory({
        roles: [
          role('CTLCAMRole', {
            attached: ['CTLCAMPolicy', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
            tags: { Optimization: 'true', Owner: 'cam' },
          }),
        ],
        policies: [policy('CTLCAMPolicy', { attachmentCount: 1, tags: { Optimization: 'true' } })],
      });

    test('keepCamProvider keeps the CAM policy and the role using it, removing only their Optimization tags', () => {
      const actions = plan(camInventory(), DEFAULT_CONFIG);
      const camRole = find(actions, 'iam:role', 'CTLCAMRole');
      expect(camRole.action).toBe('preserve');
      expect(camRole.reason).toMatch(/CTLCAMPolicy/);
      expect(calls(camRole)).toEqual(['UntagRole CTLCAMRole Optimization']);
      expect(calls(find(actions, 'iam:policy', 'CTLCAMPolicy'))).toEqual([`UntagPolicy ${policyArn('CTLCAMPolicy')} Optimization`]);
    });

    test('a kept resource already untagged has nothing to run', () => {
      const inv = camInventory();
      const untagged = { ...inv, roles: [{ ...inv.roles[0]!, tags: {} }], policies: [{ ...inv.policies[0]!, tags: {} }] };
      for (const action of plan(untagged, DEFAULT_CONFIG)) {
        expect(action).toMatchObject({ action: 'preserve', status: 'skipped', steps: [] });
      }
    });

    test('a customer-named role or user holding the CAM policy is the customer\'s: skipped with the CAM policy named, its tags left alone', () => {
      const inv = camInventory();
      const withCustomer = {
        ...inv,
        roles: [...inv.roles, role('cam-ops', { attached: ['CTLCAMPolicy'], tags: { Optimization: 'true' } })],
        users: [user('alice', { attached: ['CTLCAMPolicy'], tags: { Optimization: 'true' } })],
      };
      const actions = plan(withCustomer, DEFAULT_CONFIG);
      expect(find(actions, 'iam:role', 'cam-ops')).toMatchObject({
        action: 'skip',
        reason: "the customer's; uses CAM provider policy CTLCAMPolicy: left as it is",
        steps: [],
      });
      expect(find(actions, 'iam:user', 'alice')).toMatchObject({ action: 'skip', reason: expect.stringContaining('uses CAM provider policy CTLCAMPolicy'), steps: [] });
    });

    test('keepCamProvider false deletes them like the rest', () => {
      const actions = plan(camInventory(), resolveConfig({ keepCamProvider: false }));
      expect(find(actions, 'iam:role', 'CTLCAMRole').action).toBe('delete');
      expect(find(actions, 'iam:policy', 'CTLCAMPolicy').action).toBe('delete');
    });
  });

  test('exclude skips the named resources and nothing else', () => {
    const inv = inventory({ roles: [role('CTLKeepMe'), role('CTLDeleteMe')], policies: [policy('CTLKeepPolicy')] });
    const actions = plan(inv, resolveConfig({ exclude: ['CTLKeepMe', 'CTLKeepPolicy'] }));
    expect(find(actions, 'iam:role', 'CTLKeepMe')).toMatchObject({ action: 'skip', reason: 'excluded by config' });
    expect(find(actions, 'iam:policy', 'CTLKeepPolicy')).toMatchObject({ action: 'skip', reason: 'excluded by config' });
    expect(find(actions, 'iam:role', 'CTLDeleteMe').action).toBe('delete');
  });

  describe('built-in protection wins over a prefix match', () => {
    // Each protected role is given the provider prefix where its rule allows, so only protection can save it.
    const cases: [string, Partial<Parameters<typeof role>[1]>, string][] = [
      ['CTLRunner', {}, 'SelfIdentity'],
      ['CTLServiceRole', { path: '/aws-service-role/support.amazonaws.com/' }, 'ServiceLinkedRole'],
      ['CTLReserved', { path: '/aws-reserved/sso.amazonaws.com/' }, 'AwsReservedPath'],
      ['OrganizationAccountAccessRole', {}, 'OrganizationAccountAccessRole'],
      ['AWSControlTowerExecution', {}, 'ControlTowerExecution'],
      ['AWSCloudFormationStackSetExecutionRole', {}, 'StackSetExecutionRole'],
      ['stacksets-exec-0123456789abcdef', {}, 'StackSetExecutionRole'],
      ['AWSReservedSSO_Admin_0123', { path: '/aws-reserved/sso.amazonaws.com/' }, 'AwsReservedPath'],
      ['AWSReservedSSO_Admin_0123', {}, 'IdentityCenterRole'],
      ['cdk-hnb659fds-deploy-role-123456789012-us-east-1', {}, 'CdkBootstrapRole'],
    ];
    test.each(cases)('%s (%j) is protected by %s', (name, options, ruleId) => {
      // Prefixes that match each name, and trust in the provider, so every other rule would delete or flag it.
      const config = resolveConfig({ prefixes: ['CTL', 'Organization', 'AWS', 'stacksets', 'cdk'], allowBroadPrefixes: ['Organization', 'AWS', 'stacksets', 'cdk'], deleteTrustingRoles: true });
      const inv = inventory({ roles: [role(name, { ...options, trustPolicy: trustingAccount(PROVIDER) })], callerRole: 'CTLRunner' });
      const action = find(plan(inv, config), 'iam:role', name);
      expect(action.action).toBe('skip');
      expect(action.reason).toMatch(new RegExp(`^protected: .*\\(${ruleId}\\)$`));
      expect(action.steps).toEqual([]);
    });

    test('every rule in the table is exercised above or below', () => {
      // AwsManagedPolicy is tested below, IdentityCenterSamlProvider in plan-identities.test.ts.
      const tested = new Set(cases.map((c) => c[2]).concat('AwsManagedPolicy', 'IdentityCenterSamlProvider'));
      expect(PROTECTION_RULES.map((r) => r.id).filter((id) => !tested.has(id))).toEqual([]);
    });

    test('AWS-managed policies are never deleted, only detached from roles that are', () => {
      const awsManaged = { ...policy('AWSManagedCTLPolicy'), arn: 'arn:aws:iam::aws:policy/AWSManagedCTLPolicy' };
      const actions = plan(inventory({ policies: [awsManaged] }), resolveConfig({ prefixes: ['AWS'], allowBroadPrefixes: ['AWS'] }));
      expect(find(actions, 'iam:policy', 'AWSManagedCTLPolicy').reason).toBe('protected: AWS-managed policy (AwsManagedPolicy)');
    });

    test('a provider policy attached to a protected role is flagged, not detached from it', () => {
      const inv = inventory({
        roles: [role('OrganizationAccountAccessRole', { attached: ['CTLCustomerPolicy'] })],
        policies: [policy('CTLCustomerPolicy', { attachmentCount: 1 })],
      });
      const action = find(plan(inv, DEFAULT_CONFIG), 'iam:policy', 'CTLCustomerPolicy');
      expect(action.action).toBe('flag');
      expect(action.reason).toMatch(/protected role OrganizationAccountAccessRole/);
      expect(action.steps).toEqual([]);
    });
  });

  describe('permissions boundary', () => {
    test('a provider policy that bounds a principal which stays is skipped, naming the principal', () => {
      const inv = inventory({
        roles: [role('app-server', { permissionsBoundaryArn: policyArn('CTLBoundary') })],
        users: [user('alice', { permissionsBoundaryArn: policyArn('CTLBoundary') })],
        policies: [policy('CTLBoundary', { boundaryUsageCount: 2 })],
      });
      const action = find(plan(inv, DEFAULT_CONFIG), 'iam:policy', 'CTLBoundary');
      expect(action.action).toBe('skip');
      expect(action.reason).toMatch(/boundary/);
      expect(action.reason).toMatch(/role app-server, user alice/);
    });

    test('a provider policy that bounds only principals being deleted is deleted after them', () => {
      const inv = inventory({
        roles: [role('CTLDeveloperRole', { permissionsBoundaryArn: policyArn('CTLBoundary') })],
        policies: [policy('CTLBoundary', { boundaryUsageCount: 1 })],
      });
      expect(find(plan(inv, DEFAULT_CONFIG), 'iam:policy', 'CTLBoundary').action).toBe('delete');
    });
  });

  describe('trust in the provider', () => {
    const trusting = () =>
      inventory({
        roles: [
          role('customer-support-access', { trustPolicy: trustingAccount(PROVIDER) }),
          role('partner-access', { trustPolicy: trustingAccount('444455556666') }),
          role('bare-id', {
            trustPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: [PROVIDER] }, Action: 'sts:AssumeRole' }] },
          }),
          role('denied', {
            trustPolicy: { Statement: [{ Effect: 'Deny', Principal: { AWS: PROVIDER }, Action: 'sts:AssumeRole' }] },
          }),
        ],
      });

    test('a role that lets a provider account in, under another name, is flagged for review', () => {
      const actions = plan(trusting(), DEFAULT_CONFIG);
      expect(find(actions, 'iam:role', 'customer-support-access')).toMatchObject({ action: 'flag', steps: [] });
      expect(find(actions, 'iam:role', 'customer-support-access').reason).toMatch(/589942003651.*deleteTrustingRoles/);
      expect(find(actions, 'iam:role', 'bare-id').action).toBe('flag');
      expect(find(actions, 'iam:role', 'partner-access').action).toBe('skip');
      expect(find(actions, 'iam:role', 'denied').action).toBe('skip');
    });

    test('deleteTrustingRoles deletes them', () => {
      const actions = plan(trusting(), resolveConfig({ deleteTrustingRoles: true }));
      expect(find(actions, 'iam:role', 'customer-support-access').action).toBe('delete');
      expect(find(actions, 'iam:role', 'partner-access').action).toBe('skip');
    });
  });

  test('prefixes are literal and case-sensitive', () => {
    const actions = plan(inventory({ roles: [role('ctl-lowercase'), role('XCTLRole')] }), DEFAULT_CONFIG);
    expect(actions.every((a) => a.action === 'skip')).toBe(true);
  });
});

describe('a provider bucket too large for one run', () => {
  const big = {
    name: `config-bucket-${ACCOUNT}`,
    arn: `arn:aws:s3:::config-bucket-${ACCOUNT}`,
    exists: true,
    lifecycleRules: [],
    publicAccessBlocked: true,
    encrypted: true,
    tags: {},
    contents: { objects: 60_000, bytes: 1024, versions: 60_000, deleteMarkers: 0, needRestore: [] },
  };
  const batchPlan = (batchRoleArn: string) =>
    find(plan(inventory({ buckets: [big] }), resolveConfig({ buckets: { mode: 'copy', archiveBucket: 'acme-archive', batchRoleArn } })), 's3:bucket', big.name);

  test('is copied by S3 Batch Operations as a role of this account', () => {
    expect(batchPlan(`arn:aws:iam::${ACCOUNT}:role/s3-batch-copy`).steps.map((s) => s.call)).toEqual(['StartBatchCopy']);
  });

  test("is flagged, with nothing run, when the batch role is another account's (the stack may pass only its own account's)", () => {
    expect(batchPlan('arn:aws:iam::999999999999:role/s3-batch-copy')).toMatchObject({
      action: 'flag',
      steps: [],
      reason: expect.stringMatching(/^too large for one run, and buckets.batchRoleArn is a role of account 999999999999, not of this account/),
    });
  });

  test('a batch role ARN with a wildcard is refused in the config, in one line', () => {
    expect(() => resolveConfig({ buckets: { batchRoleArn: 'arn:aws:iam::123456789012:role/*' } })).toThrow(/^config "buckets.batchRoleArn": must be one IAM role ARN, without wildcards/);
  });
});

test('a role whose trust policy names a deleted principal (its unique id) is flagged; a provider-named one is still deleted', () => {
  const trustingDeleted = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ['AROADBQP57FF2AEXAMPLE'] }, Action: 'sts:AssumeRole' }] };
  const actions = plan(inventory({ roles: [role('legacy-access', { trustPolicy: trustingDeleted }), role('CTLOld', { trustPolicy: trustingDeleted })] }), DEFAULT_CONFIG);
  expect(find(actions, 'iam:role', 'legacy-access')).toMatchObject({
    action: 'flag',
    reason: 'trust policy names deleted principal AROADBQP57FF2AEXAMPLE: review whose it was',
    steps: [],
  });
  expect(find(actions, 'iam:role', 'CTLOld').action).toBe('delete');
});

test('archive mode refuses STANDARD as a transition class and fewer than 30 days for the IA classes', () => {
  expect(() => resolveConfig({ buckets: { mode: 'archive', storageClass: 'STANDARD' } })).toThrow(/^config "buckets.storageClass": cannot be STANDARD in archive mode/);
  expect(() => resolveConfig({ buckets: { mode: 'archive', storageClass: 'STANDARD_IA', transitionDays: 29 } })).toThrow(/^config "buckets.transitionDays": must be at least 30 for STANDARD_IA/);
  expect(() => resolveConfig({ buckets: { mode: 'archive', storageClass: 'ONEZONE_IA', transitionDays: 30 } })).not.toThrow();
  // Copy mode may write straight into STANDARD.
  expect(() => resolveConfig({ buckets: { mode: 'copy', archiveBucket: 'acme-archive', storageClass: 'STANDARD' } })).not.toThrow();
});

describe('a provider bucket under SSE-KMS, and its writers', () => {
  const bucket = {
    name: `ctlaudit-${ACCOUNT}`,
    arn: `arn:aws:s3:::ctlaudit-${ACCOUNT}`,
    exists: true,
    lifecycleRules: [],
    publicAccessBlocked: true,
    encrypted: true,
    kmsKey: `arn:aws:kms:us-east-1:${PROVIDER}:key/1111-2222`,
    archive: { versioning: 'Enabled' as const, kmsKey: 'alias/archive' },
    tags: {},
    contents: { objects: 3, bytes: 30, versions: 3, deleteMarkers: 0, needRestore: [] },
  };

  test('the plan names both keys and what the copy needs of each', () => {
    const action = find(plan(inventory({ buckets: [bucket] }), resolveConfig({ buckets: { mode: 'copy', archiveBucket: 'acme-archive' } })), 's3:bucket', bucket.name);
    expect(action.reason).toContain(`SSE-KMS key arn:aws:kms:us-east-1:${PROVIDER}:key/1111-2222 (maybe the provider's): the copy needs kms:Decrypt on it, not granted by the stack`);
    expect(action.reason).toContain('archive SSE-KMS key alias/archive: the copy needs kms:GenerateDataKey and kms:Decrypt on it, not granted by the stack');
  });

  test('delete waits while a writer was not read in some region, and says an organization trail writes', () => {
    const config = resolveConfig({ buckets: { mode: 'delete', deleteWithoutArchive: true } });
    const unread = find(plan({ ...inventory({ buckets: [bucket] }), bucketWriters: { writers: [], unreadable: ['trails of eu-west-1 (AccessDeniedException)'] } }, config), 's3:bucket', bucket.name);
    expect(unread).toMatchObject({ action: 'flag', reason: expect.stringMatching(/^not deleted: writers could not be read in every region \(trails of eu-west-1 \(AccessDeniedException\)\)/) });
    const org = find(plan({ ...inventory({ buckets: [bucket] }), bucketWriters: { writers: [{ bucket: bucket.name, writer: 'organization CloudTrail trail arn:aws:cloudtrail:us-east-1:999999999999:trail/org' }], unreadable: [] } }, config), 's3:bucket', bucket.name);
    expect(org.reason).toMatch(/^not deleted: still written to by organization CloudTrail trail arn:aws:cloudtrail:us-east-1:999999999999:trail\/org/);
    const clear = find(plan({ ...inventory({ buckets: [bucket] }), bucketWriters: { writers: [], unreadable: [] } }, config), 's3:bucket', bucket.name);
    expect(clear.action).toBe('delete');
  });
});
