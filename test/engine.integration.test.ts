/**
 * The engine against moto with AWS's strict rules restored (test/moto/strict_moto.py): every delete below
 * would be refused by the launcher, as by AWS, if the engine skipped a detach, a version or a profile.
 */
import {
  AttachRolePolicyCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePermissionsBoundaryCommand,
} from '@aws-sdk/client-iam';
import { CUSTOMER_GROUPS, PROTECTED_ROLES, PROVIDER_ACCOUNT, seedReferenceAccount, trustPolicy } from './support/reference-account';
import { readIamState } from './support/iam-state';
import { run, stepsOf, testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';

const ACCOUNT = '123456789012';
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
motoSuite();
let iam: IAMClient;
beforeAll(() => {
  iam = testIamClient();
});

const names = (state: Record<string, unknown>) => Object.keys(state).filter((name) => name.startsWith('CTL'));

describe('the reference provider-managed account', () => {
  beforeEach(async () => {
    await seedReferenceAccount(iam, ACCOUNT);
  });

  test('plan changes nothing and lists exactly the calls apply then makes', async () => {
    const before = await readIamState(iam);
    const planned = await run('plan');
    expect(await readIamState(iam)).toEqual(before);
    expect(planned.calls.mutating).toBe(0);
    expect(planned.report.actions.every((a) => a.status === 'planned' || a.status === 'skipped')).toBe(true);

    const applied = await run('apply');
    expect(applied.report.summary.failed).toBe(0);
    expect(stepsOf(applied.report)).toEqual(stepsOf(planned.report));
    // Every planned call ran, once: the mutating calls counted on the wire are exactly the plan's steps.
    expect(applied.calls.mutating).toBe(planned.report.summary.steps);
    expect(applied.report.summary.stepsDone).toBe(planned.report.summary.steps);
  });

  test('apply leaves only the CAM provider (untagged), every customer group with its own policies, and every protected role', async () => {
    const before = await readIamState(iam);
    const { report } = await run('apply');
    expect(report.summary.failed).toBe(0);
    const after = await readIamState(iam);

    expect(names(after.roles)).toEqual(['CTLCAMRole']);
    expect(names(after.policies)).toEqual(['CTLCAMPolicy']);
    expect(after.roles.CTLCAMRole).toMatchObject({ attached: ['CTLCAMPolicy', 'ReadOnlyAccess'], tags: [] });
    expect(after.policies.CTLCAMPolicy).toMatchObject({ tags: [] });
    for (const group of CUSTOMER_GROUPS) {
      expect(after.groups[group]).toEqual({ name: group, attached: [`${group}Policy`] });
      expect(before.policies[`${group}Policy`]).toBeDefined();
      expect(after.policies[`${group}Policy`]).toEqual(before.policies[`${group}Policy`]);
    }
    for (const role of [...PROTECTED_ROLES.map((r) => r.name), 'app-server']) expect(after.roles[role]).toEqual(before.roles[role]);
    expect(after.users).toEqual(before.users);
    expect(after.instanceProfiles).toEqual({ 'app-server': ['app-server'] });
  });

  test('a second apply on the cleaned account makes no mutating call', async () => {
    await run('apply');
    const again = await run('apply');
    expect(again.calls.mutating).toBe(0);
    expect(again.report.summary).toMatchObject({ failed: 0, steps: 0 });
    expect(again.report.actions.find((a) => a.name === 'CTLCAMRole')).toMatchObject({ action: 'preserve', status: 'skipped' });
  });

  test.each([1, 7, 15])('a run that crashes after %i changes is finished by the next run', async (limit) => {
    const crashed = await run('apply', {}, { crashAfterMutations: limit, concurrency: 3 });
    expect(crashed.report.summary.failed).toBeGreaterThan(0);
    expect(crashed.report.actions.find((a) => a.status === 'failed')?.error).toMatch(/SimulatedCrash: simulated crash; \d+ later step/);

    const rerun = await run('apply');
    expect(rerun.report.summary.failed).toBe(0);
    const after = await readIamState(iam);
    expect(names(after.roles)).toEqual(['CTLCAMRole']);
    expect(names(after.policies)).toEqual(['CTLCAMPolicy']);
    expect((await run('apply')).calls.mutating).toBe(0);
  });

  test('exclude keeps what it names, with its attachments', async () => {
    const { report } = await run('apply', { exclude: ['CTLCloudOptimization'] });
    expect(report.summary.failed).toBe(0);
    const after = await readIamState(iam);
    expect(names(after.roles)).toEqual(['CTLCAMRole', 'CTLCloudOptimization']);
    expect(names(after.policies)).toEqual(['CTLCAMPolicy', 'CTLCloudOptimization']);
    expect(after.roles.CTLCloudOptimization).toMatchObject({ attached: ['CTLCloudOptimization'] });
  });

  test('keepCamProvider false removes the CAM provider too', async () => {
    await run('apply', { keepCamProvider: false });
    const after = await readIamState(iam);
    expect(names(after.roles)).toEqual([]);
    expect(names(after.policies)).toEqual([]);
  });
});

describe('AWS rules the engine must follow', () => {
  test('more than 100 roles and policies are all found across pages and removed', async () => {
    for (let i = 0; i < 130; i++) {
      const name = `CTLBulk${String(i).padStart(3, '0')}`;
      await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}' }));
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy({ AWS: PROVIDER_ACCOUNT }) }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn(name) }));
    }
    const planned = await run('plan');
    expect(planned.report.summary.delete).toBe(260);
    const applied = await run('apply', {}, { concurrency: 16 });
    expect(applied.report.summary).toMatchObject({ failed: 0, done: 260 });
    const after = await readIamState(iam);
    expect(names(after.roles)).toEqual([]);
    expect(names(after.policies)).toEqual([]);
  });

  test('a policy attached to more than 100 principals is detached from all that stay, then deleted', async () => {
    await iam.send(new CreatePolicyCommand({ PolicyName: 'CTLCustomerPolicy', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}' }));
    for (let i = 0; i < 120; i++) {
      await iam.send(new CreateGroupCommand({ GroupName: `team-${i}` }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: `team-${i}`, PolicyArn: arn('CTLCustomerPolicy') }));
    }
    const { report } = await run('apply');
    const action = report.actions.find((a) => a.name === 'CTLCustomerPolicy')!;
    expect(action).toMatchObject({ action: 'delete', status: 'done' });
    expect(action.steps.filter((s) => s.call === 'DetachGroupPolicy')).toHaveLength(120);
    const after = await readIamState(iam);
    expect(Object.keys(after.groups)).toHaveLength(120);
    expect(names(after.policies)).toEqual([]);
  });

  test('a policy with several versions loses its old versions, then itself', async () => {
    await iam.send(new CreatePolicyCommand({ PolicyName: 'CTLVersioned', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}' }));
    for (let v = 2; v <= 4; v++) {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn('CTLVersioned'), SetAsDefault: v === 3, PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b${v}/*"}]}` }));
    }
    const { report } = await run('apply');
    const action = report.actions.find((a) => a.name === 'CTLVersioned')!;
    expect(action.steps.map((s) => `${s.call} ${s.input.VersionId ?? ''}`.trim())).toEqual([
      'DeletePolicyVersion v1',
      'DeletePolicyVersion v2',
      'DeletePolicyVersion v4',
      'DeletePolicy',
    ]);
    expect(action.status).toBe('done');
  });

  test('a provider policy that bounds a customer role stays, and the role keeps its boundary', async () => {
    await iam.send(new CreatePolicyCommand({ PolicyName: 'CTLBoundary', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'app-server', AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }) }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'app-server', PermissionsBoundary: arn('CTLBoundary') }));
    const { report } = await run('apply');
    expect(report.actions.find((a) => a.name === 'CTLBoundary')).toMatchObject({ action: 'skip', reason: expect.stringMatching(/boundary of role app-server/) });
    const role = await iam.send(new GetRoleCommand({ RoleName: 'app-server' }));
    expect(role.Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(arn('CTLBoundary'));
  });

  test('a customer-named role that trusts the provider is flagged, and deleted only when asked', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'legacy-support', AssumeRolePolicyDocument: trustPolicy({ AWS: `arn:aws:iam::${PROVIDER_ACCOUNT}:root` }) }));
    const flagged = await run('apply');
    expect(flagged.report.actions.find((a) => a.name === 'legacy-support')).toMatchObject({ action: 'flag', status: 'skipped' });
    expect(flagged.calls.mutating).toBe(0);
    await run('apply', { deleteTrustingRoles: true });
    await expect(iam.send(new GetRoleCommand({ RoleName: 'legacy-support' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  test('a service-linked role with a provider name is protected (AWS would refuse DeleteRole anyway)', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'CTLServiceLinked', Path: '/aws-service-role/ctl.amazonaws.com/', AssumeRolePolicyDocument: trustPolicy({ Service: 'ctl.amazonaws.com' }) }));
    const { report, calls } = await run('apply');
    expect(report.actions.find((a) => a.name === 'CTLServiceLinked')).toMatchObject({ action: 'skip', reason: expect.stringMatching(/ServiceLinkedRole/) });
    expect(calls.mutating).toBe(0);
  });
});
