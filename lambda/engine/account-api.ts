/**
 * The two reads of the AWS Account Management API that readiness needs (GetAlternateContact, GetContactInformation),
 * without a client package: this repository ships no `@aws-sdk/client-account`, and the engine's code is inlined in
 * the template, so every byte counts. The API is rest-json (botocore `account` 2021-02-01: `POST /getAlternateContact`
 * and `POST /getContactInformation` with a JSON body, signing name `account`, its endpoint in us-east-1), signed here
 * with SigV4 by node:crypto. Like an SDK v3 client where the engine's tools touch one: errors carry the name AWS gives
 * (the `x-amzn-ErrorType` header), and the call counter and recorders hook in by `middlewareStack.add`.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

const REGION = 'us-east-1';

type Handler = (args: { input: object }) => Promise<{ output: object }>;
type Middleware = (next: Handler, context: { commandName: string }) => Handler;

export class AccountClient {
  private readonly middlewares: Middleware[] = [];
  /** Initialize-step middlewares only, each around the ones added before it. */
  readonly middlewareStack = { add: (middleware: Middleware) => void this.middlewares.push(middleware) };

  /**
   * @param credentials the run's credentials (the engine passes its STS client's)
   * @param endpoint default AWS_ENDPOINT_URL_ACCOUNT, else AWS_ENDPOINT_URL, else https://account.us-east-1.amazonaws.com
   * Not retried: readiness shows a throttled or failed read as `unknown`, and the run goes on.
   */
  constructor(
    private readonly credentials: AwsCredentialIdentityProvider,
    private readonly endpoint = process.env.AWS_ENDPOINT_URL_ACCOUNT ?? process.env.AWS_ENDPOINT_URL ?? `https://account.${REGION}.amazonaws.com`,
  ) {}

  /** Calls `operation` (e.g. `GetAlternateContact`) with its JSON input and answers its JSON output. */
  async send(operation: string, input: object = {}): Promise<Record<string, unknown>> {
    let handler: Handler = async (args) => ({ output: await this.call(operation, args.input) });
    for (const middleware of this.middlewares) handler = middleware(handler, { commandName: `${operation}Command` });
    return (await handler({ input })).output as Record<string, unknown>;
  }

  private async call(operation: string, input: object): Promise<object> {
    const url = new URL(`${this.endpoint.replace(/\/$/, '')}/${operation[0]!.toLowerCase()}${operation.slice(1)}`);
    const body = JSON.stringify(input);
    const response = await fetch(url, { method: 'POST', headers: signRequest(url, body, await this.credentials(), new Date()), body });
    const text = await response.text();
    let parsed: Record<string, string> = {};
    try {
      parsed = JSON.parse(text || '{}');
    } catch {
      // Not JSON (a proxy, or an emulator answering XML): the error is named from <Code> or the HTTP status.
    }
    if (response.ok) return parsed;
    // rest-json: the error's name is the x-amzn-ErrorType header, less any ":<url>" or "<namespace>#".
    const name = /(\w+)(:|$)/.exec(response.headers.get('x-amzn-errortype') ?? parsed.__type ?? /<Code>(\w+)/.exec(text)?.[1] ?? String(response.status))![1]!;
    throw Object.assign(new Error(parsed.message ?? parsed.Message ?? (/<Message>([^<]*)/.exec(text)?.[1] || name)), { name, $metadata: { httpStatusCode: response.status } });
  }
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** SigV4 headers of a JSON POST to the Account API (IAM User Guide, "Create a signed AWS API request"); no `host`, which fetch sets. */
export function signRequest(url: URL, body: string, credentials: AwsCredentialIdentity, now: Date): Record<string, string> {
  const date = now.toISOString().replace(/[-:]|\.\d+/g, '');
  const headers: Record<string, string> = { 'content-type': 'application/json', host: url.host, 'x-amz-content-sha256': sha256(body), 'x-amz-date': date };
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const signed = names.join(';');
  const scope = `${date.slice(0, 8)}/${REGION}/account/aws4_request`;
  const request = ['POST', url.pathname, '', ...names.map((name) => `${name}:${headers[name]}`), '', signed, headers['x-amz-content-sha256']].join('\n');
  const key = scope.split('/').reduce<Buffer | string>(hmac, `AWS4${credentials.secretAccessKey}`);
  const signature = hmac(key, `AWS4-HMAC-SHA256\n${date}\n${scope}\n${sha256(request)}`).toString('hex');
  delete headers.host;
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}` };
}
