/** The sweep's decisions and steps are pure: what grants the provider, what is removed and how, what is only flagged. */
import { resolveConfig } from '../lambda/engine/config';
import { SWEEP_CONFIG_CHECKS } from '../lambda/engine/sweep-config';
import type { PolicyHolder, ResourcePolicies } from '../lambda/engine/inventory';
import type { Action, ResourceType } from '../lambda/engine/model';
import { plan } from '../lambda/engine/plan';
import { rewritePolicy } from '../lambda/engine/policy-rewrite';
import { openStatements, sweepGrantees } from '../lambda/resources/resource-policy';
import { RESOURCE_KINDS } from '../lambda/resources';
import { createSweep } from '../lambda/resources/sweep';
import { defaultTopicPolicy } from '../lambda/resources/sns-topic-policy';
import { ACCOUNT, inventory, PROVIDER, role } from './support/inventory-builder';

const PARTNER = '444455556666';
const ORG = 'o-ctlprovider1';
const KINDS = [...RESOURCE_KINDS, ...createSweep().kinds];
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (Sid: string, Principal: unknown, extra: object = {}) => ({ Sid, Effect: 'Allow', Principal, Action: '*', Resource: '*', ...extra });

function holder(type: ResourceType, policy: string, more: Partial<PolicyHolder> = {}): PolicyHolder {
  return { type, region: 'eu-west-1', name: `${type}-1`, arn: `arn:aws:x:eu-west-1:${ACCOUNT}:${type}-1`, policy, ...more };
}

function planSweep(items: PolicyHolder[], config: object = {}, parts: Parameters<typeof inventory>[0] = {}): Action[] {
  const resourcePolicies: ResourcePolicies = { regions: ['eu-west-1'], items, findings: [] };
  return plan({ ...inventory(parts), resourcePolicies }, resolveConfig({ providerOrganizationIds: [ORG], ...config }, SWEEP_CONFIG_CHECKS), KINDS).filter((a) => items.some((i) => i.type === a.resource));
}

const steps = (action: Action) => action.steps.map((s) => ({ region: s.region, call: `${s.service}:${s.call}`, input: s.input }));

describe('the shared rewrite', () => {
  const grantees = sweepGrantees([PROVIDER], [ORG]);

  test('a shared statement keeps the others; a statement of the provider alone goes; Deny is never touched', () => {
    const shared = allow('Shared', { AWS: [`arn:aws:iam::${PROVIDER}:role/CTLOps`, `arn:aws:iam::${PARTNER}:root`] });
    const only = allow('Only', { AWS: PROVIDER });
    const deny = { ...only, Sid: 'Deny', Effect: 'Deny' };
    const rewrite = rewritePolicy(doc(shared, only, deny), grantees);
    expect(rewrite.removed).toEqual([`arn:aws:iam::${PROVIDER}:role/CTLOps from statement Shared`, `statement Only for ${PROVIDER}`]);
    expect(JSON.parse(rewrite.policy!).Statement).toEqual([{ ...shared, Principal: { AWS: `arn:aws:iam::${PARTNER}:root` } }, deny]);
    expect(rewrite.changes).toEqual([{ sid: 'Shared', drop: false }, { sid: 'Only', drop: true }]);
  });

  test("an organization condition: the provider's organization goes from the values; alone, the statement goes", () => {
    const both = allow('Both', '*', { Condition: { StringEquals: { 'aws:PrincipalOrgID': [ORG, 'o-customer123'] } } });
    const paths = allow('Paths', { AWS: '*' }, { Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${ORG}/r-ab12/ou-ab12-11111111/*`] } } });
    const rewrite = rewritePolicy(doc(both, paths), grantees);
    expect(rewrite.removed).toEqual([`aws:PrincipalOrgID ${ORG} from statement Both`, `statement Paths for aws:PrincipalOrgPaths ${ORG}/r-ab12/ou-ab12-11111111/*`]);
    expect(JSON.parse(rewrite.policy!).Statement).toEqual([{ ...both, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-customer123' } } }]);
    // A negated test of the provider's organization only narrows access: it stays.
    const notOrg = allow('NotOrg', '*', { Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG } } });
    expect(rewritePolicy(doc(notOrg), grantees)).toEqual({ removed: [], changes: [], deliveries: [] });
  });

  test('a service acting for a provider account (aws:SourceAccount) is the provider\'s grant', () => {
    const viaService = allow('Events', { Service: 'events.amazonaws.com' }, { Condition: { StringEquals: { 'aws:SourceAccount': PROVIDER } } });
    expect(rewritePolicy(doc(viaService), grantees)).toMatchObject({ removed: [`statement Events for aws:SourceAccount ${PROVIDER}`], policy: null });
  });

  test('unique ids: of a principal this run deletes, and of one already deleted, go', () => {
    const ids = allow('Ids', { AWS: ['AROAEXAMPLEPROVIDER1', 'AIDAALREADYGONE12345', `arn:aws:iam::${PARTNER}:root`] });
    const rewrite = rewritePolicy(doc(ids), sweepGrantees([PROVIDER], [ORG], ['AROAEXAMPLEPROVIDER1']));
    expect(rewrite.removed).toEqual(['AROAEXAMPLEPROVIDER1, AIDAALREADYGONE12345 from statement Ids']);
    expect(JSON.parse(rewrite.policy!).Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::${PARTNER}:root` });
  });

  test('public ("*" without a condition) and Allow with NotPrincipal are reported, never changed', () => {
    const open = allow('Open', '*');
    const notPrincipal = { Sid: 'AllBut', Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${PARTNER}:root` }, Action: 's3:GetObject', Resource: '*' };
    const conditioned = allow('Conditioned', '*', { Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } });
    expect(rewritePolicy(doc(open, notPrincipal, conditioned), grantees)).toEqual({ removed: [], changes: [], deliveries: [] });
    expect(openStatements(doc(open, notPrincipal, conditioned))).toEqual(['statement Open allows everyone ("*", no condition)', 'statement AllBut allows everyone but its NotPrincipal']);
  });
});

describe('the sweep plans', () => {
  const providerKey = doc(allow('Root', { AWS: `arn:aws:iam::${ACCOUNT}:root` }), allow('Provider', { AWS: `arn:aws:iam::${PROVIDER}:root` }));

  test('flag by default, saying what grants the provider and how to remove it', () => {
    const [key] = planSweep([holder('kms:key-policy', providerKey)]);
    expect(key).toMatchObject({ action: 'flag', region: 'eu-west-1', steps: [], reason: `grants the provider: statement Provider for arn:aws:iam::${PROVIDER}:root; set resourcePolicies.remove (or .kms) to remove it` });
  });

  test('with removal: the exact call, in the resource\'s region, with the rewritten policy', () => {
    const [key] = planSweep([holder('kms:key-policy', providerKey)], { resourcePolicies: { remove: true } });
    expect(key!.action).toBe('delete');
    expect(steps(key!)).toEqual([
      { region: 'eu-west-1', call: 'kms:PutKeyPolicy', input: { KeyId: key!.arn, PolicyName: 'default', Policy: doc(allow('Root', { AWS: `arn:aws:iam::${ACCOUNT}:root` })) } },
    ]);
  });

  test('a key policy that would be left empty is flagged: a KMS key always has a policy', () => {
    const [key] = planSweep([holder('kms:key-policy', doc(allow('Provider', { AWS: PROVIDER })))], { resourcePolicies: { remove: true } });
    expect(key).toMatchObject({ action: 'flag', steps: [], reason: expect.stringMatching(/not removed: no statement would be left, and a KMS key always has a policy/) });
  });

  test('SNS left empty gets its default policy back; SQS gets an empty Policy; secrets and repositories delete theirs', () => {
    const only = doc(allow('Provider', { AWS: PROVIDER }));
    const topicArn = `arn:aws:sns:eu-west-1:${ACCOUNT}:alerts`;
    const actions = planSweep(
      [
        holder('sns:topic-policy', only, { arn: topicArn, name: 'alerts' }),
        holder('sqs:queue-policy', only, { ref: { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs' } }),
        holder('secretsmanager:secret-policy', only),
        holder('ecr:repository-policy', only, { name: 'images' }),
      ],
      { resourcePolicies: { remove: true } },
    );
    expect(actions.flatMap(steps)).toEqual([
      { region: 'eu-west-1', call: 'sns:SetTopicAttributes', input: { TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: defaultTopicPolicy(topicArn) } },
      { region: 'eu-west-1', call: 'sqs:SetQueueAttributes', input: { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs', Attributes: { Policy: '' } } },
      { region: 'eu-west-1', call: 'secretsmanager:DeleteResourcePolicy', input: { SecretId: actions[2]!.arn } },
      { region: 'eu-west-1', call: 'ecr:DeleteRepositoryPolicy', input: { repositoryName: 'images', registryId: ACCOUNT } },
    ]);
  });

  test('Lambda and EventBridge remove whole statements by Sid; a statement shared with others is flagged', () => {
    const fn = holder('lambda:function-policy', doc(allow('ProviderInvoke', { AWS: `arn:aws:iam::${PROVIDER}:root` }), allow('Partner', { AWS: `arn:aws:iam::${PARTNER}:root` })));
    const bus = holder('events:bus-policy', doc(allow('Both', { AWS: [PROVIDER, PARTNER] })), { name: 'default' });
    const [fnAction, busAction] = planSweep([fn, bus], { resourcePolicies: { remove: true } });
    expect(steps(fnAction!)).toEqual([{ region: 'eu-west-1', call: 'lambda:RemovePermission', input: { FunctionName: fn.arn, StatementId: 'ProviderInvoke' } }]);
    expect(busAction).toMatchObject({ action: 'flag', steps: [], reason: expect.stringMatching(/not removed: statement Both also lets in others, and this service removes whole statements only/) });
  });

  test('shares: only the provider\'s principals are removed; a public one is flagged and never changed', () => {
    const snapshot = holder('ec2:snapshot-share', '', { policy: undefined, name: 'snap-1', sharedWith: [PROVIDER, PARTNER] });
    const publicSnapshot = holder('ec2:snapshot-share', '', { policy: undefined, name: 'snap-2', arn: 'arn:aws:ec2:eu-west-1::snapshot/snap-2', sharedWith: ['all'] });
    const image = holder('ec2:image-share', '', { policy: undefined, name: 'ami-1', sharedWith: [PARTNER, `arn:aws:organizations::111122223333:ou/${ORG}/ou-ab12-22222222`] });
    const share = holder('ram:resource-share', '', { policy: undefined, sharedWith: [`arn:aws:iam::${PROVIDER}:role/CTLNetwork`, `arn:aws:organizations::111122223333:organization/${ORG}`, PARTNER] });
    const actions = planSweep([snapshot, publicSnapshot, image, share], { resourcePolicies: { remove: true } });
    expect(actions.map((a) => a.action)).toEqual(['delete', 'flag', 'delete', 'delete']);
    expect(actions[1]!.reason).toBe('open to anyone, never changed here: public (createVolumePermission group all)');
    expect(actions.flatMap(steps).map((s) => [s.call, s.input])).toEqual([
      ['ec2:ModifySnapshotAttribute', { SnapshotId: 'snap-1', Attribute: 'createVolumePermission', OperationType: 'remove', UserIds: [PROVIDER] }],
      ['ec2:ModifyImageAttribute', { ImageId: 'ami-1', Attribute: 'launchPermission', LaunchPermission: { Remove: [{ OrganizationalUnitArn: `arn:aws:organizations::111122223333:ou/${ORG}/ou-ab12-22222222` }] } }],
      ['ram:DisassociateResourceShare', { resourceShareArn: share.arn, principals: [`arn:aws:iam::${PROVIDER}:role/CTLNetwork`, `arn:aws:organizations::111122223333:organization/${ORG}`] }],
    ]);
  });

  test('a principal this run deletes counts by its unique id too; one the run keeps does not', () => {
    const deleted = role('CTLBackup', { id: 'AROADELETEDBYTHISRUN' });
    const kept = role('CustomerApp', { id: 'AROAKEPTBYCUSTOMER01' });
    const key = holder('kms:key-policy', doc(allow('Root', { AWS: `arn:aws:iam::${ACCOUNT}:root` }), allow('Ids', { AWS: ['AROADELETEDBYTHISRUN', kept.arn] })));
    const [action] = planSweep([key], { resourcePolicies: { remove: true } }, { roles: [deleted, kept] });
    expect(action!.reason).toMatch(/^grants the provider: AROADELETEDBYTHISRUN from statement Ids/);
    expect(JSON.parse(action!.steps[0]!.input.Policy as string).Statement[1].Principal).toEqual({ AWS: kept.arn });
  });

  test('a federation provider this run deletes, as a Federated principal, is the provider\'s; one it keeps is not', () => {
    const saml = (name: string) => ({ name, arn: `arn:aws:iam::${ACCOUNT}:saml-provider/${name}` });
    const statement = allow('Federated', { Federated: [saml('CTLFederation').arn, saml('CustomerIdP').arn] });
    const [action] = planSweep([holder('secretsmanager:secret-policy', doc(statement))], {}, { samlProviders: [saml('CTLFederation'), saml('CustomerIdP')] });
    expect(action!.reason).toMatch(`grants the provider: ${saml('CTLFederation').arn} from statement Federated`);
  });

  test('unreadable items are flagged with their error; excluded ones skipped; ones without a provider grant skipped', () => {
    const actions = planSweep([
      { type: 'sqs:queue-policy', region: 'ap-south-1', name: 'sqs in ap-south-1', arn: '', error: 'AccessDeniedException: denied' },
      holder('sns:topic-policy', doc(allow('Provider', { AWS: PROVIDER })), { name: 'keep-me' }),
      holder('sns:topic-policy', doc(allow('Partner', { AWS: PARTNER })), { name: 'partner-topic', arn: 'arn:aws:sns:eu-west-1:123456789012:partner-topic' }),
    ], { exclude: ['keep-me'] });
    expect(actions.map((a) => [a.name, a.action, a.reason]).sort()).toEqual([
      ['keep-me', 'skip', 'excluded by config'],
      ['partner-topic', 'skip', 'not a provider grant'],
      ['sqs in ap-south-1', 'flag', 'could not be read, not reviewed: AccessDeniedException: denied'],
    ]);
  });
});
