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

export interface RunOptions {
  /** Every IAM mutating call after this many fails, as if the process died there. */
  readonly crashAfterMutations?: number;
  /** Every S3 CopyObject after this many fails, as if the process died there. */
  readonly crashAfterS3Copies?: number;
  readonly concurrency?: number;
}

export async function run(mode: Mode, config: object = {}, options: RunOptions = {}): Promise<RunResult> {
  const calls = new CallCounter();
  const clients = createClients({ callCounter: calls, maxAttempts: 2 });
  if (options.crashAfterS3Copies !== undefined) crashAfter(clients.s3, options.crashAfterS3Copies, (operation) => operation === 'CopyObject');
  else if (options.crashAfterMutations !== undefined) crashAfter(clients.iam, options.crashAfterMutations, (operation) => !isReadOperation(operation));
  const report = await runDeparture({ mode, config: resolveConfig(config), clients, concurrency: options.concurrency });
  return { report, calls };
}

/** Makes every call that `counts` after the first `limit` fail as if the process had died there. */
function crashAfter(client: AwsClients['s3' | 'iam'], limit: number, counts: (operation: string) => boolean): void {
  let seen = 0;
  (client.middlewareStack as MiddlewareStack<object, object>).add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      if (counts(operation) && ++seen > limit) throw Object.assign(new Error('simulated crash'), { name: 'SimulatedCrash' });
      return next(args);
    },
    { step: 'initialize', name: 'simulatedCrash' },
  );
}

/** Planned or executed calls of a report, as comparable strings. */
export function stepsOf(report: DepartureReport): string[] {
  return report.actions.flatMap((action) => action.steps.map((s) => `${s.call} ${JSON.stringify(s.input)}`)).sort();
}
