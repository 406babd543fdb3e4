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
import type { InitializeMiddleware, MiddlewareStack, RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { AccountClient } from './account-api';

/** Clients the engine uses; tests and benchmarks wrap them to count or break calls. */
export interface AwsClients {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly organizations: OrganizationsClient;
  /** Regional services in the run's region (`inRegion` of it answers these same clients). */
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
  /**
   * The regional clients of any region, made once per region and signed for it: the provider's automation and who
   * delivers into a bucket are read in every enabled region, and a step with a `region` runs there (engine/calls.ts).
   */
  readonly inRegion: (region: string) => RegionalClients;
  /** AWS Account Management (alternate contacts, contact information): readiness reads only. */
  readonly account: AccountClient;
  /**
   * A client of any SDK class for a region, made once per class and region with the engine's retries (and counted):
   * the sweep reads and changes resource policies of every region through these.
   */
  readonly clientFor: <C>(Client: new (config: never) => C, region: string) => C;
}

export type RegionalClients = Pick<AwsClients, 'lambda' | 'events' | 'config' | 'cloudtrail'>;

export interface ClientOptions {
  /**
   * Attempts per call (see `EngineRetryStrategy`); apply gives a call that runs out of them a later pass.
   * @default AWS_MAX_ATTEMPTS, else 10
   */
  readonly maxAttempts?: number;
  /** Per-operation call counts, filled in as the clients are used. */
  readonly callCounter?: CallCounter;
}

/**
 * IAM and Organizations are global: each partition has one endpoint for them, signed for one region (botocore's
 * endpoints.json, `partitionEndpoint` and its `credentialScope`): us-east-1; China (`cn-*`) cn-north-1 for IAM but
 * cn-northwest-1 for Organizations; GovCloud (`us-gov-*`) us-gov-west-1. The Account API's is Organizations' (its
 * endpoint rules' `implicitGlobalRegion`).
 */
export function globalRegion(service: 'iam' | 'organizations', region: string): string {
  if (region.startsWith('cn-')) return service === 'iam' ? 'cn-north-1' : 'cn-northwest-1';
  return region.startsWith('us-gov-') ? 'us-gov-west-1' : 'us-east-1';
}

export function createClients(options: ClientOptions = {}): AwsClients {
  const maxAttempts = options.maxAttempts ?? (Number(process.env.AWS_MAX_ATTEMPTS) || 10);
  // The strategy keeps no state between calls: every client can share it.
  const common = { maxAttempts, retryStrategy: new EngineRetryStrategy(maxAttempts) };
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const inRegion = (name: string): RegionalClients => ({
    lambda: new LambdaClient({ ...common, region: name }),
    events: new EventBridgeClient({ ...common, region: name }),
    config: new ConfigServiceClient({ ...common, region: name }),
    cloudtrail: new CloudTrailClient({ ...common, region: name }),
  });
  const home = inRegion(region);
  const regional = new Map([[region, home]]);
  const byClass = new Map<string, unknown>();
  const sts = new STSClient({ ...common, region });
  const clients: AwsClients = {
    iam: new IAMClient({ ...common, region: globalRegion('iam', region) }),
    sts,
    organizations: new OrganizationsClient({ ...common, region: globalRegion('organizations', region) }),
    ...home,
    s3: new S3Client({ ...common, region, forcePathStyle: true, followRegionRedirects: true }),
    s3control: new S3ControlClient({ ...common, region }),
    inRegion(name) {
      let made = regional.get(name);
      if (!made) {
        regional.set(name, (made = inRegion(name)));
        if (options.callCounter) for (const client of Object.values(made)) options.callCounter.attach(client);
      }
      return made;
    },
    account: new AccountClient(() => sts.config.signer(), undefined, globalRegion('organizations', region)),
    clientFor<C>(Client: new (config: never) => C, name: string): C {
      // SDK client classes have distinct names (KMSClient, SNSClient, ...).
      const key = `${Client.name} ${name}`;
      let client = byClass.get(key) as C | undefined;
      if (!client) {
        byClass.set(key, (client = new Client({ ...common, region: name } as never)));
        options.callCounter?.attach(client as AnyClient);
      }
      return client;
    },
  };
  if (options.callCounter) for (const client of Object.values(clients)) if (typeof client !== 'function') options.callCounter.attach(client);
  return clients;
}

/** First backoff (mean, ms) after a throttle and after any other retryable error; doubled each retry. */
export const THROTTLE_BASE_MS = 100;
export const TRANSIENT_BASE_MS = 50;
const MAX_DELAY_MS = 20_000;
/**
 * A throttle is about rate, not health: waits of a second at most keep the account's rate budget used (a token
 * bucket refilled every second), where longer ones leave it idle while every caller sleeps.
 */
const MAX_THROTTLE_DELAY_MS = 1_000;
/**
 * Attempts of a call that keeps being throttled: "slow down" is no sign of failure, and a read given up on
 * would end the whole discovery. About 15 s of waiting at the cap.
 */
const THROTTLED_ATTEMPTS = 30;

/**
 * The SDK's standard retries (throttling and transient errors: 5xx, resets, timeouts; IAM's
 * ConcurrentModification too, which "asks to submit the request again"), exponential backoff with full jitter,
 * without what made a busy run collapse: no retry quota (the SDK's 500 tokens per client, 14 per retried 5xx,
 * then every call fails on its first fault) and no client-side rate limiter (adaptive mode cuts its rate at
 * every throttle, even a random one, down to a trickle). Pressure stays bounded by the callers' concurrency:
 * a call waiting out its backoff holds its slot, so a throttled run sends less, not more.
 */
export class EngineRetryStrategy implements RetryStrategyV2 {
  constructor(private readonly maxAttempts: number) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return retryToken(0, 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const count = token.getRetryCount() + 1;
    const throttled = info.errorType === 'THROTTLING';
    const attempts = throttled ? Math.max(this.maxAttempts, THROTTLED_ATTEMPTS) : this.maxAttempts;
    if (count >= attempts || !isRetryable(info)) throw new Error('no retry');
    const base = throttled ? THROTTLE_BASE_MS : TRANSIENT_BASE_MS;
    const cap = throttled ? MAX_THROTTLE_DELAY_MS : MAX_DELAY_MS;
    // No Retry-After: none of the APIs the engine calls documents one (and it costs template bytes). Full jitter alone.
    return retryToken(count, Math.floor(Math.random() * Math.min(cap, base * 2 ** count)));
  }

  recordSuccess(): void {}
}

const retryToken = (count: number, delay: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => delay });

function isRetryable(info: RetryErrorInfo): boolean {
  return info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT' || /^ConcurrentModification/.test(errorName(info.error));
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
