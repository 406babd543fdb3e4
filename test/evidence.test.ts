/**
 * Evidence for the review: a provider role's last use (RoleLastUsed) and a provider user's access keys' (each key's
 * GetAccessKeyLastUsed) travel with the action, and a principal the plan deletes that was used within `recentUseDays`
 * of discovery is a warning of its own. Dates compare with the inventory's `readAt`, never with the clock.
 */
import { formatReport } from '../cli/format';
import { DEFAULT_CONFIG, resolveConfig } from '../lambda/engine/config';
import type { UserCredentials } from '../lambda/engine/inventory';
import type { Action } from '../lambda/engine/model';
import { plan, withRecentUse } from '../lambda/engine/plan';
import { buildReport } from '../lambda/engine/run';
import { ACCOUNT, inventory, policy, PROVIDER, role, trustingAccount, user } from './support/inventory-builder';

// The builder's inventory was read at 2026-11-23T00:00:00Z.
const READ_AT = '2026-11-23T00:00:00.000Z';
const before = (hours: number) => new Date(Date.parse(READ_AT) - hours * 3_600_000).toISOString();
const find = (actions: Action[], name: string) => actions.find((a) => a.name === name)!;
const keys = (...uses: UserCredentials['accessKeysLastUsed'] & object): UserCredentials => ({
  accessKeyIds: uses.map((k) => k.id),
  accessKeysLastUsed: uses,
  hasLoginProfile: false,
  mfaDevices: [],
  signingCertificateIds: [],
  sshPublicKeyIds: [],
  serviceSpecificCredentialIds: [],
});

describe('a role\'s last use', () => {
  const account = (config = DEFAULT_CONFIG) => {
    const inv = inventory({
      roles: [
        role('CTLDeveloperRole', { lastUsed: before(24), lastUsedRegion: 'us-east-1' }),
        role('CTLOldRole', { lastUsed: before(24 * 45), lastUsedRegion: 'eu-west-1' }),
        role('CTLUnusedRole'),
        role('CTLCAMRole', { attached: ['CTLCAMPolicy'], lastUsed: before(2), lastUsedRegion: 'us-east-1' }),
        role('vendor-access', { trustPolicy: trustingAccount(PROVIDER), lastUsed: before(5), lastUsedRegion: 'us-west-2' }),
        role('app-server', { lastUsed: before(1), lastUsedRegion: 'us-east-1' }),
      ],
      policies: [policy('CTLCAMPolicy', { attachmentCount: 1 })],
    });
    const actions = plan(inv, config);
    return { actions, report: buildReport(inv, 'plan', READ_AT, actions) };
  };

  test('is the action\'s evidence, with how long before discovery when it is recent', () => {
    const { actions } = account();
    expect(find(actions, 'CTLDeveloperRole')).toMatchObject({ action: 'delete', evidence: { lastUsed: before(24), region: 'us-east-1', recentUse: '1 day ago in us-east-1' } });
    expect(find(actions, 'CTLOldRole').evidence).toEqual({ lastUsed: before(24 * 45), region: 'eu-west-1' });
    expect(find(actions, 'CTLUnusedRole')).not.toHaveProperty('evidence');
    // Kept and flagged roles show it too; a customer's skipped role does not.
    expect(find(actions, 'CTLCAMRole')).toMatchObject({ action: 'preserve', evidence: { recentUse: 'less than a day ago in us-east-1' } });
    expect(find(actions, 'vendor-access')).toMatchObject({ action: 'flag', evidence: { recentUse: 'less than a day ago in us-west-2' } });
    expect(find(actions, 'app-server')).toMatchObject({ action: 'skip' });
    expect(find(actions, 'app-server')).not.toHaveProperty('evidence');
  });

  test('a recent use of a role the plan deletes is a warning; of one it keeps or flags, only evidence', () => {
    expect(account().report.warnings).toEqual(['CTLDeveloperRole was used 1 day ago in us-east-1: review before apply']);
  });

  test('recentUseDays sets what is recent; 0 warns of nothing', () => {
    expect(account(resolveConfig({ recentUseDays: 46 })).report.warnings).toEqual([
      'CTLDeveloperRole was used 1 day ago in us-east-1: review before apply',
      'CTLOldRole was used 45 days ago in eu-west-1: review before apply',
    ]);
    const none = account(resolveConfig({ recentUseDays: 0 }));
    expect(none.report.warnings).toEqual([]);
    expect(find(none.actions, 'CTLDeveloperRole').evidence).toEqual({ lastUsed: before(24), region: 'us-east-1' });
  });
});

test('recent means less than recentUseDays whole days before discovery, by the inventory\'s clock', () => {
  const used = (hours: number) => withRecentUse({ lastUsed: before(hours) }, READ_AT, 30).recentUse;
  expect(used(30 * 24 - 1)).toBe('29 days ago');
  expect(used(30 * 24)).toBeUndefined();
  expect(used(0)).toBe('less than a day ago');
  // Used while discovery ran (after readAt): not a negative age.
  expect(used(-1)).toBe('less than a day ago');
  expect(withRecentUse({}, READ_AT, 30)).toEqual({});
});

describe('a provider user\'s access keys', () => {
  const inv = inventory({
    users: [
      user('CTLSupport', {
        credentials: keys(
          { id: 'AKIAOLD', lastUsed: before(24 * 90), service: 'iam', region: 'us-east-1' },
          { id: 'AKIARECENT', lastUsed: before(3), service: 'sts', region: 'eu-west-1' },
          { id: 'AKIANEVER' },
        ),
      }),
      user('CTLIdle', { credentials: keys({ id: 'AKIAIDLE' }) }),
    ],
  });
  const actions = plan(inv, DEFAULT_CONFIG);

  test('each key\'s last use is the evidence; the newest use of any key decides what is recent', () => {
    expect(find(actions, 'CTLSupport').evidence).toEqual({
      accessKeys: [
        { id: 'AKIAOLD', lastUsed: before(24 * 90), service: 'iam', region: 'us-east-1' },
        { id: 'AKIARECENT', lastUsed: before(3), service: 'sts', region: 'eu-west-1' },
        { id: 'AKIANEVER' },
      ],
      recentUse: 'less than a day ago in eu-west-1 by access key AKIARECENT',
    });
    expect(find(actions, 'CTLIdle').evidence).toEqual({ accessKeys: [{ id: 'AKIAIDLE' }] });
    expect(buildReport(inv, 'plan', READ_AT, actions).warnings).toEqual(['CTLSupport was used less than a day ago in eu-west-1 by access key AKIARECENT: review before apply']);
  });

  test('the table shows the evidence under the action, and the regional resources with their region', () => {
    const trail: Action = {
      resource: 'cloudtrail:trail',
      name: 'audit',
      arn: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/audit`,
      region: 'eu-west-1',
      action: 'flag',
      reason: `writes to provider bucket ctlaudit-${ACCOUNT}; set deleteAutomation.trails to delete it`,
      status: 'skipped',
      steps: [],
    };
    const text = formatReport(buildReport(inv, 'plan', READ_AT, [...actions, trail]));
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        '  iam:user   CTLSupport         name starts with provider prefix "CTL"',
        '      access key AKIAOLD last used 2026-08-25 in us-east-1 (iam)',
        '      access key AKIARECENT last used 2026-11-22 in eu-west-1 (sts)',
        '      access key AKIANEVER last used never',
        '      used less than a day ago in eu-west-1 by access key AKIARECENT: review before apply',
        '  iam:user   CTLIdle            name starts with provider prefix "CTL"',
        '      access key AKIAIDLE last used never',
        `  cloudtrail:trail audit (eu-west-1)  writes to provider bucket ctlaudit-${ACCOUNT}; set deleteAutomation.trails to delete it`,
        'WARNING: CTLSupport was used less than a day ago in eu-west-1 by access key AKIARECENT: review before apply',
      ]),
    );
  });
});
