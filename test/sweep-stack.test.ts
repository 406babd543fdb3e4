/**
 * The sweep stack (lib/sweep-stack.ts): its resources and parameters, a role with removal statements only when built
 * with them (scoped to each service's resources), cdk-nag clean (synth fails on a finding), cfn-lint clean, under
 * CloudFormation's inline limit as the CDK CLI sends it, and a cleanup bundle that carries none of the sweep.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { bundleHandler } from '../lib/handler-bundle';
import { readSweep } from '../lib/sweep-stack';
import { parseSweepProperties } from '../lambda/sweep-properties';
import { cfnLint } from './support/cfn-lint';
import { synthSweepStack } from './support/synth';
import { TEMPLATE_BODY_LIMIT, templateBodyAsSent } from './support/template-body';

jest.setTimeout(120_000);

const READ = synthSweepStack('true');
const REMOVE = synthSweepStack('{"remove":true}');
const actionsOf = (template: object) =>
  Object.values((template as { Resources: Record<string, { Type: string; Properties: { PolicyDocument?: { Statement: { Action: string | string[] }[] } } }> }).Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => r.Properties.PolicyDocument!.Statement.flatMap((s) => [s.Action].flat()));
const CHANGES = /^(kms:PutKeyPolicy|s3:(Put|Delete)BucketPolicy|sns:SetTopicAttributes|sqs:SetQueueAttributes|lambda:Remove|secretsmanager:(Put|Delete)ResourcePolicy|ecr:(Set|Delete)RepositoryPolicy|events:RemovePermission|ec2:Modify|ram:Disassociate)/;

test('the stack is named after the cleanup stack and holds one function, its role, log group and custom resource', () => {
  expect(READ.stack.stackName).toBe('ProviderDepartureSweep');
  const template = Template.fromJSON(READ.artifact.template);
  template.resourceCountIs('AWS::Lambda::Function', 1);
  template.resourceCountIs('Custom::ProviderDepartureSweep', 1);
  template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  template.hasParameter('ProviderOrganizationIds', { AllowedPattern: '^$|^o-[a-z0-9]{10,32}(,o-[a-z0-9]{10,32})*$' });
  template.hasParameter('Mode', { AllowedValues: ['plan', 'apply'], Default: 'plan' });
  template.hasParameter('Remove', { Default: 'false' });
  template.hasResourceProperties('Custom::ProviderDepartureSweep', { RemoveServices: '', Regions: { Ref: 'Regions' } });
  // No asset, no bootstrap: the code is inline.
  expect(JSON.stringify(READ.artifact.template)).not.toMatch(/BootstrapVersion|AssetParameters/);
});

test('built to read, the role has no change at all; built to remove, the changes of every service, scoped to its resources', () => {
  expect(actionsOf(READ.artifact.template).filter((a) => CHANGES.test(a))).toEqual([]);
  expect(actionsOf(READ.artifact.template).filter((a) => /^iam:(Delete|Detach|Untag|Put|Create|Remove)/.test(a))).toEqual([]);
  const changes = actionsOf(REMOVE.artifact.template).filter((a) => CHANGES.test(a));
  expect(changes).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'sns:SetTopicAttributes', 'ram:DisassociateResourceShare', 'ec2:ModifyImageAttribute']));
  Template.fromJSON(REMOVE.artifact.template).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'SweepRewriteKeyPolicies', Action: 'kms:PutKeyPolicy', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*' } })]) },
  });
  Template.fromJSON(REMOVE.artifact.template).hasParameter('Remove', { Default: 'true' });
  const kmsOnly = synthSweepStack('{"remove":{"kms":true}}');
  expect(actionsOf(kmsOnly.artifact.template).filter((a) => CHANGES.test(a))).toEqual(['kms:PutKeyPolicy']);
});

test('bad sweep context is one line naming it', () => {
  expect(() => readSweep('{"remove":1}')).toThrow(/"sweep\.remove": must be true, false/);
  expect(() => readSweep('yes')).toThrow(/"sweep": must be true or JSON such as \{"remove":true\}/);
});

test('cfn-lint finds nothing, and both variants fit inline as the CLI sends them', async () => {
  expect(cfnLint({ read: READ.artifact.template, remove: REMOVE.artifact.template })).toEqual({ status: 0, findings: '' });
  for (const { artifact } of [READ, REMOVE]) expect((await templateBodyAsSent(artifact.template)).bytes).toBeLessThanOrEqual(TEMPLATE_BODY_LIMIT - 5_000);
});

test('the cleanup bundle carries none of the sweep; the sweep bundle none of buckets and readiness', () => {
  const cleanup = bundleHandler('cleanup').plain;
  const sweep = bundleHandler('sweep').plain;
  for (const marker of ['PutKeyPolicy', 'RemoveServices', 'SetTopicAttributes']) expect([marker, cleanup.includes(marker)]).toEqual([marker, false]);
  for (const marker of ['PutKeyPolicy', 'RemoveServices', 'SetTopicAttributes']) expect([marker, sweep.includes(marker)]).toEqual([marker, true]);
  for (const marker of ['GetAccountSummary', 'HeadBucket']) expect([marker, sweep.includes(marker)]).toEqual([marker, false]);
});

describe('sweep properties', () => {
  const base = { Mode: 'apply', Prefixes: 'CTL', ProviderAccountIds: '589942003651', Remove: 'true', RemoveServices: 'kms,sns' };
  test('removal of the services the stack was built with', () => {
    const parsed = parseSweepProperties(base);
    expect(parsed.mode).toBe('apply');
    expect(parsed.config.resourcePolicies?.remove).toMatchObject({ kms: true, sns: true, sqs: false });
    expect(parsed.note).toBeUndefined();
  });
  test('removal asked of a stack built without it: a plan, saying why', () => {
    const parsed = parseSweepProperties({ ...base, RemoveServices: '' });
    expect(parsed.mode).toBe('plan');
    expect(parsed.note).toMatch(/^Remove=true, but this stack was synthesized without the removal permissions, so only a plan ran/);
    expect(parsed.config.resourcePolicies?.remove.kms).toBe(false);
  });
  test('bad values are one line naming the property', () => {
    expect(() => parseSweepProperties({ ...base, Regions: 'eu-west-1,Mars' })).toThrow('property Regions: "Mars" is not a region name such as eu-west-1');
    expect(() => parseSweepProperties({ ...base, ProviderOrganizationIds: 'o-x' })).toThrow(/^property ProviderOrganizationIds: .*"o-x" is not an organization id/);
    expect(() => parseSweepProperties({ ...base, BucketMode: 'delete' })).toThrow(/^property BucketMode: unknown property/);
    expect(() => parseSweepProperties({ ...base, Remove: 'yes' })).toThrow('property Remove: must be "true" or "false"');
  });
});
