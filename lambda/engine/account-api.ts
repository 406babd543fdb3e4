/**
 * The reads of the AWS Account Management API the engine needs (readiness: GetAlternateContact, GetContactInformation;
 * discovery: ListRegions), without a client package: this repository ships no `@aws-sdk/client-account`, and the
 * engine's code is inlined in the template, so every byte counts. The API is rest-json (botocore `account` 2021-02-01:
 * `POST /getAlternateContact`, `/getContactInformation`, `/listRegions` with a JSON body, signing name `account`, its
 * endpoint in the partition's global region); requests are signed by the SDK's own SigV4 signer, taken from another
 * client's config, with the Account API's signing name and region. Like an SDK v3 client where the engine's tools
 * touch one: errors carry the name AWS gives (the `x-amzn-ErrorType` header), and the call counter and recorders hook
 * in by `middlewareStack.add`.
 */
import type { HttpRequest, RequestSigner } from '@smithy/types';

type Handler = (args: { input: object }) => Promise<{ output: object }>;
type Middleware = (next: Handler, context: { commandName: string }) => Handler;

export class AccountClient {
  private readonly middlewares: Middleware[] = [];
  /** Initialize-step middlewares only, each around the ones added before it. */
  readonly middlewareStack = { add: (middleware: Middleware) => void this.middlewares.push(middleware) };

  private readonly endpoint: string;

  /**
   * @param signer the SDK's SigV4 signer with the run's credentials (`client.config.signer()` of any SDK client)
   * @param endpoint default AWS_ENDPOINT_URL_ACCOUNT, else AWS_ENDPOINT_URL, else the partition's, e.g. https://account.us-east-1.amazonaws.com
   * @param region the partition's global region, which signs (us-east-1, cn-northwest-1, us-gov-west-1)
   * Not retried: readiness shows a throttled or failed read as `unknown`, the regions read falls back to the run's
   * region with a warning, and the run goes on.
   */
  constructor(
    private readonly signer: () => Promise<RequestSigner>,
    endpoint?: string,
    private readonly region = 'us-east-1',
  ) {
    this.endpoint = endpoint ?? process.env.AWS_ENDPOINT_URL_ACCOUNT ?? process.env.AWS_ENDPOINT_URL ?? `https://account.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
  }

  /** Calls `operation` (e.g. `GetAlternateContact`) with its JSON input and answers its JSON output. */
  async send(operation: string, input: object = {}): Promise<Record<string, unknown>> {
    let handler: Handler = async (args) => ({ output: await this.call(operation, args.input) });
    for (const middleware of this.middlewares) handler = middleware(handler, { commandName: `${operation}Command` });
    return (await handler({ input })).output as Record<string, unknown>;
  }

  private async call(operation: string, input: object): Promise<object> {
    const url = new URL(`${this.endpoint.replace(/\/$/, '')}/${operation[0]!.toLowerCase()}${operation.slice(1)}`);
    const body = JSON.stringify(input);
    const request = { method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || undefined, path: url.pathname, query: {}, headers: { 'content-type': 'application/json', host: url.host }, body };
    const { headers } = await (await this.signer()).sign(request as HttpRequest, { signingService: 'account', signingRegion: this.region });
    delete headers.host; // fetch sets it
    const response = await fetch(url, { method: 'POST', headers, body });
    const parsed = (await response.json().catch(() => ({}))) as Record<string, string>;
    if (response.ok) return parsed;
    // rest-json: the error's name is the x-amzn-ErrorType header, less any ":<url>" (or the body's __type).
    const name = /\w+/.exec(response.headers.get('x-amzn-errortype') ?? parsed.__type ?? `Http${response.status}`)![0];
    throw Object.assign(new Error(parsed.message ?? parsed.Message ?? name), { name, $metadata: { httpStatusCode: response.status } });
  }
}
