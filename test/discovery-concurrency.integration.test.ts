/**
 * Discovery's per-item reads are bounded like apply's actions: 40 provider users (six credential reads each), 40
 * kept CAM-named policies (a tag read each) and rules with targets never put more than DISCOVERY_CONCURRENCY reads
 * in flight per stage, plus the few account-wide lists that run beside them.
 */
import { CreatePolicyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import type { MiddlewareStack } from '@smithy/types';
import { createClients, type AwsClients } from '../lambda/engine/aws';
import { DISCOVERY_CONCURRENCY, forEachBounded } from '../lambda/engine/concurrency';
import { resolveConfig } from '../lambda/engine/config';
import { discover } from '../lambda/engine/discover';
import { testIamClient } from './support/engine-harness';
import { motoSuite } from './support/moto-suite';

jest.setTimeout(120_000);
motoSuite();

/** The most calls of `client` that were in flight at once (each counted once, whatever its retries). */
function peakInFlight(client: Exclude<AwsClients[keyof AwsClients], AwsClients["inRegion"] | AwsClients["clientFor"]>): { peak: number; calls: number } {
  const seen = { peak: 0, calls: 0 };
  let now = 0;
  (client.middlewareStack as MiddlewareStack<object, object>).add(
    (next) => async (args) => {
      seen.calls++;
      seen.peak = Math.max(seen.peak, ++now);
      try {
        return await next(args);
      } finally {
        now--;
      }
    },
    { step: 'initialize', name: 'peakInFlight' },
  );
  return seen;
}

test('40 provider users, 40 kept policies and 20 rules: at most DISCOVERY_CONCURRENCY reads at once, plus the account-wide lists', async () => {
  const iam = testIamClient();
  const names = Array.from({ length: 40 }, (_, i) => String(i).padStart(2, '0'));
  await forEachBounded(names, 8, async (n) => {
    await iam.send(new CreateUserCommand({ UserName: `CTLUser${n}` }));
    await iam.send(new CreatePolicyCommand({ PolicyName: `CTLCAM${n}`, PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}' }));
  });
  const events = new EventBridgeClient({ region: 'us-east-1' });
  for (const n of names.slice(0, 20)) await events.send(new PutRuleCommand({ Name: `rule${n}`, ScheduleExpression: 'rate(1 hour)' }));

  const clients = createClients();
  const iamCalls = peakInFlight(clients.iam);
  const eventCalls = peakInFlight(clients.events);
  const inventory = await discover(clients, resolveConfig({ camPolicyNames: names.map((n) => `CTLCAM${n}`) }));

  expect(inventory.users.filter((u) => u.credentials)).toHaveLength(40);
  expect(inventory.automation.eventRules).toHaveLength(20);
  // 40 users × 6 reads and 40 tag reads were made, never more than the bound at once (GetAccountAuthorizationDetails,
  // ListSAMLProviders and ListOpenIDConnectProviders may run beside the first stage).
  expect(iamCalls.calls).toBeGreaterThanOrEqual(40 * 6 + 40);
  expect(iamCalls.peak).toBeLessThanOrEqual(DISCOVERY_CONCURRENCY + 3);
  expect(eventCalls.calls).toBeGreaterThanOrEqual(20 + 1);
  expect(eventCalls.peak).toBeLessThanOrEqual(DISCOVERY_CONCURRENCY + 1);
});
