/**
 * `ctl-departure ticket` for three member accounts of the provider's organization, from their stored plan reports:
 * every field the reports answer is filled in, the customer's own fields come from the config, the rest are blanks.
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../cli/main';
import { asMember, createMember, createOrganization, setStanding, type Member } from './support/departure-org';
import { motoSuite } from './support/moto-suite';
import { PROVIDER_ACCOUNT, trustPolicy } from './support/reference-account';

jest.setTimeout(90_000);
const server = motoSuite();

async function cli(args: string[], member?: Member) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await asMember(member, () => main(args, { out: (t) => out.push(t), err: (t) => err.push(t) }));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'ctl-ticket-'));
const configFile = (config: object) => {
  const file = path.join(tempDir(), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
};

let organization: string;
let members: Member[];
let reports: string;

beforeEach(async () => {
  organization = await createOrganization(server());
  members = [await createMember(server(), 'one'), await createMember(server(), 'two'), await createMember(server(), 'three')];
  await setStanding(server(), members[1]!.accountId, { rootMfa: true });
  const iam = new IAMClient({ endpoint: server().endpoint, region: 'us-east-1', credentials: members[2]!.credentials });
  await iam.send(new CreateRoleCommand({ RoleName: 'CTLDeveloperRole', AssumeRolePolicyDocument: trustPolicy({ AWS: `arn:aws:iam::${PROVIDER_ACCOUNT}:root` }) }));
  await iam.send(new CreateRoleCommand({ RoleName: 'LegacyOps', AssumeRolePolicyDocument: trustPolicy({ AWS: `arn:aws:iam::${PROVIDER_ACCOUNT}:root` }) }));
  reports = tempDir();
  for (const member of members) {
    const plan = await cli(['plan', '--json'], member);
    writeFileSync(path.join(reports, `${member.accountId}.json`), plan.out);
  }
});

test('three accounts: ids, root MFA, organizations, CAM and what needs attention filled in; the customer fields from the config', async () => {
  const [one, two, three] = members.map((m) => m.accountId).sort() as [string, string, string];
  const noMfa = members.filter((m) => m !== members[1]).map((m) => m.accountId).sort();
  const config = configFile({
    ticket: { representative: 'Pat Lee (CAM account manager)', rootCredentialDelivery: 'by phone to Jane Doe, +1 555 555 0100', removedBy: 'customer', iamUsersNeedingPermission: ['jane.admin'], accountsWithoutRootAccess: [members[0]!.accountId], targetDate: '2027-01-15' },
  });
  const result = await cli(['ticket', '--dir', reports, '--config', config, '--target-date', '2027-01-31']);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  const lines = result.out.split('\n');
  expect(lines.slice(0, 13)).toEqual([
    'To: the CAM cloud integration group (CAM_CloudIntegration)',
    'Subject: Departure of 3 AWS accounts from CenturyLink/Lumen Cloud Application Manager',
    '',
    '1. Goal: leave the managed service: the provider access is removed from the accounts below, their root accounts come back to us, and they leave the provider organization',
    '2. Target date: 2027-01-31',
    '3. Account representative: Pat Lee (CAM account manager)',
    `4. Departing AWS account ids: ${one}, ${two}, ${three}`,
    `5. Account ids without root access: ${members[0]!.accountId} (root MFA is off in ${noMfa.join(', ')})`,
    '6. Secure method to deliver the root credentials: by phone to Jane Doe, +1 555 555 0100',
    '7. Who removes the member accounts from the provider organization: customer',
    '   If we do: IAM users who need the permission to leave: jane.admin',
    `   - ${one} is in ${organization} (management account 123456789012)`,
    `   - ${two} is in ${organization} (management account 123456789012)`,
  ]);
  expect(lines[14]).toBe('8. We keep using CAM for application lifecycle management: yes (the CAM provider policy CTLCAMPolicy and its roles stay; their Optimization tags go)');
  expect(lines[15]).toBe('9. Special considerations: ');
  expect(result.out).toMatch(new RegExp(`\\n   - ${members[2]!.accountId} \\(plan\\): 1 flagged for review; needs attention: root-mfa, alternate-contact-billing, .*organization, provider-access$`, 'm'));
  expect(result.out).toMatch(new RegExp(`\\n   - ${members[1]!.accountId} \\(plan\\): needs attention: alternate-contact-billing`));
});

test('without the customer fields: clear blanks; the config target date when none is given; CAM not kept', async () => {
  const result = await cli(['ticket', '--dir', reports, '--config', configFile({ keepCamProvider: false, ticket: { targetDate: '2027-02-01' } })]);
  expect(result.code).toBe(0);
  expect(result.out).toMatch(/\n2\. Target date: 2027-02-01\n3\. Account representative: ________\n/);
  expect(result.out).toMatch(/\n5\. Account ids without root access: ________ \(root MFA is off in /);
  expect(result.out).toMatch(/\n6\. Secure method to deliver the root credentials: ________\n7\. Who removes the member accounts from the provider organization: ________\n {3}If we do: IAM users who need the permission to leave: ________\n/);
  expect(result.out).toMatch(/\n8\. We keep using CAM for application lifecycle management: no \(the CAM provider is removed too\)\n/);
  const undated = await cli(['ticket', '--dir', reports]);
  expect(undated.out).toMatch(/\n2\. Target date: ________ \(YYYY-MM-DD\)\n/);
});

test('the combined report shows each account readiness below its table', async () => {
  const result = await cli(['report', '--dir', reports]);
  expect(result.code).toBe(0);
  expect(result.out).toMatch(/\nreadiness \(all but ok\):\n/);
  for (const member of members) expect(result.out).toMatch(new RegExp(`\\n${member.accountId} {2}attention organization: member of ${organization}`));
  expect(result.out).toMatch(new RegExp(`\\n${members[0]!.accountId} {2}manual {4}payment-method: no API shows it`));
  // A stored report whose readiness is not the engine's shape is not counted.
  const report = JSON.parse(readFileSync(path.join(reports, `${members[0]!.accountId}.json`), 'utf8'));
  writeFileSync(path.join(reports, `${members[0]!.accountId}.json`), JSON.stringify({ ...report, readiness: [{ id: 'root-mfa', status: 'fine', detail: '' }] }));
  const forged = await cli(['report', '--dir', reports, '--format', 'csv']);
  expect(forged.code).toBe(1);
  expect(forged.out).toMatch(new RegExp(`^${members[0]!.accountId},invalid,.*readiness\\[0\\]: not a readiness check \\(id, status ok\\|attention\\|unknown\\|manual, detail\\)`, 'm'));
});

test.each([
  [{ ticket: { targetDate: '2027-02-30' } }, 'ctl-departure: config "ticket.targetDate": must be a date such as "2027-01-31", not "2027-02-30"'],
  [{ ticket: { removedBy: 'us' } }, 'ctl-departure: config "ticket.removedBy": must be "provider" or "customer", not "us"'],
  [{ ticket: { accountsWithoutRootAccess: ['123'] } }, 'ctl-departure: config "ticket.accountsWithoutRootAccess": "123" is not a 12-digit account id'],
  [{ ticket: { rep: 'x' } }, 'ctl-departure: config "ticket.rep": unknown key; the known keys are goal, representative, rootCredentialDelivery, specialConsiderations, targetDate, removedBy, accountsWithoutRootAccess, iamUsersNeedingPermission'],
  [{ ticket: [] }, 'ctl-departure: config "ticket": must be an object such as {"targetDate": "2027-01-31"}'],
  [{ providerEmailDomains: ['io'] }, 'ctl-departure: config "providerEmailDomains[0]": "io" is not an email domain such as "ctl.io": too broad or malformed to name the provider\'s contacts'],
])('bad config %j: one line, exit 2', async (config, message) => {
  expect(await cli(['ticket', '--dir', reports, '--config', configFile(config)])).toEqual({ code: 2, out: '', err: message });
});

test('bad flags: one line, exit 2', async () => {
  expect(await cli(['ticket', '--target-date', '31/01/2027'])).toEqual({ code: 2, out: '', err: 'ctl-departure: --target-date must be a date such as 2027-01-31, not "31/01/2027"' });
  expect(await cli(['ticket', '--dir', 'a', '--bucket', 'b'])).toEqual({ code: 2, out: '', err: 'ctl-departure: ticket reads --bucket NAME or --dir DIR, not both (neither: a fresh plan of this account)' });
  expect(await cli(['plan', '--target-date', '2027-01-31'])).toEqual({ code: 2, out: '', err: 'ctl-departure: --target-date belongs to ticket' });
});
