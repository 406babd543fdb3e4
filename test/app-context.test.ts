/**
 * `cdk synth` as the CDK CLI runs the app: `node dist/bin/app.js` with the merged context in CDK_CONTEXT_JSON (the
 * CLI's own keys included, as CDK 2.1148 sends them) and `-c key=value` values as strings. Bad context is one line on
 * stderr and exit 2, never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CONTEXT_KEYS } from '../lib/context';

const APP = path.join(__dirname, '..', 'dist', 'bin', 'app.js');
/**
 * What the CDK CLI adds to every synth (recorded from `cdk synth` 2.1148.1; its `contextFromSettings`), with this
 * project's cdk.json: `"pathMetadata": false` and `"versionReporting": false` keep `aws:cdk:path` metadata and the
 * version-reporting resource out of the template (about 700 bytes of the 51,200), so the CLI sends no path-metadata
 * key and asks for no version reporting.
 */
const CDK_OWN_CONTEXT = {
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:disable-version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
  '@aws-cdk/core:failSynthOnValidationErrors': false,
  '@aws-cdk/core:newStyleStackSynthesis': true,
  'acknowledged-issue-numbers': [32775],
  'availability-zones:account=123456789012:region=us-east-1': ['us-east-1a'],
};

function synth(context: Record<string, unknown>, cdkJson?: string) {
  if (!existsSync(APP)) throw new Error(`${APP} is missing: run npx tsc -p tsconfig.json first (npm test does)`);
  const outdir = mkdtempSync(path.join(tmpdir(), 'ctl-synth-'));
  // The CDK CLI runs the app in the project folder, next to the cdk.json it read.
  const project = mkdtempSync(path.join(tmpdir(), 'ctl-project-'));
  if (cdkJson !== undefined) writeFileSync(path.join(project, 'cdk.json'), cdkJson);
  const run = spawnSync(process.execPath, [APP], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_OWN_CONTEXT, ...context }), CDK_OUTDIR: outdir },
  });
  return { status: run.status, stderr: run.stderr, templates: readdirSync(outdir).filter((f) => f.endsWith('.template.json')) };
}

test('the default context, with the CDK CLI\'s own keys, synthesizes the stack', () => {
  expect(synth({ mode: 'plan', prefixes: ['CTL'] })).toEqual({ status: 0, stderr: '', templates: ['ProviderDeparture.template.json'] });
});

const ROLLOUT = '{"organizationalUnitIds":["ou-abcd-12345678"]}';
test.each([
  [{ prefixes: '[CTL' }, `context "prefixes": must be JSON such as '["CTL"]', not [CTL`],
  [{ rollout: '{bad' }, `context "rollout": must be JSON such as '${ROLLOUT}', not {bad`],
  [{ rollout: '{"organizationalUnitIds":["ou-abcd-12345678"],"region":"us-east-1","region":"eu-west-1"}' }, 'context "rollout.region": is given twice: JSON would keep only the last; write it once'],
  [{ rollout: '{"permissionModel":"SELF_MANAGED","accountIds":["111122223333"],"executionRoleName":"*"}' }, 'context "rollout.executionRoleName": "*" is not an IAM role name (1 to 64 letters, digits and +=,.@_-)'],
  [{ buckets: '{"mode":"archive","mode":"delete"}' }, 'context "buckets.mode": is given twice: JSON would keep only the last; write it once'],
  [{ buckets: '{"names":["logs-{accountId}-{accountId}"]}' }, 'context "buckets.names[0]": "logs-{accountId}-{accountId}" names {accountId} twice: write it once'],
  [{ prefix: 'CTL' }, `context "prefix": unknown context key (did you mean "prefixes"?); the app's keys are ${CONTEXT_KEYS.join(', ')}`],
  [{ prefix: '' }, `context "prefix": unknown context key (did you mean "prefixes"?); the app's keys are ${CONTEXT_KEYS.join(', ')}`],
  [{ deleteTrustingRoles: 'true' }, `context "deleteTrustingRoles": unknown context key; the app's keys are ${CONTEXT_KEYS.join(', ')}`],
  [{ hasOwnProperty: 'x' }, `context "hasOwnProperty": unknown context key; the app's keys are ${CONTEXT_KEYS.join(', ')}`],
  [{ prefixes: 'C' }, `context "prefixes[0]": "C" is too broad: a prefix needs at least 3 characters and must start with a letter; if it really names only the provider's, also list it in allowBroadPrefixes`],
  [{ prefixes: 'CTL,AWS' }, `context "prefixes[1]": "AWS" is too broad: it overlaps names AWS gives (AWS...); if it really names only the provider's, also list it in allowBroadPrefixes`],
  [{ oidcUrlFragments: 'ctl.io,com' }, 'context "oidcUrlFragments[1]": "com" is too broad: a fragment needs 6 characters and a dot'],
  [{ oidcUrlFragments: '***' }, 'context "oidcUrlFragments[0]": "***" is not a host or host/path'],
])('context %j: one line, exit 2', (context, message) => {
  const result = synth(context);
  expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`ctl-departure: ${message}`)]);
  expect(result.stderr).toMatch(/^ctl-departure: context "/);
  expect(result).toMatchObject({ status: 2, templates: [] });
});

test('a key given twice in cdk.json (which the CDK CLI would read as the last one) is one line, exit 2', () => {
  const cdkJson = '{\n  "app": "node dist/bin/app.js",\n  "context": {\n    "prefixes": ["CTL"],\n    "exclude": [],\n    "prefixes": ["C"]\n  }\n}';
  const result = synth({ prefixes: ['C'] }, cdkJson);
  expect(result).toEqual({ status: 2, stderr: 'ctl-departure: context "prefixes": is given twice in cdk.json: JSON would keep only the last; write it once\n', templates: [] });
  // The project's own cdk.json has each key once.
  expect(synth({}, readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')).status).toBe(0);
});

test('cdk.json keeps path metadata and version reporting out of the template the CDK CLI sends', () => {
  // Without these the CLI adds aws:cdk:path metadata to every resource, and the default stack no longer fits 51,200 bytes.
  const settings = JSON.parse(readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'));
  expect({ pathMetadata: settings.pathMetadata, versionReporting: settings.versionReporting }).toEqual({ pathMetadata: false, versionReporting: false });
});
