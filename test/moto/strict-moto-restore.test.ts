/**
 * The AWS rules strict_moto.py restores for `ctl-departure restore` (section "Restoring what a departure deleted"):
 * each test fails on moto 5.2.1 alone, which accepts the call, drops the data or answers HTTP 500.
 */
import {
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  CreateUserCommand,
  DeleteSAMLProviderCommand,
  DeleteUserPermissionsBoundaryCommand,
  GetAccountAuthorizationDetailsCommand,
  GetSAMLProviderCommand,
  GetUserCommand,
  IAMClient,
  ListSAMLProviderTagsCommand,
  ListUsersCommand,
  PutUserPermissionsBoundaryCommand,
  TagSAMLProviderCommand,
  UntagSAMLProviderCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { startMoto, type MotoServer } from '../support/moto';

const ACCOUNT = '123456789012';
const METADATA = `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com">${' '.repeat(1000)}</md:EntityDescriptor>`;
const trusting = (arn: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: arn }, Action: 'sts:AssumeRole' }] });

let moto: MotoServer;
let iam: IAMClient;
beforeAll(async () => {
  moto = await startMoto();
  iam = new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});
afterAll(async () => moto.stop());
beforeEach(async () => moto.reset());

describe('(u1) a trust policy may name a role or user of the account only while it exists', () => {
  test('CreateRole naming a role or user that does not exist: MalformedPolicyDocument, Invalid principal in policy', async () => {
    for (const arn of [`arn:aws:iam::${ACCOUNT}:role/Gone`, `arn:aws:iam::${ACCOUNT}:user/ops/gone`]) {
      await expect(iam.send(new CreateRoleCommand({ RoleName: 'Trusting', AssumeRolePolicyDocument: trusting(arn) }))).rejects.toMatchObject({
        name: 'MalformedPolicyDocumentException',
        message: `Invalid principal in policy: "AWS":"${arn}"`,
      });
    }
  });

  test('once it exists (at that path) the same call succeeds; another account, the account root and services are not checked', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Trusted', Path: '/ops/', AssumeRolePolicyDocument: trusting('arn:aws:iam::589942003651:root') }));
    await expect(iam.send(new CreateRoleCommand({ RoleName: 'Wrong', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:role/Trusted`) }))).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    await iam.send(new CreateRoleCommand({ RoleName: 'Trusting', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:role/ops/Trusted`) }));
    await iam.send(new CreateRoleCommand({ RoleName: 'Other', AssumeRolePolicyDocument: trusting('arn:aws:iam::210987654321:role/Anything') }));
    await iam.send(new CreateRoleCommand({ RoleName: 'Root', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:root`) }));
  });

  test('UpdateAssumeRolePolicy too', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Trusting', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:root`) }));
    await expect(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Trusting', PolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:user/gone`) }))).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
  });
});

describe('(u2) user permissions boundaries', () => {
  const boundary = `arn:aws:iam::${ACCOUNT}:policy/Boundary`;

  test('CreateUser sets one; GetUser and GetAccountAuthorizationDetails answer it, ListUsers does not', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'bounded', PermissionsBoundary: boundary }));
    const expected = { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary };
    expect((await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User?.PermissionsBoundary).toEqual(expected);
    expect((await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] }))).UserDetailList?.[0]?.PermissionsBoundary).toEqual(expected);
    expect((await iam.send(new ListUsersCommand({}))).Users?.[0]?.PermissionsBoundary).toBeUndefined();
  });

  test('PutUserPermissionsBoundary sets it, DeleteUserPermissionsBoundary removes it', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'later' }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'later', PermissionsBoundary: boundary }));
    expect((await iam.send(new GetUserCommand({ UserName: 'later' }))).User?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(boundary);
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'later' }));
    expect((await iam.send(new GetUserCommand({ UserName: 'later' }))).User?.PermissionsBoundary).toBeUndefined();
    await expect(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'nobody', PermissionsBoundary: boundary }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('(u3) SAML providers', () => {
  const arn = `arn:aws:iam::${ACCOUNT}:saml-provider/CTLSaml`;

  test('a name that is taken is refused, never replaced', async () => {
    await iam.send(new CreateSAMLProviderCommand({ Name: 'CTLSaml', SAMLMetadataDocument: METADATA }));
    await expect(iam.send(new CreateSAMLProviderCommand({ Name: 'CTLSaml', SAMLMetadataDocument: METADATA.replace('example', 'other') }))).rejects.toMatchObject({ name: 'EntityAlreadyExistsException' });
    expect((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }))).SAMLMetadataDocument).toBe(METADATA);
  });

  test('tags: on create, answered by GetSAMLProvider and ListSAMLProviderTags, tagged and untagged, gone with the provider', async () => {
    await iam.send(new CreateSAMLProviderCommand({ Name: 'CTLSaml', SAMLMetadataDocument: METADATA, Tags: [{ Key: 'owner', Value: 'ctl' }] }));
    expect((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }))).Tags).toEqual([{ Key: 'owner', Value: 'ctl' }]);
    await iam.send(new TagSAMLProviderCommand({ SAMLProviderArn: arn, Tags: [{ Key: 'team', Value: 'ops' }] }));
    await iam.send(new UntagSAMLProviderCommand({ SAMLProviderArn: arn, TagKeys: ['owner'] }));
    expect((await iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: arn }))).Tags).toEqual([{ Key: 'team', Value: 'ops' }]);
    await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn }));
    await iam.send(new CreateSAMLProviderCommand({ Name: 'CTLSaml', SAMLMetadataDocument: METADATA }));
    expect((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }))).Tags ?? []).toEqual([]);
  });
});
