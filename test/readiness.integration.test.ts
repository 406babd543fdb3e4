/**
 * `ctl-departure readiness` against strict moto: every check in each of its statuses, from a standalone account
 * where all is well, a member of the provider's organization where nearly everything needs attention, the same
 * member with its organizations allowed, and a caller that may read nothing.
 */
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { InviteAccountToOrganizationCommand } from '@aws-sdk/client-organizations';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../cli/main';
import { createClients } from '../lambda/engine/aws';
import { resolveConfig } from '../lambda/engine/config';
import { checkReadiness, type ReadinessCheck } from '../lambda/engine/readiness';
import { accountApi, asMember, createMember, createOrganization, CUSTOMER_MANAGEMENT, organizationsAs, setStanding, type Member } from './support/departure-org';
import { motoSuite } from './support/moto-suite';
import { trustPolicy, PROVIDER_ACCOUNT } from './support/reference-account';

jest.setTimeout(60_000);
const server = motoSuite();

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const configFile = (config: object) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ctl-readiness-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
};

/** id → [status, detail] of a readiness JSON answer. */
const byId = (checks: readonly ReadinessCheck[]) => Object.fromEntries(checks.map((c) => [c.id, [c.status, c.detail]]));

const contact = (type: string, EmailAddress: string) => ({ AlternateContactType: type, Name: `${type} contact`, Title: 'Ops', EmailAddress, PhoneNumber: '+15555550100' });
const INFO = { FullName: 'Jane Doe', AddressLine1: '1 Main St', City: 'Springfield', PostalCode: '12345', CountryCode: 'US', PhoneNumber: '+15555550100' };

test('a standalone account with its own contacts, root MFA and nothing of the provider: all ok but the payment method (exit 0)', async () => {
  const account = accountApi(server());
  for (const type of ['BILLING', 'OPERATIONS', 'SECURITY']) await account.send('PutAlternateContact', contact(type, `${type.toLowerCase()}@acme.example`));
  await account.send('PutContactInformation', { ContactInformation: { ...INFO, CompanyName: 'Acme', WebsiteUrl: 'https://acme.example' } });
  await setStanding(server(), '123456789012', { rootMfa: true });
  const result = await cli('readiness', '--json');
  expect(result.code).toBe(0);
  const answer = JSON.parse(result.out);
  expect(answer.accountId).toBe('123456789012');
  expect(answer.checks.map((c: ReadinessCheck) => c.id)).toEqual([
    'root-mfa', 'root-access-keys', 'alternate-contact-billing', 'alternate-contact-operations', 'alternate-contact-security',
    'contact-information', 'organization', 'pending-invitations', 'payment-method', 'provider-access',
  ]);
  expect(byId(answer.checks)).toEqual({
    'root-mfa': ['ok', 'enabled'],
    'root-access-keys': ['ok', 'none'],
    'alternate-contact-billing': ['ok', 'BILLING contact <billing@acme.example>'],
    'alternate-contact-operations': ['ok', 'OPERATIONS contact <operations@acme.example>'],
    'alternate-contact-security': ['ok', 'SECURITY contact <security@acme.example>'],
    'contact-information': ['ok', 'no provider domain'],
    organization: ['ok', 'standalone'],
    'pending-invitations': ['ok', 'none'],
    'payment-method': ['manual', 'no API shows it'],
    'provider-access': ['ok', expect.stringMatching(/^0 to delete, 0 kept, 0 flagged, \d+ skipped$/)],
  });
  const table = await cli('readiness');
  expect(table.code).toBe(0);
  expect(table.out).toMatch(/^readiness of account 123456789012\n/);
  expect(table.out).toMatch(/\nmanual {4}payment-method +no API shows it -> leaving an organization needs a valid payment method/);
});

describe('a member of the provider organization, invited by the customer organization', () => {
  let member: Member;
  let providerOrg: string;
  let customerOrg: string;
  let invitation: string;

  beforeEach(async () => {
    providerOrg = await createOrganization(server());
    member = await createMember(server(), 'departing');
    customerOrg = await createOrganization(server(), CUSTOMER_MANAGEMENT);
    invitation = (await organizationsAs(server(), CUSTOMER_MANAGEMENT).send(new InviteAccountToOrganizationCommand({ Target: { Type: 'ACCOUNT', Id: member.accountId } }))).Handshake!.Id!;
    const account = accountApi(server(), member.credentials);
    await account.send('PutAlternateContact', contact('BILLING', 'billing@CTL.io'));
    await account.send('PutAlternateContact', contact('SECURITY', 'soc@mail.lumen.com'));
    await account.send('PutContactInformation', { ContactInformation: { ...INFO, CompanyName: 'CenturyLink', WebsiteUrl: 'https://www.centurylink.com/cam' } });
    await setStanding(server(), member.accountId, { rootAccessKeys: true });
    const iam = new IAMClient({ endpoint: server().endpoint, region: 'us-east-1', credentials: member.credentials });
    await iam.send(new CreateRoleCommand({ RoleName: 'CTLDeveloperRole', AssumeRolePolicyDocument: trustPolicy({ AWS: `arn:aws:iam::${PROVIDER_ACCOUNT}:root` }) }));
  });

  test('each check that can need attention does (exit 1), the payment method stays manual', async () => {
    const result = await asMember(member, () => cli('readiness', '--json'));
    expect(result.code).toBe(1);
    expect(byId(JSON.parse(result.out).checks)).toEqual({
      'root-mfa': ['attention', 'not enabled'],
      'root-access-keys': ['attention', 'present'],
      'alternate-contact-billing': ['attention', 'BILLING contact <billing@CTL.io>: the provider (ctl.io)'],
      'alternate-contact-operations': ['attention', 'not set'],
      'alternate-contact-security': ['attention', 'SECURITY contact <soc@mail.lumen.com>: the provider (lumen.com)'],
      'contact-information': ['attention', 'names the provider: WebsiteUrl https://www.centurylink.com/cam'],
      organization: ['attention', `member of ${providerOrg} (management account 123456789012), not in allowedOrganizations`],
      'pending-invitations': ['attention', `${invitation} from ${customerOrg} (management account ${CUSTOMER_MANAGEMENT}): not all from allowedOrganizations`],
      'payment-method': ['manual', 'no API shows it'],
      'provider-access': ['attention', expect.stringMatching(/^1 to delete, 0 kept, 0 flagged, \d+ skipped$/)],
    });
    const table = await asMember(member, () => cli('readiness', '--config', configFile({ providerEmailDomains: ['example.org'] })));
    expect(table.out).toMatch(/ok +alternate-contact-billing +BILLING contact <billing@CTL.io>\n/);
    expect(table.out).toMatch(/attention alternate-contact-operations +not set -> set your own contact/);
  });

  test('with both organizations allowed, the organization and the invitation are ok; apply leaves nothing to delete', async () => {
    const config = configFile({ allowedOrganizations: [providerOrg, CUSTOMER_MANAGEMENT] });
    const plan = JSON.parse((await asMember(member, () => cli('readiness', '--json', '--config', config))).out);
    expect(byId(plan.checks).organization).toEqual(['ok', `member of ${providerOrg} (management account 123456789012), allowed`]);
    expect(byId(plan.checks)['pending-invitations']).toEqual(['ok', `${invitation} from ${customerOrg} (management account ${CUSTOMER_MANAGEMENT})`]);
    const apply = await asMember(member, () => cli('apply', '--json', '--config', config));
    expect(apply.code).toBe(0);
    expect(byId(JSON.parse(apply.out).readiness)['provider-access']).toEqual(['ok', expect.stringMatching(/^0 to delete, 0 kept, 0 flagged, \d+ skipped$/)]);
    const table = await asMember(member, () => cli('plan', '--config', config));
    expect(table.out).toMatch(/\n\nreadiness:\nattention root-mfa +not enabled -> the provider removes root MFA/);
  });
});

test('a caller that may read nothing: every read check is unknown, with the error, and the run is not stopped', async () => {
  const iam = new IAMClient({ endpoint: server().endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await iam.send(new CreateUserCommand({ UserName: 'nobody' }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'nobody' }));
  const nobody = { accountId: '123456789012', credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey!, sessionToken: '' } };
  await server().enforceIam(0);
  let checks: ReadinessCheck[];
  try {
    checks = await asMember(nobody, () => checkReadiness(createClients({ maxAttempts: 1 }), resolveConfig({}), { status: 'unknown', error: 'AccessDeniedException: no organizations:DescribeOrganization' }, []));
  } finally {
    await server().enforceIam(Infinity);
  }
  const statuses = byId(checks);
  for (const id of ['root-mfa', 'root-access-keys', 'alternate-contact-billing', 'alternate-contact-operations', 'alternate-contact-security', 'contact-information', 'pending-invitations']) {
    expect([id, statuses[id]![0], statuses[id]![1]]).toEqual([id, 'unknown', expect.stringMatching(/^AccessDenied\w*: .*not authorized/)]);
  }
  expect(statuses.organization).toEqual(['unknown', 'AccessDeniedException: no organizations:DescribeOrganization']);
  expect(statuses['payment-method']![0]).toBe('manual');
  expect(statuses['provider-access']).toEqual(['ok', '0 to delete, 0 kept, 0 flagged, 0 skipped']);
});
