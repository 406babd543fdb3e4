/**
 * Benchmark: how close each cleanup-stack variant is to CloudFormation's 51,200-byte limit on a template sent inline,
 * measured as the YAML the CDK CLI itself sends (test/support/template-body.ts), and how big the inline engine is.
 * Prints figures; the limits themselves are enforced by the tests and at synth.
 *
 *   npm run bench:template
 */
import { bundleHandler } from '../lib/handler-bundle';
import { synthDepartureStack, synthSweepStack } from '../test/support/synth';
import { TEMPLATE_BODY_LIMIT, templateBodyAsSent } from '../test/support/template-body';

const VARIANTS: Readonly<Record<string, Record<string, string>>> = {
  default: {},
  'archive bucket created': { createArchiveBucket: 'true', buckets: '{"mode":"copy"}' },
  'buckets delete': { buckets: '{"mode":"delete","archiveBucket":"acme-provider-archive"}' },
  'batch role': { buckets: '{"mode":"copy","archiveBucket":"acme-provider-archive","batchRoleArn":"arn:aws:iam::123456789012:role/s3-batch-copy"}' },
  'another single prefix': { prefixes: 'Lumen' },
};

/** The sweep stack (`-c sweep=...`): reading only, and with every service's removal. */
const SWEEP_VARIANTS: Readonly<Record<string, unknown>> = { 'sweep (read, flag)': 'true', 'sweep (remove)': '{"remove":true}' };

async function main(): Promise<void> {
  const engine = bundleHandler();
  console.log(`engine: ${engine.plain.length} bytes minified, ${engine.code.length} bytes packed in the template`);
  for (const [name, context] of Object.entries(VARIANTS)) {
    const { artifact } = synthDepartureStack(context);
    const sent = await templateBodyAsSent(artifact.template);
    const headroom = TEMPLATE_BODY_LIMIT - sent.bytes;
    console.log(`${name.padEnd(24)} ${String(sent.bytes).padStart(6)} bytes as sent, ${headroom >= 0 ? `${headroom} to spare` : `${-headroom} OVER`}`);
  }
  const sweep = bundleHandler('sweep');
  console.log(`sweep engine: ${sweep.plain.length} bytes minified, ${sweep.code.length} bytes packed in the template`);
  for (const [name, value] of Object.entries(SWEEP_VARIANTS)) {
    const { artifact } = synthSweepStack(value);
    const sent = await templateBodyAsSent(artifact.template);
    console.log(`${name.padEnd(24)} ${String(sent.bytes).padStart(6)} bytes as sent, ${TEMPLATE_BODY_LIMIT - sent.bytes} to spare`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
