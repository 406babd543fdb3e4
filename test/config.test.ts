import { broadOidcFragment, broadPrefix, ConfigError, DEFAULT_CONFIG, resolveConfig } from '../lambda/engine/config';
import { SWEEP_CONFIG_CHECKS } from '../lambda/engine/sweep-config';
import { duplicateKey } from '../lib/json-keys';

describe('resolveConfig', () => {
  test('regions: absent reads every enabled region; given, each a region code of any partition, duplicates dropped', () => {
    expect(DEFAULT_CONFIG.regions).toBeUndefined();
    expect(DEFAULT_CONFIG.recentUseDays).toBe(30);
    expect(resolveConfig({ regions: ['us-east-1', 'eu-west-1', 'us-east-1', 'us-gov-west-1', 'cn-northwest-1', 'ap-southeast-5'], recentUseDays: 0 })).toMatchObject({
      regions: ['us-east-1', 'eu-west-1', 'us-gov-west-1', 'cn-northwest-1', 'ap-southeast-5'],
      recentUseDays: 0,
    });
  });

  test('fills defaults', () => {
    expect(resolveConfig({})).toEqual(DEFAULT_CONFIG);
    expect(resolveConfig(undefined)).toEqual(DEFAULT_CONFIG);
    expect(resolveConfig({ exclude: ['CTLKeep'] })).toEqual({ ...DEFAULT_CONFIG, exclude: ['CTLKeep'] });
    // An OIDC provider is named by its URL, which may have a path.
    expect(resolveConfig({ exclude: ['auth.ctl.io/tenant'] }).exclude).toEqual(['auth.ctl.io/tenant']);
  });

  test.each([
    [{ prefix: ['CTL'] }, 'config "prefix": unknown key; the known keys are prefixes, '],
    [{ prefixes: [] }, 'config "prefixes": must name at least one entry'],
    [{ prefixes: [''] }, 'config "prefixes[0]": must not be empty'],
    [{ prefixes: ['CTL', '  '] }, 'config "prefixes[1]": must not be empty'],
    [{ prefixes: ['CTL*'] }, 'config "prefixes[0]": "CTL*" contains a wildcard'],
    [{ prefixes: 'CTL' }, 'config "prefixes": must be a JSON array of strings'],
    [{ keepCamProvider: 'yes' }, 'config "keepCamProvider": must be true or false'],
    [{ providerAccountIds: ['58994200365'] }, 'config "providerAccountIds[0]": "58994200365" is not a 12-digit AWS account id'],
    [{ exclude: ['bad name'] }, 'config "exclude[0]": "bad name" is neither an IAM name'],
    [{ exclude: ['https://auth.ctl.io/tenant'] }, 'config "exclude[0]": "https://auth.ctl.io/tenant" is neither an IAM name'],
    [[], 'config "(root)": must be a JSON object such as {"prefixes": ["CTL"]}, not []'],
    [null, 'config "(root)": must be a JSON object such as {"prefixes": ["CTL"]}, not null'],
    ['CTL', 'config "(root)": must be a JSON object such as {"prefixes": ["CTL"]}, not "CTL"'],
    [{ regions: [] }, 'config "regions": must name at least one entry'],
    [{ regions: 'us-east-1' }, 'config "regions": must be a JSON array of strings'],
    [{ regions: ['us-east-1', 'US-EAST-1'] }, 'config "regions[1]": "US-EAST-1" is not a region such as "us-east-1"'],
    [{ regions: ['eu-west'] }, 'config "regions[0]": "eu-west" is not a region such as "us-east-1"'],
    [{ regions: ['*'] }, 'config "regions[0]": "*" is not a region such as "us-east-1"'],
    [{ recentUseDays: -1 }, 'config "recentUseDays": must be a whole number of days (0: no such warning), not -1'],
    [{ recentUseDays: '30' }, 'config "recentUseDays": must be a whole number of days (0: no such warning), not "30"'],
    [{ recentUseDays: 1.5 }, 'config "recentUseDays": must be a whole number of days'],
  ])('refuses %j', (input, message) => {
    expect(() => resolveConfig(input)).toThrow(ConfigError);
    expect(() => resolveConfig(input)).toThrow(message);
  });

  test('the sweep\'s keys (CLI): resourcePolicies.remove, one switch for every service or one per service; providerOrganizationIds', () => {
    const sweep = (input: object) => resolveConfig(input, SWEEP_CONFIG_CHECKS);
    const all = sweep({ resourcePolicies: { remove: true } }).resourcePolicies!.remove;
    expect(Object.keys(all)).toEqual(['kms', 's3', 'sns', 'sqs', 'lambda', 'secretsmanager', 'ecr', 'events', 'ec2', 'ram']);
    expect(Object.values(all).every(Boolean)).toBe(true);
    const none = Object.fromEntries(Object.keys(all).map((service) => [service, false]));
    expect(sweep({ resourcePolicies: { remove: { kms: true } } }).resourcePolicies!.remove).toEqual({ ...none, kms: true });
    expect(sweep({ resourcePolicies: {} }).resourcePolicies).toEqual({ remove: none });
    // Not given: nothing removed, no organization.
    expect(sweep({})).toEqual(DEFAULT_CONFIG);
    expect(sweep({ providerOrganizationIds: ['o-ctlprovider1'] }).providerOrganizationIds).toEqual(['o-ctlprovider1']);
    // The stack does not sweep: without the sweep's checks the keys are unknown, as any other.
    expect(() => resolveConfig({ resourcePolicies: { remove: true } })).toThrow('config "resourcePolicies": unknown key; the known keys are prefixes,');
    expect(() => resolveConfig({ providerOrganizationIds: [] })).toThrow('config "providerOrganizationIds": unknown key');
  });

  test.each([
    [{ resourcePolicies: true }, 'config "resourcePolicies": must be an object such as {"remove": true}'],
    [{ resourcePolicies: { delete: true } }, 'config "resourcePolicies.delete": unknown key; the known key is remove'],
    [{ resourcePolicies: { remove: 'yes' } }, 'config "resourcePolicies.remove": must be true, false, or an object such as {"kms": true}, not "yes"'],
    [{ resourcePolicies: { remove: { dynamodb: true } } }, 'config "resourcePolicies.remove.dynamodb": unknown key; the known keys are kms, s3, sns, sqs, lambda, secretsmanager, ecr, events, ec2, ram'],
    [{ resourcePolicies: { remove: { kms: 1 } } }, 'config "resourcePolicies.remove.kms": must be true or false, not 1'],
    [{ providerOrganizationIds: ['o-short'] }, 'config "providerOrganizationIds[0]": "o-short" is not an organization id such as "o-abcd123456"'],
    [{ providerOrganizationIds: ['O-ABCDEFGHIJ'] }, 'config "providerOrganizationIds[0]": "O-ABCDEFGHIJ" is not an organization id'],
    [{ providerOrganizationIds: 'o-abcd123456' }, 'config "providerOrganizationIds": must be a JSON array of strings'],
  ])('the sweep refuses %j', (input, message) => {
    expect(() => resolveConfig(input, SWEEP_CONFIG_CHECKS)).toThrow(message);
  });

  // Keys every object inherits are not settings: each is an unknown key, never a crash or a silent no-op.
  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('refuses the inherited key %s, at the top and in flags', (key) => {
    const top = JSON.parse(`{"${key}": 1}`);
    expect(() => resolveConfig(top)).toThrow(`config "${key}": unknown key; the known keys are prefixes,`);
    const nested = JSON.parse(`{"identities": {"${key}": true}}`);
    expect(() => resolveConfig(nested)).toThrow(`config "identities.${key}": unknown key; the known keys are users, groups, samlProviders, oidcProviders`);
    expect(() => resolveConfig({ buckets: JSON.parse(`{"${key}": 1}`) })).toThrow(`config "buckets.${key}": unknown key`);
  });

  test.each([
    [['config-{accountId}-{accountId}'], 'config "buckets.names[0]": "config-{accountId}-{accountId}" names {accountId} twice: write it once'],
    [['ab'], 'config "buckets.names[0]": "ab" is not an S3 bucket name (3 to 63 of a-z 0-9 . -, {accountId} counting 12)'],
    [['{accountId}-{region}'], 'is not an S3 bucket name'],
    [['a'.repeat(52) + '-{accountId}'], 'is not an S3 bucket name'],
    [['my..bucket'], 'is not an S3 bucket name'],
    [['192.168.1.10'], 'is not an S3 bucket name'],
  ])('refuses the bucket names %j', (names, message) => {
    expect(() => resolveConfig({ buckets: { names } })).toThrow(message);
  });

  test('a bucket name is checked as S3 sees it, {accountId} counted as its 12 digits', () => {
    expect(resolveConfig({ buckets: { names: ['a'.repeat(50) + '-{accountId}'] } }).buckets.names).toHaveLength(1);
  });
});

describe('prefixes and OIDC URL fragments that are too broad', () => {
  test.each([
    ['C', 'a prefix needs at least 3 characters and must start with a letter'],
    ['A', 'a prefix needs at least 3 characters'],
    ['.', 'a prefix needs at least 3 characters'],
    ['.CTL', 'must start with a letter'],
    ['_CTL', 'must start with a letter'],
    ['AWS', 'it overlaps names AWS gives (AWS...)'],
    ['aws-', 'it overlaps names AWS gives (AWS...)'],
    ['AWSReservedSSO_', 'it overlaps names AWS gives (AWS...)'],
    ['Amazon', 'it overlaps names AWS gives (Amazon...)'],
    ['cdk', 'it overlaps names AWS gives (cdk-...)'],
    ['cdk-hnb659fds', 'it overlaps names AWS gives (cdk-...)'],
    ['stacksets', 'it overlaps names AWS gives (stacksets-exec-...)'],
    ['Org', 'it overlaps names AWS gives (OrganizationAccountAccessRole...)'],
    ['organization', 'it overlaps names AWS gives (OrganizationAccountAccessRole...)'],
  ])('the prefix %j is refused: %s', (value, why) => {
    expect(broadPrefix(value)).toContain(why);
    expect(() => resolveConfig({ prefixes: ['CTL', value] })).toThrow(
      new ConfigError('prefixes[1]', `"${value}" is too broad: ${broadPrefix(value)}; if it really names only the provider's, also list it in allowBroadPrefixes`),
    );
  });

  test.each(['CTL', 'Lumen', 'CenturyLink', 'ctl-', 'Provider0', 'Orchard'])('the prefix %j is accepted', (value) => {
    expect(broadPrefix(value)).toBeUndefined();
  });

  test.each([
    ['com', 'a fragment needs 6 characters and a dot'],
    ['lumen', 'a fragment needs 6 characters and a dot'],
    ['google', 'a fragment needs 6 characters and a dot'],
    ['amazonaws.com', 'it matches oidc.eks.amazonaws.com, an issuer many accounts trust'],
    ['githubusercontent.com', 'it matches token.actions.githubusercontent.com'],
    ['token.actions.githubusercontent.com', 'it matches token.actions.githubusercontent.com'],
    ['accounts.google.com', 'it matches accounts.google.com'],
    ['microsoftonline', 'it matches login.microsoftonline.com'],
    ['okta.com', 'it matches okta.com'],
    ['eks.us-east-1', 'it matches oidc.eks.amazonaws.com'],
    ['oidc.eks.eu-west-1.amazonaws.com', 'it matches oidc.eks.amazonaws.com'],
    ['sts.us-east-2.amazonaws.com', 'hosts under amazonaws.com issue for every tenant'],
    ['tenant.sts.windows.net', "hosts under windows.net issue for every tenant: add the path that names the provider's"],
  ])('the OIDC fragment %j is refused: %s', (value, why) => {
    expect(broadOidcFragment(value)).toContain(why);
    expect(() => resolveConfig({ oidcUrlFragments: [value] })).toThrow(
      `config "oidcUrlFragments[0]": "${value}" is too broad: ${broadOidcFragment(value)}; if it really names only the provider's, also list it in allowBroadOidcUrlFragments`,
    );
  });

  test.each(['ctl.io', 'centurylink', 'lumen.com', 'auth.ctl.io/tenant', 'centurylink.okta.com', 'oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123', 'token.actions.githubusercontent.com/lumen'])(
    'the OIDC fragment %j is accepted',
    (value) => {
      expect(broadOidcFragment(value)).toBeUndefined();
      expect(resolveConfig({ oidcUrlFragments: [value] }).oidcUrlFragments).toEqual([value]);
    },
  );

  test.each(['***', '*', 'ctl.io*', 'https://auth.ctl.io', '.ctl.io', 'auth ctl.io', '${aws:username}'])('the OIDC fragment %j is not part of a URL and cannot be allowed', (value) => {
    const message = `config "oidcUrlFragments[0]": "${value}" is not a host or host/path such as "auth.ctl.io"`;
    expect(() => resolveConfig({ oidcUrlFragments: [value] })).toThrow(message);
    expect(() => resolveConfig({ oidcUrlFragments: [value], allowBroadOidcUrlFragments: [value] })).toThrow(message);
  });

  test('allowBroad... accepts exactly the entries it names, and nothing that is not a prefix or fragment', () => {
    const config = resolveConfig({ prefixes: ['CTL', 'C'], allowBroadPrefixes: ['C'], oidcUrlFragments: ['lumen'], allowBroadOidcUrlFragments: ['lumen'] });
    expect(config).toMatchObject({ prefixes: ['CTL', 'C'], oidcUrlFragments: ['lumen'] });
    expect(() => resolveConfig({ prefixes: ['C', 'A'], allowBroadPrefixes: ['C'] })).toThrow('config "prefixes[1]": "A" is too broad');
    expect(() => resolveConfig({ prefixes: ['CTL'], allowBroadPrefixes: ['C'] })).toThrow('config "allowBroadPrefixes[0]": "C" is not one of prefixes: name exactly the entry to accept');
    expect(() => resolveConfig({ prefixes: ['c'], allowBroadPrefixes: ['C'] })).toThrow('config "prefixes[0]": "c" is too broad');
    expect(() => resolveConfig({ prefixes: ['*'], allowBroadPrefixes: ['*'] })).toThrow('contains a wildcard');
    expect(() => resolveConfig({ prefixes: [''], allowBroadPrefixes: [''] })).toThrow('must not be empty');
  });
});

describe('duplicateKey (JSON.parse keeps the last of two equal keys without a word)', () => {
  test.each([
    ['{"a": 1, "a": 2}', 'a'],
    ['{"a": {"b": 1, "c": {"d": 1}, "b": 2}}', 'a.b'],
    ['{"a": [{"x": 1}, {"y": 1, "y": 2}]}', 'a[1].y'],
    ['{"a": 1, "\\u0061": 2}', 'a'],
    ['{"k\\"q": 1, "k\\"q": 2}', 'k"q'],
    ['{"a" \n\n   : 1, "a":2}', 'a'],
  ])('%s: %s', (text, path) => {
    JSON.parse(text);
    expect(duplicateKey(text)).toBe(path);
  });

  test.each(['{"a": 1, "b": {"a": 1}}', '{"a": ["a", "a"], "b": "a"}', '{"a": "\\"a\\": 1"}', '[{"a": 1}, {"a": 2}]', '"a"', 'null'])('%s has none', (text) => {
    JSON.parse(text);
    expect(duplicateKey(text)).toBeUndefined();
  });
});
