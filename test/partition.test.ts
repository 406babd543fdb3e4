/**
 * IAM and Organizations are global services with one endpoint per partition: a run in China or GovCloud must not
 * call the commercial endpoint in us-east-1 (its credentials are not valid there). Resolved by the SDK as it would
 * send, without sending: the request is stopped after the endpoint and signing region are chosen.
 */
import type { BuildMiddleware, MiddlewareStack } from '@smithy/types';
import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { createClients, globalRegion } from '../lambda/engine/aws';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

/** The host a client would send the command to. */
async function hostOf(client: { middlewareStack: unknown; send(command: never): Promise<unknown> }, command: unknown): Promise<string> {
  const stop: BuildMiddleware<object, object> = () => async (args) => {
    throw Object.assign(new Error('stopped'), { host: (args.request as { hostname: string }).hostname });
  };
  (client.middlewareStack as MiddlewareStack<object, object>).add(stop, { step: 'build', name: 'stopBeforeSending' });
  try {
    await client.send(command as never);
  } catch (error) {
    return (error as { host?: string }).host ?? String(error);
  }
  throw new Error('the request was sent');
}

test.each([
  ['eu-west-1', 'iam.amazonaws.com', 'organizations.us-east-1.amazonaws.com'],
  ['cn-northwest-1', 'iam.cn-north-1.amazonaws.com.cn', 'organizations.cn-northwest-1.amazonaws.com.cn'],
  ['us-gov-east-1', 'iam.us-gov.amazonaws.com', 'organizations.us-gov-west-1.amazonaws.com'],
])('a run in %s calls IAM at %s and Organizations at %s', async (region, iamHost, organizationsHost) => {
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_ENDPOINT_URL')) delete process.env[key];
  Object.assign(process.env, { AWS_REGION: region, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
  const clients = createClients({ maxAttempts: 1 });
  expect(await clients.iam.config.region()).toBe(globalRegion('iam', region));
  expect(await hostOf(clients.iam, new GetAccountAuthorizationDetailsCommand({}))).toBe(iamHost);
  expect(await hostOf(clients.organizations, new DescribeOrganizationCommand({}))).toBe(organizationsHost);
});
