/**
 * The Account API client: its SigV4 signature is the one the SDK's own signer computes for the same request, and
 * against moto (which checks signatures once IAM is enforced) its calls are authorized or denied as IAM says.
 */
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { AccountClient, signRequest } from '../lambda/engine/account-api';
import { CallCounter } from '../lambda/engine/aws';
import { testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';

const server = motoSuite();

test.each([
  ['long-term keys', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }],
  ['a session', { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token/with+chars=' }],
])('signs as the SDK signer does, with %s', async (_what, credentials) => {
  const url = new URL('https://account.us-east-1.amazonaws.com/getAlternateContact');
  const body = '{"AlternateContactType":"BILLING"}';
  const now = new Date('2026-11-23T14:30:05.123Z');
  const ours = signRequest(url, body, credentials, now);
  const reference = await new SignatureV4({ service: 'account', region: 'us-east-1', credentials, sha256: Sha256 }).sign(
    { method: 'POST', protocol: 'https:', hostname: url.hostname, path: url.pathname, query: {}, headers: { host: url.host, 'content-type': 'application/json', 'x-amz-content-sha256': ours['x-amz-content-sha256']! }, body },
    { signingDate: now },
  );
  expect(ours.authorization).toBe(reference.headers.authorization);
  expect(ours['x-amz-date']).toBe('20261123T143005Z');
  expect(ours).not.toHaveProperty('host');
});

test('moto checks the signature and IAM: allowed with account:GetAlternateContact, denied without; the counter sees each call', async () => {
  const iam = testIamClient();
  await iam.send(new CreateUserCommand({ UserName: 'reader' }));
  await iam.send(new CreateUserCommand({ UserName: 'nobody' }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'contacts', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'account:*', Resource: '*' }] }) }));
  const keys = async (UserName: string) => {
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  };
  const [reader, nobody] = [await keys('reader'), await keys('nobody')];
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }) => new AccountClient(async () => credentials, server().endpoint);
  const counter = new CallCounter();
  const counted = client(reader);
  counter.attach(counted);
  await server().enforceIam(0);
  try {
    await counted.send('PutAlternateContact', { AlternateContactType: 'SECURITY', Name: 'Sec', Title: 'CISO', EmailAddress: 'sec@acme.example', PhoneNumber: '+15555550100' });
    expect(await counted.send('GetAlternateContact', { AlternateContactType: 'SECURITY' })).toMatchObject({ AlternateContact: { EmailAddress: 'sec@acme.example' } });
    await expect(client(nobody).send('GetAlternateContact', { AlternateContactType: 'SECURITY' })).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(/account:GetAlternateContact/), $metadata: { httpStatusCode: 403 } });
    const wrongSecret = { ...reader, secretAccessKey: 'not-the-secret' };
    await expect(client(wrongSecret).send('GetAlternateContact', { AlternateContactType: 'SECURITY' })).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 }, message: expect.stringMatching(/signature/i) });
  } finally {
    await server().enforceIam(Infinity);
  }
  expect(counter.toJSON()).toEqual({ GetAlternateContact: 1, PutAlternateContact: 1 });
});
