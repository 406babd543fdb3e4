/**
 * The size that decides whether a stack deploys without bootstrap: `cdk deploy` (aws-cdk 2.1148) sends the template
 * as YAML, `yaml.stringify(template, { schema: 'yaml-1.1', lineWidth: 0 })`, inline as `TemplateBody` while it is
 * at most 50 KiB, and CloudFormation accepts at most 51,200 bytes inline. The CLI's serializer (yaml 2.9) is
 * bundled inside the CLI and not a dependency of this app, so the app computes an upper bound of that YAML's size
 * from the same block layout (two-space indents, sequences indented under their key, no line folding), counting
 * every scalar that might need quotes at its JSON length, which no YAML quoting style exceeds for strings without
 * line breaks. test/support/template-body.ts runs the CLI's own serializer; the tests hold this bound to it.
 */
import { ConfigError } from '../lambda/engine/config';

/** CloudFormation's limit on an inline `TemplateBody`, in bytes (the CLI's 50 KiB is the same number). */
export const TEMPLATE_BODY_LIMIT = 51_200;

/** yaml-1.1 words a plain scalar would turn into booleans or null: always quoted. */
const YAML_11_WORDS = /^(y|n|yes|no|on|off|true|false|null)$/i;
/** Strings yaml leaves unquoted for certain: a letter, then letters, digits and `_ . / -` (no `:`, space or `#`). */
const SURELY_PLAIN = /^[A-Za-z][A-Za-z0-9_./-]*$/;

const bytes = (text: string) => Buffer.byteLength(text);

/** Bytes of a scalar (or empty collection) as yaml writes it, at most. */
function scalarBytes(value: unknown): number {
  if (typeof value === 'string') {
    if (SURELY_PLAIN.test(value) && !YAML_11_WORDS.test(value)) return bytes(value);
    // yaml quotes a string that has " but no ' in single quotes, which escape nothing (the cleanup template inlined
    // as a StackSet's TemplateBody is such a string: JSON, with no apostrophe in it on purpose).
    if (value.includes('"') && !value.includes("'") && !/[\n\r\t]/.test(value)) return bytes(value) + 2;
    return bytes(JSON.stringify(value));
  }
  if (Array.isArray(value)) return 2; // []
  if (value !== null && typeof value === 'object') return 2; // {}
  return bytes(String(value));
}

const isCollection = (value: unknown): value is object => value !== null && typeof value === 'object' && Object.keys(value).length > 0;

/** Bytes of `value` as a block at `indent`; `inline` when its first line follows a sequence's "- ". */
function blockBytes(value: object, indent: number, inline: boolean): number {
  let total = 0;
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value) ? value.map((item) => [undefined, item]) : Object.entries(value);
  entries.forEach(([key, item], index) => {
    total += index === 0 && inline ? 0 : indent;
    total += key === undefined ? 2 : scalarBytes(key) + 1; // "- " or "key:"
    if (!isCollection(item)) total += (key === undefined ? 0 : 1) + scalarBytes(item) + 1;
    else if (key === undefined) total += blockBytes(item, indent + 2, true);
    else total += 1 + blockBytes(item, indent + 2, false);
  });
  return total;
}

/** At least as many bytes as `cdk deploy` sends for `template`, and close to it (the tests say how close). */
export function templateYamlBytes(template: object): number {
  return blockBytes(template, 0, false);
}

/**
 * Refuses, with one line, a cleanup stack whose template `cdk deploy` could not send inline: its size grows with the
 * prefixes, provider bucket names and OIDC fragments the IAM policy is written for.
 * @throws ConfigError naming `prefixes` and how to make the stack smaller
 */
export function checkCleanupSize(stackName: string, template: object): void {
  const size = templateYamlBytes(template);
  if (size <= TEMPLATE_BODY_LIMIT) return;
  throw new ConfigError(
    'prefixes',
    `stack ${stackName} would be about ${size.toLocaleString('en-US')} bytes as the YAML cdk deploy sends, over the ${TEMPLATE_BODY_LIMIT.toLocaleString('en-US')} bytes CloudFormation takes inline (without bootstrap); use fewer prefixes, bucket names or OIDC URL fragments`,
  );
}

/**
 * Refuses, with one line, a rollout stack whose template `cdk deploy` could not send inline.
 * @throws ConfigError naming `rollout` and how to make the stack smaller
 */
export function checkRolloutSize(stackName: string, template: object): void {
  const size = templateYamlBytes(template);
  if (size <= TEMPLATE_BODY_LIMIT) return;
  throw new ConfigError(
    'rollout',
    `stack ${stackName} would be about ${size.toLocaleString('en-US')} bytes as the YAML cdk deploy sends, over the ${TEMPLATE_BODY_LIMIT.toLocaleString('en-US')} bytes CloudFormation takes inline (without bootstrap);` +
      ' list fewer accounts or accountOverrides here and roll the others out as a second rollout with -c stackName=<another name> and no account in both',
  );
}

/**
 * Refuses, with one line, a sweep stack whose template `cdk deploy` could not send inline.
 * @throws ConfigError naming `sweep`
 */
export function checkSweepSize(stackName: string, template: object): void {
  const size = templateYamlBytes(template);
  if (size <= TEMPLATE_BODY_LIMIT) return;
  throw new ConfigError(
    'sweep',
    `stack ${stackName} would be about ${size.toLocaleString('en-US')} bytes as the YAML cdk deploy sends, over the ${TEMPLATE_BODY_LIMIT.toLocaleString('en-US')} bytes CloudFormation takes inline (without bootstrap); use fewer prefixes or OIDC URL fragments`,
  );
}
