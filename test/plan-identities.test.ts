/** Planner rules for provider users, groups, federation and the provider's automation (pure, no AWS). */
import { DEFAULT_CONFIG, resolveConfig } from '../lambda/engine/config';
import type { UserCredentials } from '../lambda/engine/inventory';
import type { Action } from '../lambda/engine/model';
import { plan } from '../lambda/engine/plan';
import { ACCOUNT, group, inventory, policy, policyArn, role, user } from './support/inventory-builder';

const find = (actions: Action[], resource: string, name: string) => actions.find((a) => a.resource === resource && a.name === name)!;
const calls = (action: Action) => action.steps.map((s) => `${s.call} ${Object.values(s.input).join(' ')}`);
const NO_CREDENTIALS: UserCredentials = { accessKeyIds: [], hasLoginProfile: false, mfaDevices: [], signingCertificateIds: [], sshPublicKeyIds: [], serviceSpecificCredentialIds: [] };
const samlArn = (name: string) => `arn:aws:iam::${ACCOUNT}:saml-provider/${name}`;

describe('provider users', () => {
  const providerUser = () =>
    user('CTLSupport', {
      groupNames: ['CTLOperators', 'Developers'],
      inlinePolicyNames: ['inline'],
      attached: ['CTLDeveloperPolicy'],
      permissionsBoundaryArn: policyArn('CTLBoundary'),
      credentials: {
        accessKeyIds: ['AKIA1', 'AKIA2'],
        hasLoginProfile: true,
        mfaDevices: [
          { serialNumber: `arn:aws:iam::${ACCOUNT}:mfa/ctl`, virtual: true },
          { serialNumber: 'GAHT12345678', virtual: false },
        ],
        signingCertificateIds: ['CERT1'],
        sshPublicKeyIds: ['APKA1'],
        serviceSpecificCredentialIds: ['ACCA1'],
      },
    });

  test('lose every credential, policy, membership and boundary, in the order DeleteUser requires', () => {
    const actions = plan(inventory({ users: [providerUser()] }), DEFAULT_CONFIG);
    expect(find(actions, 'iam:user', 'CTLSupport').action).toBe('delete');
    expect(calls(find(actions, 'iam:user', 'CTLSupport'))).toEqual([
      'DeleteAccessKey CTLSupport AKIA1',
      'DeleteAccessKey CTLSupport AKIA2',
      'DeleteLoginProfile CTLSupport',
      `DeactivateMFADevice CTLSupport arn:aws:iam::${ACCOUNT}:mfa/ctl`,
      `DeleteVirtualMFADevice arn:aws:iam::${ACCOUNT}:mfa/ctl`,
      'DeactivateMFADevice CTLSupport GAHT12345678',
      'DeleteSigningCertificate CTLSupport CERT1',
      'DeleteSSHPublicKey CTLSupport APKA1',
      'DeleteServiceSpecificCredential CTLSupport ACCA1',
      'DeleteUserPolicy CTLSupport inline',
      `DetachUserPolicy CTLSupport ${policyArn('CTLDeveloperPolicy')}`,
      'RemoveUserFromGroup CTLOperators CTLSupport',
      'RemoveUserFromGroup Developers CTLSupport',
      'DeleteUserPermissionsBoundary CTLSupport',
      'DeleteUser CTLSupport',
    ]);
  });

  test('customer users stay, losing only provider policies attached to them', () => {
    const inv = inventory({ users: [user('alice', { attached: ['CTLCustomerPolicy'] })], policies: [policy('CTLCustomerPolicy', { attachmentCount: 1 })] });
    const actions = plan(inv, DEFAULT_CONFIG);
    expect(find(actions, 'iam:user', 'alice')).toMatchObject({ action: 'skip', reason: 'not a provider user' });
    expect(calls(find(actions, 'iam:policy', 'CTLCustomerPolicy'))).toEqual([`DetachUserPolicy alice ${policyArn('CTLCustomerPolicy')}`, `DeletePolicy ${policyArn('CTLCustomerPolicy')}`]);
  });

  test('the user the run uses is protected, and identities.users false keeps provider users', () => {
    const inv = { ...inventory({ users: [user('CTLRunner', { credentials: NO_CREDENTIALS }), user('CTLOther', { credentials: NO_CREDENTIALS })] }) };
    const asUser = { ...inv, caller: { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/CTLRunner`, userName: 'CTLRunner' } };
    expect(find(plan(asUser, DEFAULT_CONFIG), 'iam:user', 'CTLRunner').reason).toMatch(/SelfIdentity/);
    const off = plan(inv, resolveConfig({ identities: { users: false } }));
    expect(find(off, 'iam:user', 'CTLOther')).toMatchObject({ action: 'skip', reason: expect.stringMatching(/identities.users/) });
  });
});

describe('provider groups', () => {
  test('are emptied of the members that stay, then deleted; customer groups are never deleted', () => {
    const inv = inventory({
      groups: [group('CTLOperators', ['CTLOperatorsPolicy']), group('Developers', ['CTLCustomerPolicy'])],
      users: [user('alice', { groupNames: ['CTLOperators', 'Developers'] }), user('CTLSupport', { groupNames: ['CTLOperators'], credentials: NO_CREDENTIALS })],
      policies: [policy('CTLOperatorsPolicy', { attachmentCount: 1 }), policy('CTLCustomerPolicy', { attachmentCount: 1 })],
    });
    const actions = plan(inv, DEFAULT_CONFIG);
    expect(calls(find(actions, 'iam:group', 'CTLOperators'))).toEqual([
      'RemoveUserFromGroup CTLOperators alice',
      `DetachGroupPolicy CTLOperators ${policyArn('CTLOperatorsPolicy')}`,
      'DeleteGroup CTLOperators',
    ]);
    expect(find(actions, 'iam:group', 'Developers')).toMatchObject({ action: 'skip', reason: 'not a provider group' });
    // The group's removal detaches its policy: the policy's own steps do not repeat it.
    expect(calls(find(actions, 'iam:policy', 'CTLOperatorsPolicy'))).toEqual([`DeletePolicy ${policyArn('CTLOperatorsPolicy')}`]);
  });
});

describe('federation', () => {
  const federated = (arn: string) => ({ Statement: [{ Effect: 'Allow', Principal: { Federated: arn }, Action: 'sts:AssumeRoleWithSAML' }] });

  test('a provider SAML provider is deleted; a role trusting it is flagged when its name is the customer\'s', () => {
    const inv = inventory({
      samlProviders: [{ name: 'CTLSaml', arn: samlArn('CTLSaml') }, { name: 'CustomerOkta', arn: samlArn('CustomerOkta') }, { name: 'AWSSSO_0123_DO_NOT_DELETE', arn: samlArn('AWSSSO_0123_DO_NOT_DELETE') }],
      roles: [role('saml-admins', { trustPolicy: federated(samlArn('CTLSaml')) }), role('okta-admins', { trustPolicy: federated(samlArn('CustomerOkta')) })],
    });
    const actions = plan(inv, DEFAULT_CONFIG);
    expect(find(actions, 'iam:saml-provider', 'CTLSaml')).toMatchObject({ action: 'delete', reason: 'name starts with provider prefix "CTL"; trusted by role saml-admins' });
    expect(calls(find(actions, 'iam:saml-provider', 'CTLSaml'))).toEqual([`DeleteSAMLProvider ${samlArn('CTLSaml')}`]);
    expect(find(actions, 'iam:saml-provider', 'CustomerOkta').action).toBe('skip');
    expect(find(actions, 'iam:saml-provider', 'AWSSSO_0123_DO_NOT_DELETE').reason).toMatch(/IdentityCenterSamlProvider/);
    expect(find(actions, 'iam:role', 'saml-admins')).toMatchObject({ action: 'flag', reason: expect.stringMatching(/saml-provider\/CTLSaml, which this run deletes/) });
    expect(find(actions, 'iam:role', 'okta-admins').action).toBe('skip');
  });

  test('an OIDC provider is the provider\'s by a URL fragment or a tag', () => {
    const oidc = (url: string, tags: Record<string, string> = {}) => ({ url, arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${url}`, tags });
    const inv = inventory({ oidcProviders: [oidc('auth.ctl.io/oidc'), oidc('idp.example.com', { Owner: 'CTL-managed' }), oidc('token.actions.githubusercontent.com')] });
    const actions = plan(inv, DEFAULT_CONFIG);
    expect(find(actions, 'iam:oidc-provider', 'auth.ctl.io/oidc')).toMatchObject({ action: 'delete', reason: 'issuer URL contains "ctl.io"' });
    // A tag is anyone's to write: on its own it flags, never deletes (a customer's provider tagged by mistake stays).
    expect(find(actions, 'iam:oidc-provider', 'idp.example.com')).toMatchObject({ action: 'flag', reason: expect.stringMatching(/^tag Owner=CTL-managed names the provider, but its issuer URL/) });
    expect(find(actions, 'iam:oidc-provider', 'token.actions.githubusercontent.com').action).toBe('skip');
  });
});

test("the provider's automation role runs first", () => {
  const actions = plan(inventory({ roles: [role('CTLDeveloperRole'), role('CTLAccountControlsLambdaRole')] }), DEFAULT_CONFIG);
  expect(find(actions, 'iam:role', 'CTLAccountControlsLambdaRole')).toMatchObject({ action: 'delete', runsFirst: true, reason: expect.stringMatching(/before anything else/) });
  expect(find(actions, 'iam:role', 'CTLDeveloperRole').runsFirst).toBeUndefined();
});

describe("the provider's automation outside IAM", () => {
  const automation = () =>
    inventory({
      automation: {
        lambdaFunctions: [
          { region: 'us-east-1', name: 'AccountControls', arn: 'arn:aws:lambda:us-east-1:123456789012:function:AccountControls', role: `arn:aws:iam::${ACCOUNT}:role/CTLAccountControlsLambdaRole` },
          { region: 'us-east-1', name: 'orders-api', arn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-api', role: `arn:aws:iam::${ACCOUNT}:role/orders` },
        ],
        eventRules: [
          { region: 'us-east-1', name: 'every-hour', arn: 'arn:aws:events:us-east-1:123456789012:rule/every-hour', targets: [{ id: '1', arn: 'arn:aws:lambda:us-east-1:123456789012:function:AccountControls' }] },
          { region: 'us-east-1', name: 'orders', arn: 'arn:aws:events:us-east-1:123456789012:rule/orders', targets: [{ id: '1', arn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-api' }] },
          { region: 'us-east-1', name: 'CTLSecurityHubFindings', arn: 'arn:aws:events:us-east-1:123456789012:rule/CTLSecurityHubFindings', targets: [], managedBy: 'securityhub.amazonaws.com' },
        ],
        configRules: [
          { region: 'us-east-1', name: 'CTLRequireMfa', arn: 'arn:aws:config:us-east-1:123456789012:config-rule/config-rule-1', remediation: true },
          { region: 'us-east-1', name: 'CTLPackRule-conformance-pack-abc', arn: 'arn:aws:config:us-east-1:123456789012:config-rule/config-rule-2', createdBy: 'config-conforms.amazonaws.com', remediation: false },
        ],
        configRecorders: [
          { region: 'us-east-1', name: 'default', channelName: 'default', bucket: `config-bucket-${ACCOUNT}` },
          { region: 'eu-west-1', name: 'default', channelName: 'default', bucket: 'customer-config' },
        ],
        trails: [
          { region: 'eu-west-1', name: 'audit', arn: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/audit', bucket: `ctlaudit-${ACCOUNT}` },
          { region: 'us-east-1', name: 'customer-trail', arn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/customer-trail', bucket: 'customer-logs' },
        ],
        unreadable: [],
      },
    });

  test('is flagged with its evidence, and only the provider\'s', () => {
    const actions = plan(automation(), DEFAULT_CONFIG);
    const verdict = (resource: string, name: string) => `${find(actions, resource, name).action}: ${find(actions, resource, name).reason}`;
    expect(verdict('lambda:function', 'AccountControls')).toBe('flag: runs as provider role CTLAccountControlsLambdaRole; set deleteAutomation.lambdaFunctions to delete it');
    expect(verdict('events:rule', 'every-hour')).toBe('flag: triggers provider function AccountControls; set deleteAutomation.eventRules to delete it');
    expect(verdict('config:rule', 'CTLRequireMfa')).toMatch(/^flag: name starts with provider prefix "CTL"/);
    expect(verdict('config:recorder', 'default')).toMatch(/^flag: writes to provider bucket config-bucket-123456789012/);
    expect(verdict('cloudtrail:trail', 'audit')).toMatch(/^flag: writes to provider bucket ctlaudit-123456789012/);
    for (const [resource, name] of [['lambda:function', 'orders-api'], ['events:rule', 'orders'], ['cloudtrail:trail', 'customer-trail']]) {
      expect(find(actions, resource!, name!).action).toBe('skip');
    }
    expect(actions.filter((a) => a.action === 'flag').every((a) => a.steps.length === 0)).toBe(true);
  });

  test('each regional action and each of its steps name the item\'s region, so apply calls that region; IAM\'s name none', () => {
    const actions = plan(automation(), resolveConfig({ deleteAutomation: { trails: true, configRecorder: true } }));
    expect(actions.filter((a) => a.resource === 'config:recorder').map((a) => `${a.region} ${a.action}`)).toEqual(['us-east-1 delete', 'eu-west-1 skip']);
    expect(find(actions, 'config:recorder', 'default').steps.map((s) => s.region)).toEqual(['us-east-1', 'us-east-1', 'us-east-1']);
    expect(find(actions, 'cloudtrail:trail', 'audit')).toMatchObject({ region: 'eu-west-1', action: 'delete', steps: [{ call: 'DeleteTrail', service: 'cloudtrail', region: 'eu-west-1' }] });
    const withRole = plan(inventory({ roles: [role('CTLDeveloperRole')] }), DEFAULT_CONFIG);
    expect(find(withRole, 'iam:role', 'CTLDeveloperRole')).not.toHaveProperty('region');
    expect(find(withRole, 'iam:role', 'CTLDeveloperRole').steps.every((s) => !('region' in s))).toBe(true);
  });

  test('each kind is deleted when its switch is on', () => {
    const actions = plan(automation(), resolveConfig({ deleteAutomation: { eventRules: true, configRecorder: true } }));
    expect(calls(find(actions, 'events:rule', 'every-hour'))).toEqual(['RemoveTargets every-hour 1', 'DeleteRule every-hour']);
    expect(calls(find(actions, 'config:recorder', 'default'))).toEqual(['StopConfigurationRecorder default', 'DeleteDeliveryChannel default', 'DeleteConfigurationRecorder default']);
    expect(find(actions, 'lambda:function', 'AccountControls').action).toBe('flag');
  });

  test('a Config rule with a remediation loses it first; one created by a service or conformance pack, and a managed EventBridge rule, stay flagged', () => {
    const actions = plan(automation(), resolveConfig({ deleteAutomation: { eventRules: true, configRules: true } }));
    expect(calls(find(actions, 'config:rule', 'CTLRequireMfa'))).toEqual(['DeleteRemediationConfiguration CTLRequireMfa', 'DeleteConfigRule CTLRequireMfa']);
    expect(find(actions, 'config:rule', 'CTLPackRule-conformance-pack-abc')).toMatchObject({
      action: 'flag',
      reason: 'name starts with provider prefix "CTL", but only config-conforms.amazonaws.com may remove it',
      steps: [],
    });
    expect(find(actions, 'events:rule', 'CTLSecurityHubFindings')).toMatchObject({
      action: 'flag',
      reason: 'name starts with provider prefix "CTL", but only securityhub.amazonaws.com may remove it',
      steps: [],
    });
  });
});

describe('IAM paths that start like a prefix', () => {
  // IAM ARN patterns cannot tell a path from a name (role/CTL* matches role/CTLteam/Anything): the stack's policy
  // denies every change under such paths, so the planner flags what it would otherwise change there.
  test('a provider-named role, user, group or policy under such a path is flagged, not deleted', () => {
    const inv = inventory({
      roles: [role('CTLPathRole', { path: '/CTLteam/' }), role('CTLDeepRole', { path: '/apps/CTLx/' }), role('CustomerApp', { path: '/CTLteam/' })],
      users: [user('CTLPathUser', { path: '/CTLops/', credentials: NO_CREDENTIALS })],
      groups: [{ ...group('CTLPathGroup'), path: '/CTLops/' }],
      policies: [policy('CTLPathPolicy', { path: '/CTLpolicies/', arn: `arn:aws:iam::${ACCOUNT}:policy/CTLpolicies/CTLPathPolicy` })],
    });
    const actions = plan(inv, DEFAULT_CONFIG);
    for (const [resource, name] of [['iam:role', 'CTLPathRole'], ['iam:role', 'CTLDeepRole'], ['iam:user', 'CTLPathUser'], ['iam:group', 'CTLPathGroup'], ['iam:policy', 'CTLPathPolicy']]) {
      expect(find(actions, resource!, name!)).toMatchObject({ action: 'flag', steps: [], reason: expect.stringMatching(/path \/[\w/]+\/ has a segment starting with a provider prefix/) });
    }
    expect(find(actions, 'iam:role', 'CustomerApp').action).toBe('skip');
  });

  test('a role at the root path leaves, but never deletes, a provider-named instance profile under such a path', () => {
    const profile = { name: 'CTLProfile', arn: `arn:aws:iam::${ACCOUNT}:instance-profile/CTLx/CTLProfile`, path: '/CTLx/', roleNames: ['CTLRole'] };
    const actions = plan(inventory({ roles: [role('CTLRole', { instanceProfiles: [profile] })] }), DEFAULT_CONFIG);
    expect(calls(find(actions, 'iam:role', 'CTLRole'))).toEqual(['RemoveRoleFromInstanceProfile CTLProfile CTLRole', 'DeleteRole CTLRole']);
  });
});

test('a FIDO security key is deactivated only: it is not a virtual MFA device', () => {
  const fido = `arn:aws:iam::${ACCOUNT}:u2f/user/CTLSupport/fido-key-ABCDEF`;
  const inv = inventory({ users: [user('CTLSupport', { credentials: { ...NO_CREDENTIALS, mfaDevices: [{ serialNumber: fido, virtual: false }] } })] });
  expect(calls(find(plan(inv, DEFAULT_CONFIG), 'iam:user', 'CTLSupport'))).toEqual([`DeactivateMFADevice CTLSupport ${fido}`, 'DeleteUser CTLSupport']);
});

describe('instance profiles and virtual MFA devices on their own (what a crashed run can strand)', () => {
  const profileArn = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:instance-profile${path}${name}`;
  const profile = (name: string, roleNames: string[] = [], path = '/') => ({ name, arn: profileArn(name, path), path, roleNames });

  test('a provider-named profile holding no role is deleted; a customer one, an excluded one and one under a provider-like path are not', () => {
    const actions = plan(
      inventory({ instanceProfiles: [profile('CTLWebProfile'), profile('app-server'), profile('CTLKept'), profile('CTLDeep', [], '/CTLx/')] }),
      resolveConfig({ exclude: ['CTLKept'] }),
    );
    expect(find(actions, 'iam:instance-profile', 'CTLWebProfile')).toMatchObject({ action: 'delete', reason: 'name starts with provider prefix "CTL"' });
    expect(calls(find(actions, 'iam:instance-profile', 'CTLWebProfile'))).toEqual(['DeleteInstanceProfile CTLWebProfile']);
    expect(find(actions, 'iam:instance-profile', 'app-server')).toMatchObject({ action: 'skip', reason: 'not a provider instance profile' });
    expect(find(actions, 'iam:instance-profile', 'CTLKept')).toMatchObject({ action: 'skip', reason: expect.stringContaining('excluded by config') });
    expect(find(actions, 'iam:instance-profile', 'CTLDeep')).toMatchObject({ action: 'flag', reason: expect.stringContaining('has a segment starting with a provider prefix') });
  });

  test('an excluded provider-named profile of a deleted role is emptied by the role and kept', () => {
    const excluded = plan(inventory({ roles: [role('CTLApp', { instanceProfiles: [profile('CTLAppProfile', ['CTLApp'])] })] }), resolveConfig({ exclude: ['CTLAppProfile'] }));
    expect(calls(find(excluded, 'iam:role', 'CTLApp'))).toEqual(['RemoveRoleFromInstanceProfile CTLAppProfile CTLApp', 'DeleteRole CTLApp']);
    expect(find(excluded, 'iam:instance-profile', 'CTLAppProfile')).toMatchObject({ action: 'skip', steps: [] });
  });

  test('a provider-named profile that holds a role which stays is kept', () => {
    const actions = plan(inventory({ roles: [role('CustomerApp', { instanceProfiles: [profile('CTLAppProfile', ['CustomerApp'])] })] }), DEFAULT_CONFIG);
    expect(find(actions, 'iam:instance-profile', 'CTLAppProfile')).toMatchObject({ action: 'skip', reason: 'holds role CustomerApp, which stays' });
  });

  test('an unassigned virtual MFA device is deleted when its name or path names the provider, and kept otherwise', () => {
    const device = (path: string, name: string) => ({ serialNumber: `arn:aws:iam::${ACCOUNT}:mfa${path}${name}`, path, name });
    const actions = plan(
      inventory({ virtualMfaDevices: [device('/', 'CTLSupport'), device('/CTLSupport/', 'phone'), device('/', 'alice-phone'), device('/', 'CTLKeep')] }),
      resolveConfig({ exclude: ['CTLKeep'] }),
    );
    const byName = (name: string) => actions.find((a) => a.resource === 'iam:mfa-device' && a.name === name)!;
    expect(byName('CTLSupport')).toMatchObject({ action: 'delete', reason: 'unassigned; name starts with provider prefix "CTL"' });
    expect(calls(byName('CTLSupport'))).toEqual([`DeleteVirtualMFADevice arn:aws:iam::${ACCOUNT}:mfa/CTLSupport`]);
    expect(byName('phone')).toMatchObject({ action: 'delete', reason: 'unassigned; path /CTLSupport/ names the provider' });
    expect(byName('alice-phone')).toMatchObject({ action: 'skip', reason: 'unassigned, not named for the provider' });
    expect(byName('CTLKeep')).toMatchObject({ action: 'skip', reason: 'excluded by config' });
  });
});

test('exclude names an OIDC provider by its URL, path included', () => {
  const tenant = { url: 'auth.ctl.io/tenant', arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/auth.ctl.io/tenant`, tags: {} };
  const actions = plan(inventory({ oidcProviders: [tenant] }), resolveConfig({ exclude: ['auth.ctl.io/tenant'] }));
  expect(find(actions, 'iam:oidc-provider', 'auth.ctl.io/tenant')).toMatchObject({ action: 'skip', reason: 'excluded by config', steps: [] });
});
