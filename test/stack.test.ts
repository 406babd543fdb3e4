/** The cleanup stack's template: self-contained, small, least-privilege, lint-clean. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readSettings } from '../lib/context';
import { engineHash, inlinedCode, templateEngine, unpackEngine } from '../lib/engine-pack';
import { main } from '../cli/main';
import { synthDepartureStack } from './support/synth';
import { cfnLint } from './support/cfn-lint';
import { TEMPLATE_BODY_LIMIT, templateBodyAsSent } from './support/template-body';
import { checkCleanupSize, templateYamlBytes } from '../lib/template-size';
import { MANAGED_POLICY_CHARACTERS, policyCharacters, ROLE_INLINE_POLICY_CHARACTERS } from '../lib/iam-quota';
import { ConfigError } from '../lambda/engine/config';
import { ALLOW_LOOPBACK_HTTP_ENV } from '../lambda/response';
import { parseProperties } from '../lambda/properties';
import { DepartureCleanup } from '../lib/departure-cleanup';
import { Stack } from 'aws-cdk-lib';


const { stack, artifact } = synthDepartureStack();
const template = Template.fromStack(stack);
const templateFile = readFileSync(path.join(artifact.assembly.directory, artifact.templateFile), 'utf8');

/** Every variant of the cleanup stack a deployment can synthesize, by the context that makes it. */
const VARIANTS: Readonly<Record<string, Record<string, string>>> = {
  default: {},
  'archive bucket created': { createArchiveBucket: 'true', buckets: '{"mode":"copy"}' },
  'buckets keep': { buckets: '{"mode":"keep"}' },
  'buckets archive': { buckets: '{"mode":"archive","transitionDays":30}' },
  'buckets copy': { buckets: '{"mode":"copy","archiveBucket":"acme-provider-archive","copyVersions":true}' },
  'buckets delete': { buckets: '{"mode":"delete","archiveBucket":"acme-provider-archive"}' },
  'batch role': { buckets: '{"mode":"copy","archiveBucket":"acme-provider-archive","batchRoleArn":"arn:aws:iam::123456789012:role/s3-batch-copy"}' },
  // The IAM policy and the template grow with every prefix (about 2 KB each): a second no longer fits (see below).
  'another single prefix': { prefixes: 'Lumen' },
};

describe('a self-contained template', () => {
  // The reports bucket and the batch role are parameters of every variant (their policies are conditional).
  const variants = Object.entries(VARIANTS).map(([name, context]) => [name, synthDepartureStack(context).artifact.template] as const);

  test.each(variants.map(([name]) => name))(`%s: at most ${TEMPLATE_BODY_LIMIT} bytes as the YAML cdk deploy sends, and the synth-time bound holds`, async (name) => {
    const template = variants.find(([n]) => n === name)![1];
    const sent = await templateBodyAsSent(template);
    expect({ bytes: sent.bytes, inline: sent.inline }).toEqual({ bytes: expect.any(Number), inline: true });
    expect(sent.bytes).toBeLessThanOrEqual(TEMPLATE_BODY_LIMIT);
    expect(templateYamlBytes(template)).toBeGreaterThanOrEqual(sent.bytes);
  });

  test('no variant has an apostrophe: the rollout inlines it as a YAML string that then needs no escaping', () => {
    // yaml single-quotes a string with " and no ', escaping nothing; one ' would double-quote it and escape every ".
    for (const [name, template] of variants) expect({ name, apostrophes: JSON.stringify(template).split("'").length - 1 }).toEqual({ name, apostrophes: 0 });
  });

  test('every variant is cfn-lint clean', () => {
    expect(cfnLint(Object.fromEntries(variants.map(([name, template]) => [name.replace(/\W+/g, '-'), template])))).toEqual({ status: 0, findings: '' });
  });

  test("every variant keeps the function's role within IAM's policy size quotas (values at their longest)", () => {
    for (const [, template] of variants) {
      const resources = Object.values(template.Resources as Record<string, { Type: string; Properties: { PolicyDocument: unknown } }>);
      const inline = resources.filter((r) => r.Type === 'AWS::IAM::Policy').reduce((sum, r) => sum + policyCharacters(r.Properties.PolicyDocument), 0);
      expect(inline).toBeLessThanOrEqual(ROLE_INLINE_POLICY_CHARACTERS);
      for (const managed of resources.filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')) expect(policyCharacters(managed.Properties.PolicyDocument)).toBeLessThanOrEqual(MANAGED_POLICY_CHARACTERS);
    }
  });

  test('has no assets, no bootstrap version check and no role to assume', () => {
    expect(artifact.assets).toEqual([]);
    expect(artifact.requiresBootstrapStackVersion).toBeUndefined();
    expect(artifact.assumeRoleArn).toBeUndefined();
    expect(artifact.template.Parameters?.BootstrapVersion).toBeUndefined();
    expect(artifact.template.Rules).toBeUndefined();
    expect(templateFile).not.toMatch(/cdk-hnb659fds|AssetParameters|S3Key/);
  });

  test('inlines the bundled engine on nodejs24.x with native JSON logging and a retained log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Code: { ZipFile: Match.stringLikeRegexp('^// ctl-departure engine [0-9a-f]{64} ') },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
    });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
    const zip = inlinedCode(artifact.template);
    const engine = unpackEngine(zip).code;
    expect(engine).toMatch(/GetAccountAuthorizationDetails/);
    // EngineVersion names exactly the code inlined.
    template.hasResourceProperties('Custom::ProviderDeparture', { EngineVersion: engineHash(engine) });
    // The runtime's AWS SDK is used: the bundle must not carry its own copy.
    expect(engine).toMatch(/require\("@aws-sdk\/client-iam"\)/);
    expect(engine).not.toMatch(/@smithy\/smithy-client|AWS SDK for JavaScript/);
  });

  test("the deployed function cannot answer over http: the rehearsal switch is not in its environment, and Lambda's reserved variables turn it off", () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain(ALLOW_LOOPBACK_HTTP_ENV);
    // The engine ignores the switch wherever Lambda's reserved variables are set (lambda/response.ts insideLambda).
    const engine = unpackEngine(inlinedCode(artifact.template)).code;
    for (const name of [ALLOW_LOOPBACK_HTTP_ENV, 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_EXECUTION_ENV']) expect(engine).toContain(name);
  });

  test('the CLI prints the engine a template carries, for review', async () => {
    const out: string[] = [];
    const code = await main(['engine-source', path.join(artifact.assembly.directory, artifact.templateFile)], { out: (t) => out.push(t), err: () => undefined });
    expect(code).toBe(0);
    const engine = templateEngine(artifact.template);
    expect(engine.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(out.join('\n')).toBe(`// EngineVersion ${engine.hash}\n${engine.code}`);
  });
});

describe('the custom resource', () => {
  test('takes every setting from a parameter, plan by default, with a short service timeout', () => {
    template.hasResourceProperties('Custom::ProviderDeparture', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('Handler'), 'Arn'] },
      ServiceTimeout: '660',
      Mode: { Ref: 'Mode' },
      Prefixes: 'CTL',
      KeepCamProvider: { Ref: 'KeepCamProvider' },
      CamPolicyNames: { Ref: 'CamPolicyNames' },
      RemoveTagKeys: { Ref: 'RemoveTagKeys' },
      Exclude: { Ref: 'Exclude' },
      ProviderAccountIds: { Ref: 'ProviderAccountIds' },
      OidcUrlFragments: 'ctl.io,centurylink,lumen.com',
      EngineVersion: Match.stringLikeRegexp('^[0-9a-f]{64}$'),
    });
    template.hasParameter('Mode', { Type: 'String', Default: 'plan', AllowedValues: ['plan', 'apply'] });
    template.hasParameter('ProviderAccountIds', { Default: '589942003651' });
    template.hasParameter('Exclude', { Default: '' });
    for (const name of ['Mode', 'Delete', 'Preserve', 'Flag', 'Skip', 'Done', 'Failed', 'Report']) {
      template.hasOutput(`Report${name}`, { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('Run'), name] } });
    }
  });

  test('a too-broad prefix or fragment allowed on purpose reaches the handler, which accepts it; without one the property is absent', () => {
    const run = (t: Template) => Object.values(t.findResources('Custom::ProviderDeparture'))[0]!.Properties;
    expect(run(template)).not.toHaveProperty('AllowBroadPrefixes');
    expect(run(template)).not.toHaveProperty('AllowBroadOidcUrlFragments');
    const allowed = run(Template.fromStack(synthDepartureStack({ prefixes: 'CTL,Org', allowBroadPrefixes: 'Org', oidcUrlFragments: 'lumen', allowBroadOidcUrlFragments: 'lumen' }).stack));
    expect(allowed).toMatchObject({ Prefixes: 'CTL,Org', AllowBroadPrefixes: 'Org', OidcUrlFragments: 'lumen', AllowBroadOidcUrlFragments: 'lumen' });
    const { Prefixes, AllowBroadPrefixes, OidcUrlFragments, AllowBroadOidcUrlFragments } = allowed;
    expect(parseProperties({ ServiceToken: 'f', Prefixes, AllowBroadPrefixes, OidcUrlFragments, AllowBroadOidcUrlFragments }).config).toMatchObject({ prefixes: ['CTL', 'Org'], oidcUrlFragments: ['lumen'] });
    expect(() => parseProperties({ ServiceToken: 'f', Prefixes, OidcUrlFragments })).toThrow('property Prefixes: config "prefixes[1]": "Org" is too broad');
  });

  test('the construct refuses a too-broad prefix given directly, as the engine would', () => {
    expect(() => new DepartureCleanup(new Stack(), 'Departure', { prefixes: ['C'] })).toThrow(
      new ConfigError('prefixes[0]', `"C" is too broad: a prefix needs at least 3 characters and must start with a letter; if it really names only the provider's, also list it in allowBroadPrefixes`),
    );
  });

  test('context sets the parameter defaults', () => {
    const applying = Template.fromStack(synthDepartureStack({ mode: 'apply', exclude: 'CTLKeep,CTLOther', keepCamProvider: 'false' }).stack);
    applying.hasParameter('Mode', { Default: 'apply' });
    applying.hasParameter('Exclude', { Default: 'CTLKeep,CTLOther' });
    applying.hasParameter('KeepCamProvider', { Default: 'false' });
  });

  test.each([
    [{ mode: 'destroy' }, 'config "mode": must be "plan" or "apply"'],
    [{ prefixes: '' }, 'config "prefixes": must name at least one entry'],
    [{ prefixes: 'CTL*' }, 'config "prefixes[0]": "CTL*" contains a wildcard'],
    [{ keepCamProvider: 'maybe' }, 'config "keepCamProvider": must be true or false'],
    [{ stackName: '1st' }, 'config "stackName": "1st" is not a CloudFormation stack name'],
    [{ prefixes: 'CTL,Org' }, 'config "prefixes[1]": "Org" is too broad: it overlaps names AWS gives (OrganizationAccountAccessRole...)'],
    [{ prefixes: 'CTL', allowBroadPrefixes: 'Org' }, 'config "allowBroadPrefixes[0]": "Org" is not one of prefixes'],
    [{ prefixes: '[CTL' }, `config "prefixes": must be JSON such as '["CTL"]', not [CTL`],
    [{ buckets: '{"mode":"archive","mode":"delete"}' }, 'config "buckets.mode": is given twice'],
  ])('invalid context %j fails synth with one line', (context, message) => {
    const read = () => readSettings((key) => (context as Record<string, unknown>)[key]);
    expect(read).toThrow(ConfigError);
    if (message) expect(read).toThrow(message);
  });
});

describe('least privilege', () => {
  const statements = () => {
    const policies = { ...template.findResources('AWS::IAM::Policy'), ...template.findResources('AWS::IAM::ManagedPolicy') };
    return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
  };
  const sid = (name: string) => statements().find((s) => s.Sid === name)!;
  // Any partition and account: a role can only change the IAM of its own account, so the exact ARN would allow the same.
  const arn = (resource: string) => `arn:*:iam::*:${resource}`;
  const named = (kind: string, prefix = 'CTL') => [arn(`${kind}/${prefix}*`), arn(`${kind}/*/${prefix}*`)];

  test('deletes, detaches and untags only what carries a provider prefix (or, for OIDC, a provider URL)', () => {
    expect(sid('RemoveProviderRoles')).toMatchObject({ Effect: 'Allow', Resource: named('role') });
    expect(sid('RemoveProviderPolicies')).toMatchObject({ Effect: 'Allow', Resource: named('policy') });
    expect(sid('RemoveProviderUsers')).toMatchObject({ Effect: 'Allow', Resource: named('user') });
    expect(sid('RemoveProviderGroups')).toMatchObject({ Effect: 'Allow', Resource: named('group') });
    expect(sid('DeleteProviderInstanceProfiles')).toMatchObject({ Effect: 'Allow', Resource: named('instance-profile') });
    expect(sid('RemoveProviderSamlProviders')).toMatchObject({ Effect: 'Allow', Resource: arn('saml-provider/CTL*') });
    expect(sid('RemoveProviderOidcProviders').Resource).toEqual(['ctl.io', 'centurylink', 'lumen.com'].map((f) => arn(`oidc-provider/*${f}*`)));
    // A provider policy, not one under a path that merely starts like a prefix (IAM patterns match paths too).
    expect(sid('DetachProviderPoliciesFromAnyPrincipal')).toMatchObject({
      Resource: '*',
      Condition: { ArnLike: { 'iam:PolicyARN': named('policy') }, ArnNotLike: { 'iam:PolicyARN': [arn('policy/CTL*/*'), arn('policy/*/CTL*/*')] } },
    });
    // Starting S3 Batch Operations jobs, which IAM only authorizes on "*": copy jobs only, with the one role the
    // function may pass (see provider buckets below).
    expect(statements().find((s) => s.Sid === 'StartBatchCopyJobs')).toMatchObject({
      Action: 's3:CreateJob',
      Resource: '*',
      Condition: { StringEquals: { 's3:RequestJobOperation': 'S3PutObjectCopy' } },
    });
    // Only reads may name every resource without a condition.
    for (const statement of statements().filter((s) => s.Effect === 'Allow' && s.Resource === '*' && !s.Condition)) {
      expect([statement.Action].flat().filter((a: string) => !/^(iam:(Get|List)|organizations:(Describe|ListHandshakesForAccount$)|lambda:List|events:List|config:Describe|cloudtrail:Describe|s3:ListJobs$)/.test(a))).toEqual([]);
    }
    // Every deleting action is in a statement scoped to provider names, but the two that only remove memberships.
    expect(sid('LeaveGroups')).toMatchObject({ Action: 'iam:RemoveUserFromGroup', Resource: arn('group/*') });
    expect(sid('LeaveInstanceProfiles')).toMatchObject({ Action: 'iam:RemoveRoleFromInstanceProfile', Resource: arn('instance-profile/*') });
    // The stack never deletes automation: it only flags it.
    expect(statements().flatMap((s) => [s.Action].flat())).not.toEqual(expect.arrayContaining(['lambda:DeleteFunction']));
  });

  test('denies every change under a path that starts like a prefix, where name patterns would match by mistake', () => {
    // A Deny names any partition and account: it may be broader, and it needs no Fn::Sub.
    const underPaths = (kind: string) => [`arn:*:iam::*:${kind}/CTL*/*`, `arn:*:iam::*:${kind}/*/CTL*/*`];
    expect(sid('NeverChangeUnderProviderLikePaths')).toMatchObject({
      Effect: 'Deny',
      Action: ['iam:Deactivate*', 'iam:Delete*', 'iam:Untag*'],
      Resource: ['role', 'instance-profile', 'user', 'group', 'policy'].flatMap(underPaths),
    });
    expect(sid('DetachFromProviderLikePathsOnlyProviderPolicies')).toMatchObject({
      Effect: 'Deny',
      Resource: ['role', 'user', 'group'].flatMap(underPaths),
      Condition: { ArnNotLike: { 'iam:PolicyARN': ['arn:*:iam::*:policy/CTL*', 'arn:*:iam::*:policy/*/CTL*'] } },
    });
    expect(sid('NeverDetachPoliciesUnderProviderLikePaths')).toMatchObject({
      Effect: 'Deny',
      Condition: { ArnLike: { 'iam:PolicyARN': underPaths('policy') } },
    });
  });

  test('the function waits for every policy of its role, and the run for the optional ones', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    const policies = Object.keys({ ...template.findResources('AWS::IAM::Policy'), ...template.findResources('AWS::IAM::ManagedPolicy') });
    const optional = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) => p.Condition).map(([id]) => id);
    expect([...fn.DependsOn, ...optional].sort()).toEqual(policies.sort());
    const run = Object.values(template.findResources('Custom::ProviderDeparture'))[0];
    expect(run.Properties.Permissions['Fn::Join'][1].map((p: any) => p['Fn::If'][1].Ref).sort()).toEqual(optional.sort());
    // No policy the CDK would split off by size, which nothing would wait for.
    expect(Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))).toEqual([expect.stringMatching(/Guardrails/)]);
  });

  test('denies every change to protected roles and to its own role', () => {
    expect(sid('NeverTouchProtectedRoles')).toMatchObject({ Effect: 'Deny', NotAction: ['iam:Get*', 'iam:List*'] });
    expect(sid('NeverTouchProtectedRoles').Resource).toEqual(
      ['aws-service-role/*', 'aws-reserved/*', 'OrganizationAccountAccessRole', 'AWSControlTowerExecution', 'AWSCloudFormationStackSetExecutionRole', 'stacksets-exec-*', 'cdk-*'].map((r) => `arn:*:iam::*:role/${r}`),
    );
    expect(sid('NeverDeleteOwnRole')).toMatchObject({ Effect: 'Deny', Resource: { 'Fn::GetAtt': [expect.stringMatching(/Role/), 'Arn'] } });
  });

  test('other prefixes from context change the patterns', () => {
    const other = Template.fromStack(synthDepartureStack({ prefixes: 'CTL,Lumen' }).stack);
    const doc = Object.values(other.findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'RemoveProviderRoles');
    expect(doc.Resource).toEqual([arn('role/CTL*'), arn('role/Lumen*'), arn('role/*/CTL*'), arn('role/*/Lumen*')]);
  });

  test("refuses at synth, in one line, prefixes too many for IAM's policy size quota", () => {
    const many = Array.from({ length: 12 }, (_, i) => `Provider${i}`).join(',');
    expect(() => synthDepartureStack({ prefixes: many })).toThrow(/^config "prefixes": the function's .* characters, over IAM's \d+/);
  });

  test('refuses at synth, in one line, a template cdk deploy could not send inline', () => {
    const { stack, artifact: big } = synthDepartureStack({ prefixes: 'CTL,Lumen' });
    expect(() => checkCleanupSize(stack.stackName, big.template)).toThrow(/^config "prefixes": stack ProviderDeparture would be about [\d,]+ bytes as the YAML cdk deploy sends, over the 51,200 bytes/);
  });
});

describe('checks', () => {
  test('cdk-nag AwsSolutions: no unacknowledged finding, each acknowledgement with a reason', () => {
    // synthDepartureStack adds the AwsSolutions pack as bin/app.ts does; a violation would have thrown.
    const report = JSON.parse(readFileSync(path.join(artifact.assembly.directory, 'validation-report.json'), 'utf8'));
    const nag = report.pluginReports.find((r: { pluginName: string }) => r.pluginName === 'AwsSolutions');
    expect(nag).toMatchObject({ conclusion: 'success', violations: [] });
    expect(nag.suppressedViolations.length).toBeGreaterThan(0);
    for (const acknowledged of nag.suppressedViolations) expect(acknowledged.reason).toMatch(/\w+( \S+){8,}/);
  });

  test('cfn-lint passes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfn-lint-'));
    const file = path.join(dir, 'template.json');
    writeFileSync(file, templateFile);
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', file], { encoding: 'utf8' });
    expect({ status: lint.status, findings: lint.stdout.trim() }).toEqual({ status: 0, findings: '' });
  });
});

describe('provider buckets', () => {
  const s3 = (resource: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${resource}` });
  const allStatements = (t: Template) =>
    Object.values({ ...t.findResources('AWS::IAM::Policy'), ...t.findResources('AWS::IAM::ManagedPolicy') }).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>,
    );

  test('S3 permissions name the provider buckets only, and the archive bucket only under their prefixes', () => {
    const statements = allStatements(template);
    const sid = (name: string) => statements.find((s) => s.Sid === name)!;
    const buckets = ['config-bucket-${AWS::AccountId}', 'ctlaudit-${AWS::AccountId}'];
    expect(sid('ReadProviderBuckets').Resource).toEqual(buckets.map(s3));
    expect(sid('ReadProviderBuckets').Action).toEqual(expect.arrayContaining(['s3:PutBucketPolicy', 's3:DeleteBucket']));
    expect(sid('ProviderObjects').Resource).toEqual(buckets.map((b) => s3(`${b}/*`)));
    expect(sid('WriteArchive').Resource).toEqual(buckets.map((b) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::\${ArchiveBucket}/${b}/*` })));
    // Without an archive bucket the archive policy is left out, so no malformed ARN reaches IAM.
    template.hasResource('AWS::IAM::Policy', { Condition: Match.stringLikeRegexp('HasArchiveBucket') });
    const hasArchive = { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ArchiveBucket' }, ''] }] };
    expect(Object.values(template.toJSON().Conditions)).toEqual([
      hasArchive,
      // A batch copy writes its manifest into the archive bucket: no archive bucket, no batch permissions.
      { 'Fn::And': [{ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'BatchRoleArn' }, ''] }] }, { Condition: expect.stringMatching(/HasArchiveBucket/) }] },
      { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ReportBucket' }, ''] }] },
    ]);
    // The manifest's own key in the archive bucket, which the job reads.
    expect(sid('WriteBatchManifests').Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${ArchiveBucket}/ctl-departure/manifests/*' });
    // The reports bucket: this account's own report key, nothing else.
    expect(statements.find((s) => s.Sid === 'WriteOwnReport')).toMatchObject({
      Action: 's3:PutObject',
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${ReportBucket}/reports/${AWS::AccountId}.json' },
    });
    // Batch Operations may only be handed the one role the operator names, and only this account's role of that
    // name, whatever account the parameter names: the ARN is rebuilt from the name.
    const roleName = { 'Fn::Select': [1, { 'Fn::Split': [':role/', { 'Fn::Join': ['', [{ Ref: 'BatchRoleArn' }, ':role/-']] }] }] };
    expect(statements.find((s) => s.Sid === 'PassBatchRole')).toEqual({
      Sid: 'PassBatchRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: { 'Fn::Sub': ['${BatchRole}', { BatchRole: { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}', { Name: roleName }] } }] },
      Condition: { StringEquals: { 'iam:PassedToService': 'batchoperations.s3.amazonaws.com' } },
    });
    // No wildcard can name several roles.
    const pattern = new RegExp(template.toJSON().Parameters.BatchRoleArn.AllowedPattern);
    expect(['', 'arn:aws:iam::123456789012:role/s3-batch', 'arn:aws-us-gov:iam::123456789012:role/path/s3-batch'].map((v) => pattern.test(v))).toEqual([true, true, true]);
    expect(['arn:aws:iam::123456789012:role/*', 'arn:aws:iam::*:role/x', 'arn:aws:iam::123456789012:role/s3-?'].map((v) => pattern.test(v))).toEqual([false, false, false]);
  });

  test('bucket settings are parameters with defaults from context', () => {
    template.hasParameter('BucketMode', { Default: 'keep', AllowedValues: ['keep', 'archive', 'copy', 'delete'] });
    template.hasParameter('StorageClass', { Default: 'DEEP_ARCHIVE' });
    template.hasParameter('ArchiveBucket', { Default: '' });
    template.hasResourceProperties('Custom::ProviderDeparture', {
      BucketNames: 'config-bucket-{accountId},ctlaudit-{accountId}',
      BucketMode: { Ref: 'BucketMode' },
      ArchiveBucket: { Ref: 'ArchiveBucket' },
    });
    const archiving = Template.fromStack(synthDepartureStack({ buckets: '{"mode":"archive","transitionDays":30}' }).stack);
    archiving.hasParameter('BucketMode', { Default: 'archive' });
    archiving.hasParameter('TransitionDays', { Default: '30' });
  });

  test('createArchiveBucket makes a versioned, encrypted, private, SSL-only bucket that outlives the stack', () => {
    const withArchive = Template.fromStack(synthDepartureStack({ createArchiveBucket: 'true', buckets: '{"mode":"copy"}' }).stack);
    withArchive.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
    });
    withArchive.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    withArchive.hasResourceProperties('Custom::ProviderDeparture', { ArchiveBucket: { Ref: Match.stringLikeRegexp('Archive') } });
    expect(withArchive.toJSON().Parameters.ArchiveBucket).toBeUndefined();
    // The archive permissions need no condition (a condition may not reference a resource: cfn-lint E1020).
    expect(JSON.stringify(withArchive.toJSON().Conditions)).not.toMatch(/Archive[0-9A-F]{8}"/);
    expect(() => synthDepartureStack({ createArchiveBucket: 'true', buckets: '{"mode":"copy","archiveBucket":"other"}' })).toThrow(
      'config "createArchiveBucket": the stack creates the archive bucket and names it itself',
    );
  });
});
