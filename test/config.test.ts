import { ConfigError, DEFAULT_CONFIG, resolveConfig } from '../lambda/engine/config';

describe('resolveConfig', () => {
  test('fills defaults', () => {
    expect(resolveConfig({})).toEqual(DEFAULT_CONFIG);
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
    [[], 'config "(root)": must be a JSON object'],
  ])('refuses %j', (input, message) => {
    expect(() => resolveConfig(input)).toThrow(ConfigError);
    expect(() => resolveConfig(input)).toThrow(message);
  });
});
