/**
 * The Account API client against moto, which checks SigV4 signatures once IAM is enforced: signed by the SDK's
 * signer with the Account API's name and region, its calls are authorized or denied as IAM says.
 */
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AccountClient } from '../lambda/engine/account-api';
import { CallCounter } from '../lambda/engine/aws';
import { testIamClient } from './support/engine-harness';
import { accountApi } from './support/departure-org';
import { motoSuite } from './support/moto-suite';

const server = motoSuite();

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
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }): AccountClient => accountApi(server(), credentials);
  const counter = new CallCounter();
  const counted = client(reader);
  counter.attach(counted);
  await server().enforceIam(0);
  try {
    await counted.send('PutAlternateContact', { AlternateContactType: 'SECURITY', Name: 'Sec', Title: 'CISO', EmailAddress: 'sec@acme.example', PhoneNumber: '+15555550100' });
    expect(await counted.send('GetAlternateContact', { AlternateContactType: 'SECURITY' })).toMatchObject({ AlternateContact: { EmailAddress: 'sec@acme.example' } });
    await expect(client(nobody).send('GetAlternateContact', { AlternateContactType: 'SECURITY' })).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(/account:GetAlternateContact/), $metadata: { httpStatusCode: 403 } });
    const wrongSecret = { ...reader, secretAccessKey: 'not-the-secret' };
    await expect(client(wrongSecret).send('GetAlternateContact', { AlternateContactType: 'SECURITY' })).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  } finally {
    await server().enforceIam(Infinity);
  }
  expect(counter.toJSON()).toEqual({ GetAlternateContact: 1, PutAlternateContact: 1 });
});
