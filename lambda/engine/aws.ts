/**
 * The seam between the engine and AWS: the SDK clients every driver passes in, built one way.
 * Credentials, region and endpoint come from the standard AWS environment and profiles, so
 * `AWS_ENDPOINT_URL` points a whole run at an emulator.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';
import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import { AccountClient } from './account-api';

/** Clients the engine uses; tests and benchmarks wrap them to count or break calls. */
export interface AwsClients {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly organizations: OrganizationsClient;
  /** Regional services: the provider's automation is looked for in the run's region. */
  readonly lambda: LambdaClient;
  readonly events: EventBridgeClient;
  readonly config: ConfigServiceClient;
  readonly cloudtrail: CloudTrailClient;
  /**
   * Path-style addressing works against AWS and emulators alike (bucket names here never need virtual hosts). It
   * follows S3's region redirects: a provider or archive bucket may live in any region (a 301 names it).
   */
  readonly s3: S3Client;
  /** S3 Batch Operations, for buckets too large for one run. */
  readonly s3control: S3ControlClient;
  /** CloudTrail and Config of any region (who delivers into a bucket is read in every region), made once each. */
  readonly inRegion: (region: string) => RegionalClients;
  /** AWS Account Management (alternate contacts, contact information): readiness reads only. */
  readonly account: AccountClient;
}

export interface RegionalClients {
  readonly cloudtrail: CloudTrailClient;
  readonly config: ConfigServiceClient;
}

export interface ClientOptions {
  /**
   * Retry budget per call with the SDK's adaptive mode (client-side rate limiting on throttles).
   * @default AWS_MAX_ATTEMPTS, else 10
   */
  readonly maxAttempts?: number;
  /** Per-operation call counts, filled in as the clients are used. */
  readonly callCounter?: CallCounter;
}

/**
 * IAM and Organizations are global: each partition has one endpoint for them, signed for one region (botocore's
 * endpoints.json, `partitionEndpoint` and its `credentialScope`): us-east-1; China (`cn-*`) cn-north-1 for IAM but
 * cn-northwest-1 for Organizations; GovCloud (`us-gov-*`) us-gov-west-1.
 */
export function globalRegion(service: 'iam' | 'organizations', region: string): string {
  if (region.startsWith('cn-')) return service === 'iam' ? 'cn-north-1' : 'cn-northwest-1';
  return region.startsWith('us-gov-') ? 'us-gov-west-1' : 'us-east-1';
}

export function createClients(options: ClientOptions = {}): AwsClients {
  const common = { retryMode: 'adaptive', maxAttempts: options.maxAttempts ?? (Number(process.env.AWS_MAX_ATTEMPTS) || 10) } as const;
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const regional = new Map<string, RegionalClients>();
  const sts = new STSClient({ ...common, region });
  const clients: AwsClients = {
    iam: new IAMClient({ ...common, region: globalRegion('iam', region) }),
    sts,
    organizations: new OrganizationsClient({ ...common, region: globalRegion('organizations', region) }),
    lambda: new LambdaClient({ ...common, region }),
    events: new EventBridgeClient({ ...common, region }),
    config: new ConfigServiceClient({ ...common, region }),
    cloudtrail: new CloudTrailClient({ ...common, region }),
    s3: new S3Client({ ...common, region, forcePathStyle: true, followRegionRedirects: true }),
    s3control: new S3ControlClient({ ...common, region }),
    inRegion(name) {
      let made = regional.get(name);
      if (!made) {
        made = { cloudtrail: new CloudTrailClient({ ...common, region: name }), config: new ConfigServiceClient({ ...common, region: name }) };
        if (options.callCounter) for (const client of Object.values(made)) options.callCounter.attach(client);
        regional.set(name, made);
      }
      return made;
    },
    account: new AccountClient(() => sts.config.signer()),
  };
  if (options.callCounter) for (const client of Object.values(clients)) if (typeof client !== 'function') options.callCounter.attach(client);
  return clients;
}

/** Any SDK v3 client: only its middleware stack is used. */
type AnyClient = { readonly middlewareStack: unknown };
type Metadata = { $metadata?: { attempts?: number } };

/**
 * Counts AWS calls per operation (one per command, however many attempts it took) and the extra attempts
 * that retries added, for the benchmark and for tests that assert the number of calls.
 */
export class CallCounter {
  readonly calls = new Map<string, number>();
  retries = 0;

  attach(client: AnyClient): void {
    const count: InitializeMiddleware<object, object> = (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
        try {
          const result = await next(args);
          this.retries += Math.max(0, ((result.output as Metadata).$metadata?.attempts ?? 1) - 1);
          return result;
        } catch (error) {
          this.retries += Math.max(0, ((error as Metadata).$metadata?.attempts ?? 1) - 1);
          throw error;
        }
      };
    (client.middlewareStack as MiddlewareStack<object, object>).add(count, { step: 'initialize', name: 'ctlDepartureCallCounter' });
  }

  /** Calls whose operation does not start with a read verb. */
  get mutating(): number {
    let total = 0;
    for (const [operation, count] of this.calls) if (!isReadOperation(operation)) total += count;
    return total;
  }

  get total(): number {
    let total = 0;
    for (const count of this.calls.values()) total += count;
    return total;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.calls].sort(([a], [b]) => a.localeCompare(b)));
  }
}

export function isReadOperation(operation: string): boolean {
  return /^(Get|List|Describe|Head)/.test(operation);
}

/** The error name AWS gives, whatever SDK shape it came in. */
export function errorName(error: unknown): string {
  const e = error as { name?: string; Code?: string; code?: string };
  return e?.name ?? e?.Code ?? e?.code ?? 'Error';
}
