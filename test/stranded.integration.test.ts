/**
 * Crashes must never strand anything: a run killed between any two steps of a provider role with an instance profile
 * and a provider user with a virtual MFA device (RemoveRoleFromInstanceProfile | DeleteInstanceProfile,
 * DeactivateMFADevice | DeleteVirtualMFADevice, ...) is finished by the next run, because instance profiles and
 * unassigned virtual MFA devices are discovered on their own, not only through the role or user that held them.
 */
import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  PutUserPolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  ListInstanceProfilesCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { run, testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';
import { trustPolicy } from './support/reference-account';

const moto = motoSuite();
let iam: IAMClient;
beforeAll(() => {
  iam = testIamClient();
});

async function seed(): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: 'CTLWorker', AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }) }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'CTLWorkerProfile' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'CTLWorkerProfile', RoleName: 'CTLWorker' }));
  await iam.send(new CreateUserCommand({ UserName: 'CTLSupport' }));
  const device = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'CTLSupport-mfa' }));
  await iam.send(
    new EnableMFADeviceCommand({ UserName: 'CTLSupport', SerialNumber: device.VirtualMFADevice!.SerialNumber!, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }),
  );
  // The customer's: an empty profile and an unassigned device, neither named for the provider.
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'spare-profile' }));
  await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'alice-phone' }));
}

async function leftOver(): Promise<string[]> {
  const profiles = (await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? [];
  const devices = (await iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices ?? [];
  const users = (await iam.send(new ListUsersCommand({}))).Users ?? [];
  return [
    ...profiles.map((p) => `profile ${p.InstanceProfileName}`),
    ...devices.map((d) => `mfa ${d.SerialNumber!.split('/').pop()}`),
    ...users.map((u) => `user ${u.UserName}`),
  ].sort();
}

const CUSTOMER_ONLY = ['mfa alice-phone', 'profile spare-profile'];

test('the provider role, user, profile and device go; the customer profile and device stay', async () => {
  await seed();
  const { report, calls } = await run('apply', {}, { concurrency: 1 });
  expect(report.summary.failed).toBe(0);
  expect(await leftOver()).toEqual(CUSTOMER_ONLY);
  expect(report.actions.find((a) => a.resource === 'iam:instance-profile' && a.name === 'spare-profile')).toMatchObject({ action: 'skip' });
  expect(report.actions.find((a) => a.resource === 'iam:mfa-device' && a.name === 'alice-phone')).toMatchObject({ action: 'skip' });
  // Six changes: leave the profile, delete the role, deactivate, delete the device, delete the user, delete the profile.
  expect(calls.mutating).toBe(6);
});

// Concurrency 1 makes the order of the six changes fixed, so each limit kills the run at a different step boundary.
test.each([1, 2, 3, 4, 5])('a run killed after %i of the 6 changes is finished by the next run, leaving nothing behind', async (limit) => {
  await seed();
  const crashed = await run('apply', {}, { crashAfterMutations: limit, concurrency: 1 });
  expect(crashed.report.summary.failed).toBeGreaterThan(0);
  expect(await leftOver()).not.toEqual(CUSTOMER_ONLY);

  const rerun = await run('apply', {}, { concurrency: 1 });
  expect(rerun.report.summary.failed).toBe(0);
  expect(await leftOver()).toEqual(CUSTOMER_ONLY);
  expect((await run('apply')).calls.mutating).toBe(0);
});

test('with the second call of each pair denied (DeleteVirtualMFADevice, DeleteInstanceProfile), a re-run once allowed leaves nothing behind', async () => {
  await seed();
  // The run's own identity may do anything but the two deletes (moto's IAM authorization switched on).
  await iam.send(new CreateUserCommand({ UserName: 'runner' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'runner',
      PolicyName: 'all-but-two',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: ['iam:DeleteVirtualMFADevice', 'iam:DeleteInstanceProfile'], Resource: '*' },
        ],
      }),
    }),
  );
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'runner' }))).AccessKey!;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey });
  await moto().enforceIam(0);
  try {
    const denied = await run('apply', {}, { concurrency: 1 });
    expect(denied.report.actions.filter((a) => a.status === 'failed').map((a) => `${a.resource} ${a.name} ${a.error?.split(':')[0]}`).sort()).toEqual([
      'iam:instance-profile CTLWorkerProfile DeleteInstanceProfile failed',
      'iam:user CTLSupport DeleteVirtualMFADevice failed',
    ]);
  } finally {
    await moto().enforceIam(Infinity);
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: saved.id, AWS_SECRET_ACCESS_KEY: saved.secret });
  }
  // The profile no longer holds the role, the device is deactivated: neither is in the role's or user's lists.
  const rerun = await run('apply', {}, { concurrency: 1 });
  expect(rerun.report.summary.failed).toBe(0);
  expect(await leftOver()).toEqual([...CUSTOMER_ONLY, 'user runner'].sort());
});
