/** Runs the engine against a moto server the way a driver would, with call counting and fault injection. */
import { IAMClient } from '@aws-sdk/client-iam';
import type { MiddlewareStack } from '@smithy/types';
import { CallCounter, createClients, isReadOperation, type AwsClients } from '../../lambda/engine/aws';
import { resolveConfig } from '../../lambda/engine/config';
import type { DepartureReport, Mode } from '../../lambda/engine/report';
import { runDeparture } from '../../lambda/engine/run';
import { motoEnv, type MotoServer } from './moto';

/** Points the SDK's standard environment at the server, as the CLI and Lambda read it. */
export function useMotoEnvironment(server: MotoServer): void {
  Object.assign(process.env, motoEnv(server.endpoint), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
}

export function testIamClient(): IAMClient {
  return new IAMClient({ region: 'us-east-1' });
}

export interface RunResult {
  readonly report: DepartureReport;
  readonly calls: CallCounter;
}

export async function run(mode: Mode, config: object = {}, options: { crashAfterMutations?: number; concurrency?: number } = {}): Promise<RunResult> {
  const calls = new CallCounter();
  const clients = createClients({ callCounter: calls, maxAttempts: 2 });
  if (options.crashAfterMutations !== undefined) crashAfter(clients, options.crashAfterMutations);
  const report = await runDeparture({ mode, config: resolveConfig(config), clients, concurrency: options.concurrency });
  return { report, calls };
}

/** Makes every mutating call after the first `limit` fail as if the process had died there. */
function crashAfter(clients: AwsClients, limit: number): void {
  let mutations = 0;
  (clients.iam.middlewareStack as MiddlewareStack<object, object>).add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      if (!isReadOperation(operation) && ++mutations > limit) throw Object.assign(new Error('simulated crash'), { name: 'SimulatedCrash' });
      return next(args);
    },
    { step: 'initialize', name: 'simulatedCrash' },
  );
}

/** Planned or executed calls of a report, as comparable strings. */
export function stepsOf(report: DepartureReport): string[] {
  return report.actions.flatMap((action) => action.steps.map((s) => `${s.call} ${JSON.stringify(s.input)}`)).sort();
}
