/** The template resolver and evaluator of test/support/iam-sim.ts, on small hand-written templates. */
import { rolePolicies, simulate, type Template } from './support/iam-sim';

const ROLE = 'Role1';
const statement = (resource: unknown, extra: object = {}) => ({ Effect: 'Allow', Action: 's3:PutObject', Resource: resource, ...extra });
const template = (statements: unknown[], options: { path?: unknown; condition?: string; conditions?: Record<string, unknown> } = {}): Template => ({
  Parameters: { Archive: { Default: '' }, Mode: { Default: 'plan' } },
  Conditions: { HasArchive: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Archive' }, ''] }] }, ...options.conditions },
  Resources: {
    [ROLE]: { Type: 'AWS::IAM::Role', Properties: options.path === undefined ? {} : { Path: options.path } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': [ROLE, 'Arn'] } } },
    Bucket: { Type: 'AWS::S3::Bucket' },
    Policy: {
      Type: 'AWS::IAM::Policy',
      ...(options.condition ? { Condition: options.condition } : {}),
      Properties: { PolicyName: 'p', Roles: [{ Ref: ROLE }], PolicyDocument: { Version: '2012-10-17', Statement: statements } },
    },
  },
});
const deployment = { accountId: '111111111111', roleName: 'Stack-Role-ABC', parameters: { Archive: 'archive-bucket' } };
const resources = (t: Template, d: object = deployment) => rolePolicies(t, { ...deployment, ...d }).policies.flatMap((p) => p.policy.Statement.map((s) => s.Resource));

test('Fn::Sub with and without a variable map, Ref to parameters and pseudo parameters, GetAtt of the role', () => {
  const t = template([
    statement({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::config-bucket-${AWS::AccountId}/*' }),
    statement({ 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${A}/${!Literal}/*', { A: { Ref: 'Archive' } }] }),
    statement({ 'Fn::GetAtt': [ROLE, 'Arn'] }),
    statement({ 'Fn::Sub': 'arn:aws:s3:::${Bucket}' }),
  ]);
  expect(resources(t, { physicalIds: { Bucket: 'own-bucket' } })).toEqual([
    'arn:aws:s3:::config-bucket-111111111111/*',
    'arn:aws:s3:::archive-bucket/${Literal}/*',
    'arn:aws:iam::111111111111:role/Stack-Role-ABC',
    'arn:aws:s3:::own-bucket',
  ]);
});

test("the role's ARN carries the template's Path", () => {
  const t = template([statement({ 'Fn::GetAtt': [ROLE, 'Arn'] })], { path: '/ctl-departure/' });
  expect(rolePolicies(t, deployment).arn).toBe('arn:aws:iam::111111111111:role/ctl-departure/Stack-Role-ABC');
  expect(resources(t)).toEqual(['arn:aws:iam::111111111111:role/ctl-departure/Stack-Role-ABC']);
});

test('a policy whose Condition is false is absent; Fn::If and AWS::NoValue follow the conditions', () => {
  const t = template([statement({ 'Fn::If': ['HasArchive', 'arn:aws:s3:::a/*', { Ref: 'AWS::NoValue' }] }, { Sid: { 'Fn::If': ['HasArchive', 'Yes', 'No'] } })], { condition: 'HasArchive' });
  expect(resources(t)).toEqual(['arn:aws:s3:::a/*']);
  expect(resources(t, { parameters: { Archive: '' } })).toEqual([]);
});

test('what it cannot resolve throws, never guesses', () => {
  expect(() => resources(template([statement({ 'Fn::ImportValue': 'x' })]))).toThrow(/cannot resolve Fn::ImportValue/);
  expect(() => resources(template([statement({ Ref: 'Nope' })]))).toThrow(/cannot resolve Ref Nope/);
  expect(() => resources(template([statement({ 'Fn::GetAtt': ['Bucket', 'DomainName'] })]))).toThrow(/Fn::GetAtt Bucket.DomainName/);
  expect(() => resources(template([statement({ 'Fn::Sub': '${Bucket}' })]))).toThrow(/physical id of Bucket/);
  expect(() => resources(template([statement('*')], { condition: 'Missing' }))).toThrow(/condition Missing/);
});

test('simulate: allowed, explicitly and implicitly denied, each with the deciding statement; malformed requests throw', async () => {
  const role = rolePolicies(
    template([
      { Sid: 'Write', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::a/*' },
      { Sid: 'NotSecret', Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::a/secret/*' },
    ]),
    deployment,
  );
  expect(await simulate(role, { action: 's3:PutObject', resource: 'arn:aws:s3:::a/x' })).toEqual({ allowed: true, result: 'Allowed', explanation: 'allowed by Write in Policy' });
  expect(await simulate(role, { action: 's3:PutObject', resource: 'arn:aws:s3:::a/secret/x' })).toMatchObject({ allowed: false, result: 'ExplicitlyDenied', explanation: 'explicitly denied by NotSecret in Policy' });
  expect(await simulate(role, { action: 's3:PutObject', resource: 'arn:aws:s3:::b/x' })).toMatchObject({ allowed: false, result: 'ImplicitlyDenied' });
  await expect(simulate(role, { action: 's3:NoSuchAction', resource: 'arn:aws:s3:::a/x' })).rejects.toThrow(/iam-simulate refused/);
});
