/**
 * A proxy in front of moto that breaks IAM requests the ways AWS does, for the fault test and `npm run bench:faults`:
 *
 * - `throttle`: HTTP 400 `Throttling` ("Rate exceeded"), the request never reaches moto;
 * - `server-error`: HTTP 500 `ServiceFailure` (IAM's own 5xx error), never reaches moto;
 * - `reset`: the connection is dropped before the request is forwarded;
 * - `lost-answer`: the request is carried out by moto, then the connection is dropped before the answer.
 *
 * Each IAM request fails with probability `rate`, its fault picked evenly among `kinds`. With `iamPerSecond`, a token
 * bucket (that many tokens a second, as many held at most) answers `Throttling` to the IAM requests over the rate,
 * as IAM throttles an account's calls. Other services pass untouched. Errors are in IAM's query-protocol shape, so
 * the SDK parses them as it parses AWS's.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultKind = 'throttle' | 'server-error' | 'reset' | 'lost-answer';
export const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'server-error', 'reset', 'lost-answer'];

export interface FaultSettings {
  /** Share of IAM requests that fail, 0 to 1. @default 0 */
  readonly rate?: number;
  /** @default all four */
  readonly kinds?: readonly FaultKind[];
  /** A token bucket of this many IAM requests a second; the rest answer Throttling. @default no limit */
  readonly iamPerSecond?: number;
  /** The random source, for a reproducible run. @default Math.random */
  readonly random?: () => number;
}

export interface FaultCounts {
  /** IAM requests that reached moto (lost answers included). */
  forwarded: number;
  /** IAM requests refused by the token bucket. */
  rateLimited: number;
  throttle: number;
  'server-error': number;
  reset: number;
  'lost-answer': number;
  /** When the first and the last forwarded IAM request arrived (ms since the epoch). */
  firstForwardedAt: number;
  lastForwardedAt: number;
}

export interface FaultProxy {
  /** e.g. http://127.0.0.1:41234: give it as AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  readonly counts: FaultCounts;
  /** New settings and fresh counts, for the next run. */
  configure(settings: FaultSettings): void;
  stop(): Promise<void>;
}

const emptyCounts = (): FaultCounts => ({ forwarded: 0, rateLimited: 0, throttle: 0, 'server-error': 0, reset: 0, 'lost-answer': 0, firstForwardedAt: 0, lastForwardedAt: 0 });

/** The service a SigV4-signed request is for: the credential scope names it (`.../us-east-1/iam/aws4_request`). */
const serviceOf = (request: IncomingMessage) => /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(request.headers.authorization ?? ''))?.[1];

function iamError(response: ServerResponse, status: number, code: string, message: string, type: 'Sender' | 'Receiver'): void {
  const body =
    `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>${type}</Type><Code>${code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`;
  response.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': 'fault-proxy' });
  response.end(body);
}

class TokenBucket {
  private tokens: number;
  private at = Date.now();
  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export async function startFaultProxy(target: string, initial: FaultSettings = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  let settings = initial;
  let bucket = initial.iamPerSecond ? new TokenBucket(initial.iamPerSecond) : undefined;
  let counts = emptyCounts();
  const sockets = new Set<Socket>();

  const forward = (request: IncomingMessage, body: Buffer, done: (status: number, headers: IncomingMessage['headers'], answer: Buffer) => void, fail: () => void) => {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => done(answer.statusCode ?? 502, answer.headers, Buffer.concat(chunks)));
        answer.on('error', fail);
      },
    );
    out.on('error', fail);
    out.end(body);
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const iam = serviceOf(request) === 'iam';
      let fault: FaultKind | undefined;
      if (iam) {
        if (bucket && !bucket.take()) {
          counts.rateLimited++;
          return iamError(response, 400, 'Throttling', 'Rate exceeded', 'Sender');
        }
        const random = settings.random ?? Math.random;
        const kinds = settings.kinds ?? FAULT_KINDS;
        if (random() < (settings.rate ?? 0)) fault = kinds[Math.floor(random() * kinds.length)]!;
      }
      if (fault) counts[fault]++;
      if (fault === 'throttle') return iamError(response, 400, 'Throttling', 'Rate exceeded', 'Sender');
      if (fault === 'server-error') return iamError(response, 500, 'ServiceFailure', 'Request processing has failed due to an unknown error.', 'Receiver');
      if (fault === 'reset') return request.socket.destroy();
      if (iam) {
        counts.forwarded++;
        counts.firstForwardedAt ||= Date.now();
        counts.lastForwardedAt = Date.now();
      }
      forward(
        request,
        body,
        (status, headers, answer) => {
          if (fault === 'lost-answer') {
            request.socket.destroy();
            return;
          }
          const { 'transfer-encoding': _chunked, connection: _connection, ...kept } = headers;
          response.writeHead(status, { ...kept, 'content-length': answer.length });
          response.end(answer);
        },
        () => void request.socket.destroy(),
      );
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get counts() {
      return counts;
    },
    configure(next) {
      settings = next;
      bucket = next.iamPerSecond ? new TokenBucket(next.iamPerSecond) : undefined;
      counts = emptyCounts();
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
