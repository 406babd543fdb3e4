/**
 * Reads the app's settings from CDK context (`cdk.json` or `-c key=value`), validating them with the engine's
 * own config rules so that `cdk synth` refuses what a run would refuse, with the same one-line message.
 */
import { ConfigError, DEFAULT_CONFIG, resolveConfig, type DepartureConfig } from '../lambda/engine/config';
import { duplicateKey } from './json-keys';

/** A stand-in bucket name for config checks when the stack creates the archive bucket. */
const ARCHIVE_CREATED_BY_STACK = 'archive-created-by-the-stack';

/** Context keys of the app; any other key that looks like one of ours is a typo and refused (checkContextKeys). */
export const CONTEXT_KEYS = [
  'mode',
  'prefixes',
  'keepCamProvider',
  'camPolicyNames',
  'removeTagKeys',
  'exclude',
  'providerAccountIds',
  'oidcUrlFragments',
  'buckets',
  'createArchiveBucket',
  'rollout',
  'sweep',
  'stackName',
  'allowBroadPrefixes',
  'allowBroadOidcUrlFragments',
] as const;

/**
 * Refuses a context key that looks like one of the app's (a plain word such as `prefix`) but is not one: it would be
 * ignored, and the stack built without the setting the operator meant. CDK's own keys (`@aws-cdk/...`,
 * `aws:cdk:...`, `cdk-...`, lookups such as `availability-zones:account=...`) carry `@`, `:` or `-` and pass.
 * @param keys every key of the app's context (`app.node.getAllContext()`)
 * @throws ConfigError naming the key and the nearest key of the app
 */
export function checkContextKeys(keys: readonly string[]): void {
  for (const key of keys) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key) || (CONTEXT_KEYS as readonly string[]).includes(key)) continue;
    const near = CONTEXT_KEYS.find((known) => known.toLowerCase().startsWith(key.toLowerCase()) || key.toLowerCase().startsWith(known.toLowerCase()));
    throw new ConfigError(key, `unknown context key${near ? ` (did you mean "${near}"?)` : ''}; the app's keys are ${CONTEXT_KEYS.join(', ')}`);
  }
}

/**
 * The CDK CLI reads `cdk.json` with JSON.parse, which keeps the last of two equal keys: the app, which can read the
 * file too, refuses them. Text that is not JSON is left to the CLI, which reports it.
 */
export function checkCdkJson(text: string): void {
  try {
    JSON.parse(text);
  } catch {
    return;
  }
  const twice = duplicateKey(text);
  if (twice !== undefined) throw new ConfigError(twice.replace(/^context\./, ''), 'is given twice in cdk.json: JSON would keep only the last; write it once');
}

/** JSON text of a context value, parsed; bad JSON and keys given twice are one-line errors naming the key. */
export function parseContextJson(key: string, text: string, example: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(key, `must be JSON such as '${example}', not ${text}`);
  }
  const twice = duplicateKey(text);
  if (twice !== undefined) throw new ConfigError(`${key}${twice.startsWith('[') ? '' : '.'}${twice}`, 'is given twice: JSON would keep only the last; write it once');
  return value;
}

export interface AppSettings {
  readonly mode: 'plan' | 'apply';
  readonly config: DepartureConfig;
  readonly stackName: string;
  /** The cleanup stack creates the archive bucket that `copy` writes to. */
  readonly createArchiveBucket: boolean;
}

/** A context value as the engine's config wants it: `-c` gives strings, cdk.json gives JSON. */
function normalize(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (key === 'buckets') return parseContextJson(key, value, '{"mode":"archive"}');
  if (typeof DEFAULT_CONFIG[key as keyof DepartureConfig] === 'boolean') {
    return value === 'true' ? true : value === 'false' ? false : value;
  }
  if (Array.isArray(DEFAULT_CONFIG[key as keyof DepartureConfig])) {
    if (value.trim().startsWith('[')) return parseContextJson(key, value, '["CTL"]');
    return value === '' ? [] : value.split(',').map((entry) => entry.trim());
  }
  return value;
}

/**
 * @param lookup reads one context key (`node.tryGetContext`)
 * @throws ConfigError naming the context key and what to write instead
 */
export function readSettings(lookup: (key: string) => unknown): AppSettings {
  const mode = lookup('mode') ?? 'plan';
  if (mode !== 'plan' && mode !== 'apply') throw new ConfigError('mode', `must be "plan" or "apply", not ${JSON.stringify(mode)}; pass -c mode=apply to apply`);
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    if (key === 'mode' || key === 'stackName' || key === 'createArchiveBucket' || key === 'rollout' || key === 'sweep') continue;
    const value = lookup(key);
    if (value !== undefined) raw[key] = normalize(key, value);
  }
  const stackName = String(lookup('stackName') ?? 'ProviderDeparture');
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    throw new ConfigError('stackName', `"${stackName}" is not a CloudFormation stack name (letters, digits, hyphens; starting with a letter)`);
  }
  const create = lookup('createArchiveBucket') ?? false;
  if (create !== true && create !== false && create !== 'true' && create !== 'false') {
    throw new ConfigError('createArchiveBucket', `must be true or false, not ${JSON.stringify(create)}`);
  }
  const createArchiveBucket = create === true || create === 'true';
  if (createArchiveBucket) {
    const buckets = (raw.buckets ?? {}) as Record<string, unknown>;
    if (typeof buckets === 'object' && buckets !== null && 'archiveBucket' in buckets) {
      throw new ConfigError('createArchiveBucket', 'the stack creates the archive bucket and names it itself: drop buckets.archiveBucket, or drop createArchiveBucket to use that bucket');
    }
    // Copy and delete need an archive bucket: the one the stack creates. Its name is known only at deploy time, so
    // the config is checked with a stand-in, which the stack never uses (it passes the created bucket's name).
    const checked = resolveConfig({ ...raw, buckets: { ...buckets, archiveBucket: ARCHIVE_CREATED_BY_STACK } });
    return { mode, config: checked, stackName, createArchiveBucket };
  }
  const config = resolveConfig(raw);
  return { mode, config, stackName, createArchiveBucket };
}
