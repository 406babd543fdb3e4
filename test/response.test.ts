/** The answer's PUT: only to an accepted URL, each attempt with a deadline, a bounded number of attempts. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ALLOW_LOOPBACK_HTTP_ENV, ATTEMPT_TIMEOUT_MS, MAX_ATTEMPTS, responseUrlProblem, sendResponse } from '../lambda/response';
import { ANSWER_MARGIN_MS } from '../lambda/handler';

/** A loopback stand-in for the pre-signed S3 URL; `reply` decides each attempt's fate. */
async function responseServer(reply: (attempt: number, request: IncomingMessage, response: ServerResponse) => void) {
  const bodies: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      bodies.push({ headers: request.headers, body });
      reply(bodies.length, request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/answer?sig=1`;
  return { url, bodies, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}

const FAST = { attemptTimeoutMs: 300, backoffMs: 10 };

beforeAll(() => (process.env[ALLOW_LOOPBACK_HTTP_ENV] = '1'));
afterAll(() => delete process.env[ALLOW_LOOPBACK_HTTP_ENV]);

test('the answer is PUT once, with the empty content type the URL was signed with', async () => {
  const server = await responseServer((_n, _req, res) => res.writeHead(200).end());
  try {
    await sendResponse(server.url, '{"Status":"SUCCESS"}', FAST);
    expect(server.bodies).toEqual([{ headers: expect.objectContaining({ 'content-type': '', 'content-length': '20' }), body: '{"Status":"SUCCESS"}' }]);
  } finally {
    await server.close();
  }
});

test('S3 busy (5xx) is retried, up to the bound', async () => {
  const server = await responseServer((n, _req, res) => res.writeHead(n < 3 ? 503 : 200).end());
  try {
    await sendResponse(server.url, '{}', FAST);
    expect(server.bodies).toHaveLength(3);
  } finally {
    await server.close();
  }
  const always = await responseServer((_n, _req, res) => res.writeHead(500).end());
  try {
    await expect(sendResponse(always.url, '{}', FAST)).rejects.toThrow('response URL answered HTTP 500');
    expect(always.bodies).toHaveLength(MAX_ATTEMPTS);
  } finally {
    await always.close();
  }
});

test('a refused URL (4xx: expired or altered) is not retried', async () => {
  const server = await responseServer((_n, _req, res) => res.writeHead(403).end());
  try {
    await expect(sendResponse(server.url, '{}', FAST)).rejects.toThrow('response URL answered HTTP 403');
    expect(server.bodies).toHaveLength(1);
  } finally {
    await server.close();
  }
});

test('an attempt that gets no answer is abandoned at its deadline, and the attempts are bounded', async () => {
  const server = await responseServer(() => undefined); // never answers
  try {
    const started = Date.now();
    await expect(sendResponse(server.url, '{}', { ...FAST, attempts: 2 })).rejects.toThrow('response URL did not answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.bodies).toHaveLength(2);
  } finally {
    await server.close();
  }
});

test('the worst case of the default limits fits in the time the handler keeps back for its answer', () => {
  const backoff = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => 500 * 2 ** i).reduce((a, b) => a + b, 0);
  expect(MAX_ATTEMPTS * ATTEMPT_TIMEOUT_MS + backoff).toBeLessThan(ANSWER_MARGIN_MS);
});

test('sendResponse itself refuses a URL that is not a pre-signed S3 URL, sending nothing', async () => {
  await expect(sendResponse('https://example.com/answer', '{}')).rejects.toThrow('not answering: ResponseURL host example.com is not an AWS S3 host');
  await expect(sendResponse('ftp://127.0.0.1/answer', '{}')).rejects.toThrow('not answering: ResponseURL must be an https pre-signed S3 URL, not ftp://127.0.0.1');
});

test.each([
  ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws?X-Amz-Signature=1', {}, undefined],
  ['https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x', {}, undefined],
  ['https://s3.amazonaws.com.evil.example/x', {}, 'ResponseURL host s3.amazonaws.com.evil.example is not an AWS S3 host'],
  ['http://127.0.0.1:1/x', {}, 'ResponseURL must be an https pre-signed S3 URL, not http://127.0.0.1:1'],
  ['http://127.0.0.1:1/x', { [ALLOW_LOOPBACK_HTTP_ENV]: '1' }, undefined],
  ['http://127.0.0.1:1/x', { [ALLOW_LOOPBACK_HTTP_ENV]: '1', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }, 'ResponseURL must be an https pre-signed S3 URL, not http://127.0.0.1:1'],
  ['http://127.0.0.1:1/x', { [ALLOW_LOOPBACK_HTTP_ENV]: 'true' }, 'ResponseURL must be an https pre-signed S3 URL, not http://127.0.0.1:1'],
  ['not a url', {}, 'ResponseURL is not a URL'],
])('%s with %j: %s', (url, env, problem) => {
  expect(responseUrlProblem(url, env)).toBe(problem);
});
