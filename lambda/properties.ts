/**
 * The custom resource's properties → the engine's config, checked the way the CLI checks its config file: every
 * property is known, a string, and valid, or the request is refused with one line naming the property and the fix.
 * A missing property keeps the engine's default, as a missing key does in a config file.
 */
import { ConfigError, resolveConfig, type DepartureConfig } from './engine/config';
import type { Mode } from './engine/report';

/** Config key ← property name. Lists are comma-separated strings; an empty string is an empty list. */
export const PROPERTY_KEYS = {
  Prefixes: 'prefixes',
  KeepCamProvider: 'keepCamProvider',
  CamPolicyNames: 'camPolicyNames',
  RemoveTagKeys: 'removeTagKeys',
  Exclude: 'exclude',
  ProviderAccountIds: 'providerAccountIds',
  OidcUrlFragments: 'oidcUrlFragments',
  AllowBroadPrefixes: 'allowBroadPrefixes',
  AllowBroadOidcUrlFragments: 'allowBroadOidcUrlFragments',
} as const satisfies Record<string, keyof DepartureConfig>;

/** `buckets.<key>` ← property name. */
export const BUCKET_PROPERTY_KEYS = {
  BucketMode: 'mode',
  BucketNames: 'names',
  ArchiveBucket: 'archiveBucket',
  StorageClass: 'storageClass',
  TransitionDays: 'transitionDays',
  DeleteWithoutArchive: 'deleteWithoutArchive',
  BatchRoleArn: 'batchRoleArn',
} as const;

/**
 * Properties that are not config: CloudFormation's own, the run's mode and report bucket, the engine version, and
 * `Permissions` (the optional policies' names: only there so that CloudFormation creates them before the run).
 */
const OTHER_PROPERTIES = ['ServiceToken', 'ServiceTimeout', 'Mode', 'ReportBucket', 'EngineVersion', 'Permissions'] as const;

/** Every property the custom resource accepts. */
export const KNOWN_PROPERTIES: readonly string[] = [...OTHER_PROPERTIES, ...Object.keys(PROPERTY_KEYS), ...Object.keys(BUCKET_PROPERTY_KEYS)];

/** Bucket properties whose empty string means "none" (the stack's parameters default to it). */
const EMPTY_MEANS_NONE = new Set<string>(['ArchiveBucket', 'BatchRoleArn']);

/** A property that cannot be used; the message names it and says what to write instead. */
export class PropertyError extends Error {
  constructor(readonly property: string, problem: string) {
    super(`property ${property}: ${problem}`);
    this.name = 'PropertyError';
  }
}

/** What a request asks the engine to do. */
export interface ParsedProperties {
  readonly mode: Mode;
  readonly config: DepartureConfig;
  /** The rollout's reports bucket, when it gave one. */
  readonly reportBucket?: string;
  /** Why the run does less than the properties ask (said in the answer's Reason). @default none */
  readonly note?: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** "a, b" → ["a", "b"]. Prefixes keep empty entries so that validation refuses them instead of dropping them. */
function splitList(value: string, dropEmpty: boolean): string[] {
  if (value === '') return [];
  const entries = value.split(',').map((entry) => entry.trim());
  return dropEmpty ? entries.filter((entry) => entry !== '') : entries;
}

/** "true" / "false" only: anything else would silently mean false. */
function flag(property: string, value: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new PropertyError(property, `must be "true" or "false", not ${JSON.stringify(value)}`);
}

/** The checks of the properties that are not config. */
function checkOther(property: (typeof OTHER_PROPERTIES)[number], value: string): void {
  if (property === 'ServiceToken' && value === '') throw new PropertyError(property, 'must be the ARN of the function CloudFormation invokes');
  if (property === 'ServiceTimeout' && !(/^\d{1,4}$/.test(value) && Number(value) >= 1 && Number(value) <= 3600)) {
    throw new PropertyError(property, `must be a whole number of seconds from 1 to 3600, not ${JSON.stringify(value)}`);
  }
  if (property === 'Mode' && value !== 'plan' && value !== 'apply') {
    throw new PropertyError(property, `must be "plan" or "apply", not ${JSON.stringify(value)}; set the stack parameter Mode`);
  }
  if (property === 'EngineVersion' && !/^[0-9a-f]{64}$/.test(value)) {
    throw new PropertyError(property, `must be the engine's SHA-256 (64 hex digits) as synthesis writes it, not ${JSON.stringify(value)}; deploy a freshly synthesized template`);
  }
  if (property === 'ReportBucket' && value !== '' && !BUCKET_NAME.test(value)) {
    throw new PropertyError(property, `${JSON.stringify(value)} is not an S3 bucket name (3 to 63 lower-case letters, digits, dots, hyphens); leave it empty for none`);
  }
}

/** The value a config or bucket property gives its config key, or undefined to keep the default. */
function configValue(property: string, key: string, value: string): unknown {
  if (key === 'keepCamProvider' || key === 'deleteWithoutArchive') return flag(property, value);
  if (key === 'transitionDays') {
    if (!/^\d{1,5}$/.test(value)) throw new PropertyError(property, `must be a whole number of days such as 0, not ${JSON.stringify(value)}`);
    return Number(value);
  }
  if (EMPTY_MEANS_NONE.has(property) && value === '') return undefined;
  // Every config property but KeepCamProvider is a list, and so is BucketNames.
  if (property in PROPERTY_KEYS || key === 'names') return splitList(value, key !== 'prefixes');
  return value;
}

/**
 * @throws PropertyError naming the first offending property and what to write instead; nothing has run.
 */
export function parseProperties(properties: unknown): ParsedProperties {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw new PropertyError('ResourceProperties', 'must be an object of string properties');
  }
  const raw: Record<string, unknown> = {};
  const buckets: Record<string, unknown> = {};
  for (const [property, given] of Object.entries(properties)) {
    if (!KNOWN_PROPERTIES.includes(property)) {
      throw new PropertyError(property, `unknown property; the known properties are ${KNOWN_PROPERTIES.join(', ')}`);
    }
    // CloudFormation passes template numbers as strings; ServiceTimeout is the one property a template may write as a number.
    const value = property === 'ServiceTimeout' && typeof given === 'number' ? String(given) : given;
    if (typeof value !== 'string') throw new PropertyError(property, `must be a string, not ${JSON.stringify(value)}`);
    if ((OTHER_PROPERTIES as readonly string[]).includes(property)) {
      checkOther(property as (typeof OTHER_PROPERTIES)[number], value);
    } else if (property in PROPERTY_KEYS) {
      raw[PROPERTY_KEYS[property as keyof typeof PROPERTY_KEYS]] = configValue(property, PROPERTY_KEYS[property as keyof typeof PROPERTY_KEYS], value);
    } else {
      const key = BUCKET_PROPERTY_KEYS[property as keyof typeof BUCKET_PROPERTY_KEYS];
      const resolved = configValue(property, key, value);
      if (resolved !== undefined) buckets[key] = resolved;
    }
  }
  if (Object.keys(buckets).length) raw.buckets = buckets;
  const record = properties as Record<string, unknown>;
  const reportBucket = typeof record.ReportBucket === 'string' && record.ReportBucket !== '' ? record.ReportBucket : undefined;
  try {
    return { mode: (record.Mode as Mode | undefined) ?? 'plan', config: resolveConfig(raw), ...(reportBucket ? { reportBucket } : {}) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new PropertyError(propertyOf(error.field), error.message);
  }
}

/** The property an engine config field came from, so the message names what the operator can change. */
function propertyOf(field: string): string {
  const key = field.split('[')[0]!;
  return (
    Object.entries(PROPERTY_KEYS).find(([, k]) => k === key)?.[0] ??
    Object.entries(BUCKET_PROPERTY_KEYS).find(([, k]) => `buckets.${k}` === key)?.[0] ??
    field
  );
}
