/**
 * `ctl-departure leave-organization` against strict moto (which restores LeaveOrganization and invitations after the
 * Organizations model): each refusal AWS names gets its own line and changes nothing, the confirmation is asked on a
 * terminal, and an invitation from an allowed organization is accepted once the account stands alone.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand, InviteAccountToOrganizationCommand, LeaveOrganizationCommand, OrganizationsClient, RegisterDelegatedAdministratorCommand } from '@aws-sdk/client-organizations';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { acceptRefusal, leaveRefusal, type Terminal } from '../cli/leave-organization';
import { main } from '../cli/main';
import { asMember, createMember, createOrganization, CUSTOMER_MANAGEMENT, organizationsAs, READY_TO_STAND_ALONE, setStanding, type Member, type Standing } from './support/departure-org';
import { motoSuite } from './support/moto-suite';
import { onTerminal } from './support/pseudo-terminal';

jest.setTimeout(60_000);
const server = motoSuite();

const NO_TERMINAL: Terminal = { isTTY: false, ask: async () => { throw new Error('asked without a terminal'); } };
const typing = (answer: string, asked: string[] = []): Terminal => ({ isTTY: true, ask: async (question) => (asked.push(question), `${answer}\n`) });

async function cli(member: Member | undefined, args: string[], terminal: Terminal = NO_TERMINAL) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await asMember(member, () => main(args, { out: (t) => out.push(t), err: (t) => err.push(t), terminal }));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const configFile = (config: object) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ctl-leave-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
};

let providerOrg: string;
let customerOrg: string;
let member: Member;
const organizationOf = async (who: Member) =>
  new OrganizationsClient({ endpoint: server().endpoint, region: 'us-east-1', credentials: who.credentials }).send(new DescribeOrganizationCommand({})).then(
    (answer) => answer.Organization!.Id,
    (error) => (error as Error).name,
  );
const invite = async () => (await organizationsAs(server(), CUSTOMER_MANAGEMENT).send(new InviteAccountToOrganizationCommand({ Target: { Type: 'ACCOUNT', Id: member.accountId } }))).Handshake!.Id!;

beforeEach(async () => {
  providerOrg = await createOrganization(server());
  customerOrg = await createOrganization(server(), CUSTOMER_MANAGEMENT);
  member = await createMember(server(), 'departing');
});

const refusals: [reason: string, standing: Standing][] = [
  ['WAIT_PERIOD_ACTIVE', {}],
  ['ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA', { createdDaysAgo: 30 }],
  ['ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION', { createdDaysAgo: 30, eulaAccepted: true }],
  ['MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED', { createdDaysAgo: 30, eulaAccepted: true, phoneVerified: true }],
  ['CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG', READY_TO_STAND_ALONE],
];
const advice: Record<string, RegExp> = {
  WAIT_PERIOD_ACTIVE: /too recently \(AWS: at least four days; invited accounts do not wait\): run leave-organization again later$/,
  ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA: /has not accepted the AWS Customer Agreement: sign in as root/,
  ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION: /needs phone verification to stand alone: sign in as root, verify the phone number/,
  MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED: /has no payment method: sign in as root, add one \(Billing > Payment preferences\)/,
  CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG: /is a delegated administrator of the organization: have its management account deregister it/,
};

test.each(refusals)('refused with %s: one line saying what to do, exit 1, still a member', async (reason, standing) => {
  await setStanding(server(), member.accountId, standing);
  if (reason === 'CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG') {
    await organizationsAs(server()).send(new RegisterDelegatedAdministratorCommand({ AccountId: member.accountId, ServicePrincipal: 'guardduty.amazonaws.com' }));
  }
  const result = await cli(member, ['leave-organization', '--yes']);
  expect(result.code).toBe(1);
  expect(result.err.split('\n')).toEqual([expect.stringMatching(new RegExp(`^ctl-departure: LeaveOrganization refused for account ${member.accountId} \\(${reason}\\): `))]);
  expect(result.err).toMatch(advice[reason]!);
  expect(result.out).toMatch(/^before leaving: payment-method manual: no API shows it -> leaving an organization needs a valid payment method/m);
  expect(await organizationOf(member)).toBe(providerOrg);
});

test('the management account is refused before any call; AWS refuses it too (MasterCannotLeaveOrganizationException), each with one line', async () => {
  const result = await cli(undefined, ['leave-organization', '--yes']);
  expect(result).toMatchObject({ code: 1, out: '' });
  expect(result.err).toBe(`ctl-departure: account 123456789012 is the management account of organization ${providerOrg} (management account 123456789012): this is the management account: it cannot leave; remove the member accounts, then delete the organization; nothing changed`);
  const refused = await organizationsAs(server()).send(new LeaveOrganizationCommand({})).catch((error) => error);
  expect(leaveRefusal(refused, '123456789012')).toBe('LeaveOrganization refused for account 123456789012 (MasterCannotLeaveOrganizationException): this is the management account: it cannot leave; remove the member accounts, then delete the organization');
});

test('denied by the provider (its policy denies organizations:LeaveOrganization): one line naming who can remove the account', async () => {
  await setStanding(server(), member.accountId, READY_TO_STAND_ALONE);
  const iam = new IAMClient({ endpoint: server().endpoint, region: 'us-east-1', credentials: member.credentials });
  await iam.send(new CreateUserCommand({ UserName: 'customer-admin' }));
  await iam.send(new PutUserPolicyCommand({
    UserName: 'customer-admin',
    PolicyName: 'like-CTLCustomerPolicy',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] }),
  }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'customer-admin' }));
  const admin: Member = { accountId: member.accountId, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey!, sessionToken: '' } };
  await server().enforceIam(0);
  let result: Awaited<ReturnType<typeof cli>>;
  try {
    result = await cli(admin, ['leave-organization', '--yes']);
  } finally {
    await server().enforceIam(Infinity);
  }
  expect(result.code).toBe(1);
  expect(result.err).toMatch(new RegExp(`^ctl-departure: LeaveOrganization refused for account ${member.accountId} \\(AccessDeniedException\\): denied, most likely by the provider .*\\(RemoveAccountFromOrganization\\)`));
  expect(await organizationOf(member)).toBe(providerOrg);
});

test('on a terminal the account id must be typed: a wrong one changes nothing, the right one leaves; without a terminal --yes is needed (exit 2)', async () => {
  await setStanding(server(), member.accountId, READY_TO_STAND_ALONE);
  const noTerminal = await cli(member, ['leave-organization']);
  expect(noTerminal).toEqual({ code: 2, out: expect.any(String), err: 'ctl-departure: leave-organization asks for the account id on a terminal; run it on one, or pass --yes' });
  const wrong = await cli(member, ['leave-organization'], typing('123456789012'));
  expect(wrong.code).toBe(1);
  expect(wrong.err).toBe(`ctl-departure: "123456789012" is not ${member.accountId}: not confirmed; nothing changed`);
  expect(await organizationOf(member)).toBe(providerOrg);
  const asked: string[] = [];
  const right = await cli(member, ['leave-organization'], typing(member.accountId, asked));
  expect(asked).toEqual([`Account ${member.accountId} leaves organization ${providerOrg} (management account 123456789012). Type the account id to confirm: `]);
  expect(right.code).toBe(0);
  expect(right.out).toMatch(new RegExp(`account ${member.accountId} left organization ${providerOrg} \\(management account 123456789012\\): it is standalone now`));
  expect(await organizationOf(member)).toBe('AWSOrganizationsNotInUseException');
  expect(await cli(member, ['leave-organization', '--yes'])).toMatchObject({ code: 0, out: `account ${member.accountId} is standalone: nothing to leave` });
});

describe('--accept-invitation', () => {
  test('leaves, then joins the allowed organization that invited it', async () => {
    await setStanding(server(), member.accountId, READY_TO_STAND_ALONE);
    const id = await invite();
    const result = await cli(member, ['leave-organization', '--yes', '--accept-invitation', id, '--config', configFile({ allowedOrganizations: [customerOrg] })]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`left organization ${providerOrg}.*\\naccount ${member.accountId} joined organization ${customerOrg} \\(management account ${CUSTOMER_MANAGEMENT}\\)$`, 's'));
    expect(await organizationOf(member)).toBe(customerOrg);
  });

  test('an invitation from an organization not in allowedOrganizations, or not pending, is refused before anything changes', async () => {
    await setStanding(server(), member.accountId, READY_TO_STAND_ALONE);
    const id = await invite();
    const notAllowed = await cli(member, ['leave-organization', '--yes', '--accept-invitation', id]);
    expect(notAllowed).toEqual({ code: 2, out: '', err: `ctl-departure: invitation ${id} is from ${customerOrg} (management account ${CUSTOMER_MANAGEMENT}), which allowedOrganizations does not list: add it to the config to accept it; nothing changed` });
    const unknown = await cli(member, ['leave-organization', '--yes', '--accept-invitation', 'h-000000000000', '--config', configFile({ allowedOrganizations: [customerOrg] })]);
    expect(unknown).toEqual({ code: 1, out: '', err: `ctl-departure: invitation h-000000000000 is not pending for account ${member.accountId} (ctl-departure readiness lists the pending ones); nothing changed` });
    expect(await organizationOf(member)).toBe(providerOrg);
    expect((await cli(member, ['leave-organization', '--accept-invitation', 'H-1'])).err).toBe('ctl-departure: --accept-invitation must be a handshake id such as h-abcd1234efgh, not "H-1"');
  });

  test('a standalone account accepts; AWS refusing the acceptance (no payment method) gets its own line', async () => {
    await setStanding(server(), member.accountId, READY_TO_STAND_ALONE);
    const id = await invite();
    expect((await cli(member, ['leave-organization', '--yes'])).code).toBe(0);
    await setStanding(server(), member.accountId, { paymentMethod: false });
    const config = configFile({ allowedOrganizations: [CUSTOMER_MANAGEMENT] });
    const refused = await cli(member, ['leave-organization', '--accept-invitation', id, '--config', config]);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(`ctl-departure: AcceptHandshake ${id} refused (PAYMENT_INSTRUMENT_REQUIRED): the account needs a payment method to join: sign in as root and add one, then accept again`);
    await setStanding(server(), member.accountId, { paymentMethod: true });
    const joined = await cli(member, ['leave-organization', '--accept-invitation', id, '--config', config]);
    expect(joined).toMatchObject({ code: 0, out: `account ${member.accountId} is standalone: nothing to leave\naccount ${member.accountId} joined organization ${customerOrg} (management account ${CUSTOMER_MANAGEMENT})` });
    const again = await new OrganizationsClient({ endpoint: server().endpoint, region: 'us-east-1', credentials: member.credentials }).send(new (await import('@aws-sdk/client-organizations')).AcceptHandshakeCommand({ HandshakeId: id })).catch((e) => e);
    expect(acceptRefusal(again, id)).toBe(`AcceptHandshake ${id} refused (HandshakeAlreadyInStateException): it was accepted already`);
  });
});

test('on a real terminal (a pseudo-terminal): the bin entry asks on it and the typed account id confirms', async () => {
  await setStanding(server(), member.accountId, READY_TO_STAND_ALONE);
  const env = { AWS_ACCESS_KEY_ID: member.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: member.credentials.secretAccessKey, AWS_SESSION_TOKEN: member.credentials.sessionToken };
  const terminal = onTerminal(['leave-organization'], { prompt: 'Type the account id', answer: member.accountId, env });
  const result = { stdout: terminal.out, status: terminal.code };
  expect(result.stdout).toMatch(new RegExp(`Account ${member.accountId} leaves organization ${providerOrg} \\(management account 123456789012\\)\\. Type the account id to confirm: `));
  expect(result.stdout).toMatch(new RegExp(`account ${member.accountId} left organization ${providerOrg}`));
  expect(result.status).toBe(0);
  expect(await organizationOf(member)).toBe('AWSOrganizationsNotInUseException');
});
