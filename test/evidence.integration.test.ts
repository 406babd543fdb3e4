/**
 * Evidence against strict moto: a provider role the provider used (a session of it made a call in eu-west-1) and a
 * provider user's access keys (one used with STS in us-west-2, one never) show their last use in the plan, and the
 * recent ones are warnings. Discovery reads RoleLastUsed from GetAccountAuthorizationDetails and each key's use from
 * GetAccessKeyLastUsed.
 */
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { run, testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';
import { trustPolicy } from './support/reference-account';

motoSuite();

const ACCOUNT = '123456789012';

beforeEach(async () => {
  const iam = testIamClient();
  await iam.send(new CreateRoleCommand({ RoleName: 'CTLDeveloperRole', AssumeRolePolicyDocument: trustPolicy({ AWS: 'arn:aws:iam::589942003651:root' }) }));
  await iam.send(new CreateRoleCommand({ RoleName: 'CTLIdleRole', AssumeRolePolicyDocument: trustPolicy({ AWS: 'arn:aws:iam::589942003651:root' }) }));
  // The provider works in eu-west-1 as CTLDeveloperRole.
  const { Credentials: c } = await new STSClient({ region: 'us-east-1' }).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/CTLDeveloperRole`, RoleSessionName: 'provider' }));
  await new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! } }).send(new GetCallerIdentityCommand({}));
  // And with one of CTLSupport's two keys, in us-west-2.
  await iam.send(new CreateUserCommand({ UserName: 'CTLSupport' }));
  const used = (await iam.send(new CreateAccessKeyCommand({ UserName: 'CTLSupport' }))).AccessKey!;
  await iam.send(new CreateAccessKeyCommand({ UserName: 'CTLSupport' }));
  await new STSClient({ region: 'us-west-2', credentials: { accessKeyId: used.AccessKeyId!, secretAccessKey: used.SecretAccessKey! } }).send(new GetCallerIdentityCommand({}));
});

test('the plan shows each provider principal\'s last use, and warns of the recent ones', async () => {
  const { report } = await run('plan');
  const action = (name: string) => report.actions.find((a) => a.name === name)!;
  expect(action('CTLDeveloperRole')).toMatchObject({ action: 'delete', evidence: { lastUsed: expect.any(String), region: 'eu-west-1', recentUse: 'less than a day ago in eu-west-1' } });
  expect(Date.parse(action('CTLDeveloperRole').evidence!.lastUsed!)).toBeGreaterThan(Date.now() - 600_000);
  expect(action('CTLIdleRole')).not.toHaveProperty('evidence');
  const keys = action('CTLSupport').evidence!.accessKeys!;
  expect(keys).toHaveLength(2);
  const [usedKey, unusedKey] = [keys.find((k) => k.lastUsed)!, keys.find((k) => !k.lastUsed)!];
  expect(usedKey).toEqual({ id: expect.stringMatching(/^[A-Z0-9]{16,}$/), lastUsed: expect.any(String), service: 'sts', region: 'us-west-2' });
  // Never used: AWS answers "N/A" for service and region, which are left out.
  expect(unusedKey).toEqual({ id: expect.stringMatching(/^[A-Z0-9]{16,}$/) });
  expect(report.warnings).toEqual([
    'CTLDeveloperRole was used less than a day ago in eu-west-1: review before apply',
    `CTLSupport was used less than a day ago in us-west-2 by access key ${usedKey.id}: review before apply`,
  ]);
  expect((await run('plan', { recentUseDays: 0 })).report.warnings).toEqual([]);
});
