/**
 * What the cleanup stack's function runs: the whole departure, with the cleanup stack's properties (the handler's
 * default). lib/handler-bundle.ts bundles the sweep stack's function with lambda/sweep-handler.ts in place of this
 * file, so each stack's function carries only its own code and neither stack's imports reach the other's bundle.
 */
import type { HandlerDependencies } from './handler';
import { runDeparture } from './engine/run';

export const STACK_DEPENDENCIES: Pick<HandlerDependencies, 'run' | 'parse'> = { run: runDeparture };
