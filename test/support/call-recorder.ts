/**
 * Records every SDK call the engine's clients make (service, operation, input, and whether it failed), like the
 * engine's own CallCounter but keeping each call, so an authorization test can check each one against IAM.
 */
import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import type { AwsClients } from '../../lambda/engine/aws';

/** Which of the engine's clients made the call (the sweep's by their service). */
export type ClientName = Exclude<keyof AwsClients, 'inRegion' | 'clientFor'> | 'kms' | 'sns' | 'sqs' | 'secretsmanager' | 'ecr' | 'ec2' | 'ram' | 'accessanalyzer';

/** The SDK's `serviceId` of the clients `clientFor` makes. */
const BY_SERVICE_ID: Readonly<Record<string, ClientName>> = {
  KMS: 'kms', SNS: 'sns', SQS: 'sqs', 'Secrets Manager': 'secretsmanager', ECR: 'ecr', EC2: 'ec2', RAM: 'ram', AccessAnalyzer: 'accessanalyzer',
  Lambda: 'lambda', EventBridge: 'events', S3: 's3',
};

export interface RecordedCall {
  readonly client: ClientName;
  /** The region the client signs for, when it is another region's (`inRegion`): regional ARNs name it. */
  readonly region?: string;
  /** The SDK operation, e.g. `DeleteRole` (the command's name less `Command`). */
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** The answer, kept for the reads whose output later calls need (entity paths from GetAccountAuthorizationDetails). */
  output?: unknown;
  /** The error's name when the call failed: a failed call was still authorized (or denied) first. */
  error?: string;
}

export class CallRecorder {
  readonly calls: RecordedCall[] = [];

  /** Records on every client; 'high' priority so the call is seen even when a later middleware answers it itself. */
  attachAll(clients: AwsClients): void {
    const attached = new Set<unknown>();
    for (const [name, client] of Object.entries(clients) as [ClientName, AnyClient][]) {
      if (typeof client !== 'function') this.attach(name, client, attached);
    }
    // The sweep's clients (`clientFor`) and clients of other regions are made on demand: each is recorded as it is made
    // (the run's region's are the ones above).
    const clientFor = clients.clientFor;
    Object.assign(clients, {
      clientFor: <C>(Client: new (config: never) => C, region: string): C => {
        const made = clientFor(Client, region);
        const serviceId = (made as { config: { serviceId: string } }).config.serviceId;
        const name = BY_SERVICE_ID[serviceId];
        if (!name) throw new Error(`the recorder knows no client of service ${serviceId}`);
        this.attach(name, made as AnyClient, attached, region);
        return made;
      },
    });
    const inRegion = clients.inRegion;
    Object.assign(clients, {
      inRegion: (region: string) => {
        const made = inRegion(region);
        for (const [name, client] of Object.entries(made) as [ClientName, AnyClient][]) this.attach(name, client, attached, region);
        return made;
      },
    });
  }

  private attach(name: ClientName, client: AnyClient, attached: Set<unknown>, region?: string): void {
    if (attached.has(client)) return;
    attached.add(client);
    const record: InitializeMiddleware<object, object> = (next, context) => async (args) => {
      const call: RecordedCall = {
        client: name,
        operation: String(context.commandName ?? 'unknown').replace(/Command$/, ''),
        // A shallow copy, less the payload (a body is data, not authorization).
        input: withoutBody(args.input as Record<string, unknown>),
        ...(region ? { region } : {}),
      };
      this.calls.push(call);
      try {
        const result = await next(args);
        call.output = result.output;
        return result;
      } catch (error) {
        call.error = (error as { name?: string }).name ?? 'Error';
        throw error;
      }
    };
    (client.middlewareStack as MiddlewareStack<object, object>).add(record, { step: 'initialize', priority: 'high', name: 'iamSimCallRecorder' });
  }
}

type AnyClient = { readonly middlewareStack: unknown };

function withoutBody(input: Record<string, unknown>): Record<string, unknown> {
  const { Body: _body, ...rest } = input;
  return rest;
}
