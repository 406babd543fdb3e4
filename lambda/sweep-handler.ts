/**
 * What the sweep stack's function runs (lib/sweep-stack.ts): its own properties, and the sweep alone
 * (`createSweep({ only: true })`) in the regions they name, or every enabled region. lib/handler-bundle.ts bundles it in
 * place of lambda/stack-dependencies.ts for the sweep stack only, so the cleanup stack's function carries none of it.
 */
import type { HandlerDependencies } from './handler';
import { runDeparture } from './engine/run';
import { createSweep } from './resources/sweep';
import { parseSweepProperties, type SweepProperties } from './sweep-properties';

export const STACK_DEPENDENCIES: Pick<HandlerDependencies, 'run' | 'parse'> = {
  parse: parseSweepProperties,
  run: (options, parsed) => {
    const { regions } = parsed as SweepProperties;
    // Regions named: those of the account's enabled regions (config `regions`); none: every enabled region.
    return runDeparture({ ...options, config: regions.length ? { ...options.config, regions } : options.config, sweep: createSweep({ only: true }) });
  },
};
