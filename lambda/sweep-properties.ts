/**
 * The sweep stack's custom resource properties → the run's config, checked as lambda/properties.ts checks the cleanup
 * stack's: every property known and valid, or one line naming the property and the fix, and nothing runs.
 */
import { ConfigError } from './engine/config';
import { SWEEP_CONFIG_CHECKS, SWEEP_SERVICES, type SweepService } from './engine/sweep-config';
import { parseProperties, PropertyError, type ParsedProperties } from './properties';

/** The properties of the sweep stack's resource: the shared ones (lambda/properties.ts) and the sweep's own. */
export const SWEEP_PROPERTIES: readonly string[] = [
  'ServiceToken',
  'ServiceTimeout',
  'Mode',
  'EngineVersion',
  // The IAM plan that tells the sweep who the departure deletes reads these as the cleanup stack does.
  'Prefixes',
  'OidcUrlFragments',
  'KeepCamProvider',
  'CamPolicyNames',
  'AllowBroadPrefixes',
  'AllowBroadOidcUrlFragments',
  'Exclude',
  'ProviderAccountIds',
  'ProviderOrganizationIds',
  'Regions',
  'Remove',
  'RemoveServices',
];

/** A region name as AWS writes it (us-east-1, ap-southeast-2, us-gov-west-1). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export interface SweepProperties extends ParsedProperties {
  /** The regions to sweep; empty: every enabled region of the account. */
  readonly regions: readonly string[];
  /** Why the run does less than the properties ask (removal asked, but not synthesized in), for the answer's Reason. */
  readonly note?: string;
}

const list = (value: string) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');

/**
 * @throws PropertyError naming the first offending property and what to write instead; nothing has run.
 */
export function parseSweepProperties(properties: unknown): SweepProperties {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw new PropertyError('ResourceProperties', 'must be an object of string properties');
  }
  const { ProviderOrganizationIds = '', Regions = '', Remove = 'false', RemoveServices = '', ...shared } = properties as Record<string, unknown>;
  for (const property of Object.keys(properties)) {
    if (!SWEEP_PROPERTIES.includes(property)) throw new PropertyError(property, `unknown property; the known properties are ${SWEEP_PROPERTIES.join(', ')}`);
  }
  for (const [property, value] of Object.entries({ ProviderOrganizationIds, Regions, Remove, RemoveServices })) {
    if (typeof value !== 'string') throw new PropertyError(property, `must be a string, not ${JSON.stringify(value)}`);
  }
  const { mode, config } = parseProperties(shared);
  let organizations: readonly string[];
  try {
    organizations = SWEEP_CONFIG_CHECKS.providerOrganizationIds!('ProviderOrganizationIds', list(ProviderOrganizationIds as string)) as readonly string[];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new PropertyError('ProviderOrganizationIds', error.message);
  }
  const regions = list(Regions as string);
  const badRegion = regions.find((region) => !REGION.test(region));
  if (badRegion !== undefined) throw new PropertyError('Regions', `${JSON.stringify(badRegion)} is not a region name such as eu-west-1; leave it empty for every enabled region`);
  if (Remove !== 'true' && Remove !== 'false') throw new PropertyError('Remove', `must be "true" or "false", not ${JSON.stringify(Remove)}; set the stack parameter Remove`);
  const granted = list(RemoveServices as string);
  const unknown = granted.find((service) => !(SWEEP_SERVICES as readonly string[]).includes(service));
  if (unknown !== undefined) throw new PropertyError('RemoveServices', `${JSON.stringify(unknown)} is not a service the sweep covers (${SWEEP_SERVICES.join(', ')}); synthesize the stack again`);
  const removes = Remove === 'true' ? (granted as SweepService[]) : [];
  // Removal asked of a stack whose role cannot remove: a plan that says so, never an apply that quietly changes nothing.
  const refused = Remove === 'true' && granted.length === 0;
  const note = refused
    ? `Remove=true, but this stack was synthesized without the removal permissions, so only a plan ran and nothing changed; synthesize it with -c sweep='{"remove":true}' and deploy it again to remove`
    : undefined;
  return {
    mode: refused ? 'plan' : mode,
    config: {
      ...config,
      providerOrganizationIds: organizations,
      resourcePolicies: { remove: Object.fromEntries(SWEEP_SERVICES.map((service) => [service, removes.includes(service)])) as Record<SweepService, boolean> },
    },
    regions,
    ...(note ? { note } : {}),
  };
}
