/**
 * Which stack's function this code was bundled for. lib/handler-bundle.ts replaces `process.env.CTL_DEPARTURE_BUNDLE`
 * with "cleanup" or "sweep" (esbuild `define`), so every test of it below is a constant there and the bundler drops
 * the other stack's code: the cleanup stack's function never carries the sweep, the sweep stack's function never
 * carries bucket, automation or readiness code. Unbundled (the CLI, tests) it is undefined: everything is there, and
 * the run's own options decide.
 */
export const SWEEP_BUNDLE = process.env.CTL_DEPARTURE_BUNDLE === 'sweep';
export const CLEANUP_BUNDLE = process.env.CTL_DEPARTURE_BUNDLE === 'cleanup';
