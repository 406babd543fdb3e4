/**
 * The template body exactly as `cdk deploy` sends it: the CDK CLI (aws-cdk 2.1148) serializes a template to YAML
 * (`yaml.stringify(template, { schema: 'yaml-1.1', lineWidth: 0 })`, yaml 2.9 bundled inside the CLI) and sends it
 * as `TemplateBody` while it is at most 50 KiB, else it needs the bootstrap bucket. CloudFormation's limit on a
 * `TemplateBody` is 51,200 bytes. The serializer is not importable on its own, so this runs the CLI's own
 * `makeBodyParameter` with stand-ins for the toolkit lookups: the YAML is then the CLI's, byte for byte, whatever
 * its size (over the limit, the CLI writes it to a file for upload, which is read back here).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** CloudFormation's limit on an inline `TemplateBody`, in bytes (the CLI's is 50 KiB of characters: the same). */
export const TEMPLATE_BODY_LIMIT = 51_200;

export interface TemplateBodyAsSent {
  /** The YAML the CLI sends (or would upload). */
  readonly yaml: string;
  /** Its size in UTF-8 bytes, the unit of CloudFormation's limit. */
  readonly bytes: number;
  /** True when the CLI sends it inline (no bootstrap bucket needed). */
  readonly inline: boolean;
}

type MakeBodyParameter = (
  ioHelper: unknown,
  stack: unknown,
  environment: unknown,
  assetManifest: unknown,
  resources: unknown,
  overrideTemplate?: unknown,
) => Promise<{ TemplateBody?: string; TemplateURL?: string }>;

let makeBodyParameter: MakeBodyParameter | undefined;

/** The CLI's library bundle is not in the package's exports map, so it is loaded by path (once: ~1 s). */
function cliMakeBodyParameter(): MakeBodyParameter {
  if (!makeBodyParameter) {
    const cliRoot = path.dirname(require.resolve('aws-cdk/package.json'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    makeBodyParameter = (require(path.join(cliRoot, 'lib', 'index.js')) as { makeBodyParameter: MakeBodyParameter }).makeBodyParameter;
  }
  return makeBodyParameter;
}

/** Serializes `template` as `cdk deploy` does and measures what it sends. */
export async function templateBodyAsSent(template: object): Promise<TemplateBodyAsSent> {
  const directory = mkdtempSync(path.join(tmpdir(), 'cdk-body-'));
  const quiet = async () => undefined;
  const parameter = await cliMakeBodyParameter()(
    { defaults: { debug: quiet, info: quiet, warn: quiet, error: quiet } },
    { template, templateFile: 'stack.template.json', displayName: 'stack', assembly: { directory }, dependencies: [] },
    { name: 'aws://123456789012/us-east-1', account: '123456789012', region: 'us-east-1' },
    { addFileAsset: () => undefined },
    { lookupToolkit: async () => ({ found: true, bucketName: 'toolkit', bucketUrl: 'https://toolkit.s3.amazonaws.com' }) },
    template, // as an override template, a body too large to send inline is written next to the stack's file
  );
  const yaml = parameter.TemplateBody ?? readFileSync(path.join(directory, `stack.template.json-${path.basename(parameter.TemplateURL!, '.yml')}.yaml`), 'utf8');
  return { yaml, bytes: Buffer.byteLength(yaml), inline: parameter.TemplateBody !== undefined };
}
