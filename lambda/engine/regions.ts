/**
 * The regions a run reads regional resources in: the account's enabled ones (Account Management ListRegions, opt-in
 * status ENABLED or ENABLED_BY_DEFAULT: an opt-in region still ENABLING cannot be used yet), narrowed by the config's
 * `regions` (narrowRegions). Discovery lists them once; `Inventory.enabledRegions` holds what it read. ListRegions
 * rather than EC2 DescribeRegions: the Account API is already signed here (account-api.ts), where EC2 would need a
 * client of its own, and it names the opt-in status. A list that cannot be read falls back to the run's region (or the
 * configured ones) and says why, so the report warns that other regions were not read.
 */
import { describeError } from './apply';
import type { AwsClients } from './aws';
import type { Permission } from './permissions';

/** Regions read at once; each region's reads are a handful of list calls. */
export const REGION_CONCURRENCY = 4;

export const REGION_PERMISSIONS: readonly Permission[] = [
  {
    sid: 'ReadThisAccount',
    actions: ['account:ListRegions'],
    resources: ['arn:{partition}:account::{account}:account'],
    reason: 'Readiness and discovery read this account only (contacts, enabled regions).',
  },
];

export interface EnabledRegions {
  /** Sorted. */
  readonly regions: string[];
  /** Why these may not be every enabled region (or every configured one): the report warns with it. */
  readonly error?: string;
}

/** The account's enabled regions; the run's region, with the error, when they cannot be listed. */
export async function enabledRegions(clients: AwsClients): Promise<EnabledRegions> {
  const regions: string[] = [];
  try {
    let NextToken: unknown;
    do {
      const page = await clients.account.send('ListRegions', { RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'], MaxResults: 50, NextToken });
      for (const region of (page.Regions ?? []) as { RegionName: string }[]) regions.push(region.RegionName);
      NextToken = page.NextToken;
    } while (NextToken);
    return { regions: regions.sort() };
  } catch (error) {
    return { regions: [await clients.sts.config.region()], error: `could not list the enabled regions (${describeError(error)})` };
  }
}

/**
 * The enabled regions that `only` names; when the enabled ones could not be listed, `only` itself. Who delivers into a
 * provider bucket is read in every enabled region whatever `only` says: a writer in another region must stop a delete.
 */
export function narrowRegions(enabled: EnabledRegions, only: readonly string[]): EnabledRegions {
  if (enabled.error) return { regions: [...only].sort(), error: enabled.error };
  const off = only.filter((region) => !enabled.regions.includes(region));
  return {
    regions: enabled.regions.filter((region) => only.includes(region)),
    ...(off.length ? { error: `${off.join(', ')} of config "regions" not enabled in this account` } : {}),
  };
}
