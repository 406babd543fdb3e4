/**
 * Apply converges under faults: every identity kind of the reference account, behind a proxy that throttles, fails
 * with 5xx, drops connections and loses answers after moto carried the change out, on a moto with IAM's eventual
 * consistency (DeleteConflict for a second after a detach). The end state must equal a fault-free apply's, with no
 * failed action. Timings are the benchmark's business (`npm run bench:faults`); this only proves convergence.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { CallCounter, createClients } from '../lambda/engine/aws';
import { resolveConfig } from '../lambda/engine/config';
import type { DepartureReport, Mode } from '../lambda/engine/report';
import { runDeparture } from '../lambda/engine/run';
import { seedEveryIdentityKind } from './support/authorization-scenarios';
import { useMotoEnvironment } from './support/engine-harness';
import { FAULT_KINDS, startFaultProxy, type FaultProxy } from './support/fault-proxy';
import { readIamState } from './support/iam-state';
import { startMoto, type MotoServer } from './support/moto';

jest.setTimeout(180_000);

let moto: MotoServer;
let proxy: FaultProxy;
let iam: IAMClient;

beforeAll(async () => {
  moto = await startMoto({ iamPropagationSeconds: 1 });
  useMotoEnvironment(moto);
  proxy = await startFaultProxy(moto.endpoint);
  iam = new IAMClient({ region: 'us-east-1' });
});
afterAll(async () => {
  iam?.destroy();
  await proxy?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  await seedEveryIdentityKind(iam);
});

/** A reproducible random source (a 32-bit LCG), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A run whose clients reach AWS through `endpoint` (the proxy, or moto itself). */
async function runThrough(endpoint: string, mode: Mode): Promise<{ report: DepartureReport; calls: CallCounter }> {
  const calls = new CallCounter();
  process.env.AWS_ENDPOINT_URL = endpoint;
  try {
    const clients = createClients({ callCounter: calls });
    return { report: await runDeparture({ mode, config: resolveConfig({}), clients }), calls };
  } finally {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
  }
}

const failed = (report: DepartureReport) => report.actions.filter((a) => a.status === 'failed').map((a) => `${a.resource} ${a.name}: ${a.error}`);
const retriedSteps = (report: DepartureReport) => report.actions.flatMap((a) => a.steps.filter((s) => s.note?.startsWith('done on pass')).map((s) => s.call));

test('a fault-free apply retries the final deletes that IAM eventual consistency refuses, and finishes', async () => {
  const { report } = await runThrough(moto.endpoint, 'apply');
  expect(failed(report)).toEqual([]);
  // Without the later passes, DeleteRole right after its detaches would fail on this server.
  expect(retriedSteps(report)).toEqual(expect.arrayContaining(['DeleteRole', 'DeleteUser', 'DeleteGroup']));
  const again = await runThrough(moto.endpoint, 'plan');
  expect(again.report.actions.filter((a) => a.action === 'delete')).toEqual([]);
});

test('with 15% of IAM requests faulted (all four kinds), apply ends exactly as a fault-free apply', async () => {
  await runThrough(moto.endpoint, 'apply');
  const expected = await readIamState(iam);

  await moto.reset();
  await seedEveryIdentityKind(iam);
  proxy.configure({ rate: 0.15, random: seeded(11) });
  const { report, calls } = await runThrough(proxy.endpoint, 'apply');

  expect(failed(report)).toEqual([]);
  expect(await readIamState(iam)).toEqual(expected);
  // The faults happened, every kind of them, and the SDK's retries and the later passes got past them.
  for (const kind of FAULT_KINDS) expect(proxy.counts[kind]).toBeGreaterThan(0);
  expect(calls.retries).toBeGreaterThan(0);
});

test('an IAM rate limit (a token bucket of 10 requests a second) slows apply down but does not fail it', async () => {
  await runThrough(moto.endpoint, 'apply');
  const expected = await readIamState(iam);

  await moto.reset();
  await seedEveryIdentityKind(iam);
  proxy.configure({ iamPerSecond: 10 });
  const { report } = await runThrough(proxy.endpoint, 'apply');

  expect(failed(report)).toEqual([]);
  expect(proxy.counts.rateLimited).toBeGreaterThan(0);
  expect(await readIamState(iam)).toEqual(expected);
});
