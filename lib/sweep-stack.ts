/**
 * The sweep stack: optional, deployed beside the cleanup stack (whose template has no room for the sweep), from the
 * same app with `-c sweep=true` (read and flag) or `-c sweep='{"remove":true}'` (the removal permissions synthesized
 * in). One self-contained template like the cleanup stack's: no assets, no bootstrap, under 51,200 bytes inline.
 */
import { CfnOutput, CfnParameter, LegacyStackSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AppSettings } from './context';
import { DepartureSweep } from './departure-sweep';
import { ConfigError } from '../lambda/engine/config';
import { SWEEP_CONFIG_CHECKS, SWEEP_SERVICES, type SweepService } from '../lambda/engine/sweep-config';

/** What `-c sweep=...` asks for. */
export interface SweepSettings {
  /** The services whose grants the stack can remove. */
  readonly removeServices: readonly SweepService[];
}

/**
 * `true`, `"true"` or `{}`: read and flag; `{"remove": true}` or `{"remove": {"kms": true, ...}}`: the removal
 * permissions of those services too.
 * @throws ConfigError naming `sweep` and an example
 */
export function readSweep(value: unknown): SweepSettings {
  if (value === true || value === 'true') return { removeServices: [] };
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new ConfigError('sweep', `must be true or JSON such as {"remove":true}, not ${JSON.stringify(value)}`);
    }
  }
  const settings = SWEEP_CONFIG_CHECKS.resourcePolicies!('sweep', parsed) as { remove: Record<SweepService, boolean> };
  return { removeServices: SWEEP_SERVICES.filter((service) => settings.remove[service]) };
}

export interface SweepStackProps extends StackProps {
  readonly settings: AppSettings;
  readonly sweep: SweepSettings;
}

const OUTPUTS = ['Mode', 'Delete', 'Flag', 'Skip', 'Done', 'Failed', 'Report'] as const;
const REGION = '[a-z]{2}(-[a-z]+)+-\\d{1,2}';

export class SweepStack extends Stack {
  readonly sweep: DepartureSweep;

  constructor(scope: Construct, id: string, props: SweepStackProps) {
    super(scope, id, {
      synthesizer: new LegacyStackSynthesizer(),
      analyticsReporting: false,
      description: 'Finds the departing provider (CTL) in resource policies and shares of this account; removes its grants only if built to and Mode=apply.',
      ...props,
    });
    const { config, mode } = props.settings;
    const { removeServices } = props.sweep;
    const parameter = (name: string, description: string, defaultValue: string, extra: Partial<ConstructorParameters<typeof CfnParameter>[2]> = {}) =>
      new CfnParameter(this, name, { type: 'String', description, default: defaultValue, ...extra }).valueAsString;
    this.sweep = new DepartureSweep(this, 'Sweep', {
      prefixes: config.prefixes,
      oidcUrlFragments: config.oidcUrlFragments,
      allowBroadPrefixes: config.allowBroadPrefixes,
      allowBroadOidcUrlFragments: config.allowBroadOidcUrlFragments,
      keepCamProvider: String(config.keepCamProvider),
      camPolicyNames: config.camPolicyNames.join(','),
      mode: parameter('Mode', 'plan: report what grants the provider. apply: remove what Remove allows.', mode, { allowedValues: ['plan', 'apply'] }),
      remove: parameter(
        'Remove',
        removeServices.length ? `Remove the provider grants of ${removeServices.join(' ')} on apply.` : 'Not built to remove: true runs a plan that says so.',
        String(removeServices.length > 0),
        { allowedValues: ['true', 'false'] },
      ),
      providerAccountIds: parameter('ProviderAccountIds', 'Provider account ids, comma-separated.', config.providerAccountIds.join(','), { allowedPattern: '^$|^\\d{12}(,\\d{12})*$' }),
      providerOrganizationIds: parameter('ProviderOrganizationIds', 'Provider organization ids, comma-separated.', (config.providerOrganizationIds ?? []).join(','), {
        allowedPattern: '^$|^o-[a-z0-9]{10,32}(,o-[a-z0-9]{10,32})*$',
      }),
      regions: parameter('Regions', 'Regions to sweep, comma-separated; empty for every enabled region.', '', { allowedPattern: `^$|^${REGION}(,${REGION})*$` }),
      exclude: parameter('Exclude', 'Names or ARNs never touched, comma-separated.', config.exclude.join(',')),
      removeServices,
    });
    for (const name of OUTPUTS) new CfnOutput(this, `Sweep${name}`, { value: this.sweep.resource.getAttString(name) });
  }
}
