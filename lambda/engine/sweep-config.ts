/**
 * The config keys of the CLI's sweep of resource policies (lambda/resources/sweep.ts): checked here, passed to
 * resolveConfig by the CLI only. The stack's function does not sweep, so it neither carries these checks nor accepts
 * the keys (an unknown key there, as any other).
 */
import { ConfigError, flags, stringList, type Checker, type DepartureConfig } from './config';

/** Services whose resource policies and shares the sweep reads; each can be switched to removal on its own. */
export const SWEEP_SERVICES = ['kms', 's3', 'sns', 'sqs', 'lambda', 'secretsmanager', 'ecr', 'events', 'ec2', 'ram'] as const;
export type SweepService = (typeof SWEEP_SERVICES)[number];

export interface ResourcePolicySettings {
  /**
   * Per service: remove the provider's grants (principals out of statements, shares revoked) instead of flagging
   * them. The config file may say `true` or `false` for every service at once. The resources themselves are never
   * deleted, and public grants are only flagged.
   * @default every service false
   */
  readonly remove: Readonly<Record<SweepService, boolean>>;
}

const NOTHING_REMOVED = Object.freeze(Object.fromEntries(SWEEP_SERVICES.map((service) => [service, false])) as Record<SweepService, boolean>);

/** `{"remove": true}`, or `{"remove": {"kms": true, ...}}`: one switch for every service, or one per service. */
const resourcePolicies: Checker = (field, value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(field, 'must be an object such as {"remove": true}');
  const { remove, ...unknown } = value as { remove?: unknown };
  const extra = Object.keys(unknown)[0];
  if (extra !== undefined) throw new ConfigError(`${field}.${extra}`, 'unknown key; the known key is remove');
  if (remove === undefined) return Object.freeze({ remove: NOTHING_REMOVED });
  if (typeof remove === 'boolean') return Object.freeze({ remove: Object.freeze(Object.fromEntries(SWEEP_SERVICES.map((service) => [service, remove]))) });
  if (typeof remove !== 'object' || remove === null || Array.isArray(remove)) {
    throw new ConfigError(`${field}.remove`, `must be true, false, or an object such as {"kms": true}, not ${JSON.stringify(remove)}`);
  }
  return Object.freeze({ remove: flags(NOTHING_REMOVED)(`${field}.remove`, remove) });
};

/** An organization id as AWS Organizations writes it: `o-` and 10 to 32 lowercase letters or digits. */
const providerOrganizationIds = stringList((field, value) => {
  if (!/^o-[a-z0-9]{10,32}$/.test(value)) throw new ConfigError(field, `"${value}" is not an organization id such as "o-abcd123456" (o- and 10 to 32 lowercase letters or digits)`);
});

/** What `resolveConfig(input, SWEEP_CONFIG_CHECKS)` adds to the keys every driver accepts. */
export const SWEEP_CONFIG_CHECKS: Readonly<Partial<Record<keyof DepartureConfig, Checker>>> = { providerOrganizationIds, resourcePolicies };

/** The switch of one service, with the defaults of a config that names none. */
export const removes = (config: DepartureConfig, service: SweepService): boolean => config.resourcePolicies?.remove[service] ?? false;
