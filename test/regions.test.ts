/**
 * The regions a run reads (lambda/engine/regions.ts): the account's enabled ones by Account Management ListRegions,
 * narrowed by config `regions`; the run's region, with the reason, when they cannot be listed. First against an
 * Account API stand-in that pages and fails on demand, then against strict moto's ListRegions.
 */
import type { AwsClients } from '../lambda/engine/aws';
import { createClients } from '../lambda/engine/aws';
import { enabledRegions, narrowRegions } from '../lambda/engine/regions';
import { setStanding } from './support/departure-org';
import { motoSuite } from './support/moto-suite';

type Answer = { Regions: { RegionName: string; RegionOptStatus: string }[]; NextToken?: string };

/** Clients whose Account API answers `pages` in turn (or throws `failure`), recording each request. */
function standIn(pages: Answer[], failure?: Error): { clients: AwsClients; requests: Record<string, unknown>[] } {
  const requests: Record<string, unknown>[] = [];
  const account = {
    send: async (operation: string, input: Record<string, unknown>) => {
      expect(operation).toBe('ListRegions');
      requests.push(input);
      if (failure) throw failure;
      return pages[requests.length - 1];
    },
  };
  return { clients: { account, sts: { config: { region: async () => 'eu-west-1' } } } as unknown as AwsClients, requests };
}

const enabled = (...names: string[]) => names.map((RegionName) => ({ RegionName, RegionOptStatus: 'ENABLED_BY_DEFAULT' }));
const denied = Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: account:ListRegions'), { name: 'AccessDeniedException' });

describe('enabledRegions', () => {
  test('asks for the enabled ones only (ENABLED, ENABLED_BY_DEFAULT), follows NextToken, and sorts', async () => {
    const { clients, requests } = standIn([{ Regions: enabled('us-west-2', 'eu-west-1'), NextToken: 'page2' }, { Regions: enabled('af-south-1', 'us-east-1') }]);
    expect(await enabledRegions(clients)).toEqual({ regions: ['af-south-1', 'eu-west-1', 'us-east-1', 'us-west-2'] });
    expect(requests).toEqual([
      { RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'], MaxResults: 50, NextToken: undefined },
      { RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'], MaxResults: 50, NextToken: 'page2' },
    ]);
  });

  test('a list that cannot be read: the run\'s region, and the error for the report', async () => {
    const { clients } = standIn([], denied);
    expect(await enabledRegions(clients)).toEqual({
      regions: ['eu-west-1'],
      error: `could not list the enabled regions (AccessDeniedException: ${denied.message})`,
    });
  });

  test('config "regions" narrows to the enabled ones it names, and says which it names are not enabled', async () => {
    const { clients } = standIn([{ Regions: enabled('eu-west-1', 'us-east-1', 'us-west-2') }]);
    expect(narrowRegions(await enabledRegions(clients), ['us-west-2', 'us-east-1'])).toEqual({ regions: ['us-east-1', 'us-west-2'] });
    expect(narrowRegions(await enabledRegions(standIn([{ Regions: enabled('eu-west-1', 'us-east-1') }]).clients), ['us-east-1', 'ap-east-1'])).toEqual({
      regions: ['us-east-1'],
      error: 'ap-east-1 of config "regions" not enabled in this account',
    });
  });

  test('config "regions" when the list cannot be read: the configured ones, and the error', async () => {
    expect(narrowRegions(await enabledRegions(standIn([], denied).clients), ['us-west-2', 'eu-central-1'])).toEqual({
      regions: ['eu-central-1', 'us-west-2'],
      error: expect.stringMatching(/^could not list the enabled regions \(AccessDeniedException/),
    });
    expect(narrowRegions({ regions: ['eu-west-1'], error: 'could not list the enabled regions (X)' }, ['us-east-1'])).toEqual({ regions: ['us-east-1'], error: 'could not list the enabled regions (X)' });
  });
});

describe('against strict moto (Account ListRegions)', () => {
  const server = motoSuite();

  test('the default regions, plus an opt-in region once ENABLED, never one still ENABLING or DISABLED', async () => {
    const defaults = ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];
    expect(await enabledRegions(createClients())).toEqual({ regions: defaults });
    await setStanding(server(), '123456789012', { regions: { 'af-south-1': 'ENABLED', 'ap-east-1': 'ENABLING', 'me-south-1': 'DISABLING' } });
    expect(await enabledRegions(createClients())).toEqual({ regions: ['af-south-1', ...defaults] });
  });
});
