/**
 * The answer to CloudFormation: a PUT of the response object to the request's pre-signed S3 URL. Only such a URL is
 * accepted, each attempt has a deadline, and the retries are bounded so that the answer fits in the time the handler
 * keeps back for it (ANSWER_MARGIN_MS).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Lets a local rehearsal or test answer over plain http to a loopback address, where its recorder listens. Only the
 * rehearsal scripts and tests set it; the stack never does, and inside Lambda it is ignored (see {@link insideLambda}).
 */
export const ALLOW_LOOPBACK_HTTP_ENV = 'CTL_DEPARTURE_ALLOW_LOOPBACK_HTTP_RESPONSE';

/** Per attempt; CloudFormation's S3 answers in well under a second. */
export const ATTEMPT_TIMEOUT_MS = 4_000;
/** 3 attempts of at most 4 s with 0.5 s and 1 s between them: 13.5 s at worst, inside the 15 s kept back. */
export const MAX_ATTEMPTS = 3;
const BACKOFF_MS = 500;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Lambda sets these in every function and refuses them in a function's configuration (reserved keys), so neither a
 * template nor a console edit can make the deployed function look like a rehearsal.
 */
export function insideLambda(env: Env): boolean {
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME || env.AWS_EXECUTION_ENV);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why a ResponseURL must not receive the answer, or undefined when it may: https to an S3 host of an AWS partition
 * (`*.amazonaws.com`, `*.amazonaws.com.cn`), or http to a loopback address when a rehearsal outside Lambda allows it.
 */
export function responseUrlProblem(url: unknown, env: Env = process.env): string | undefined {
  if (typeof url !== 'string' || url === '') return 'ResponseURL is missing';
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return 'ResponseURL is not a URL';
  }
  if (target.protocol === 'https:') {
    return /\.amazonaws\.com(\.cn)?$/.test(target.hostname) ? undefined : `ResponseURL host ${target.hostname} is not an AWS S3 host`;
  }
  if (target.protocol === 'http:' && env[ALLOW_LOOPBACK_HTTP_ENV] === '1' && !insideLambda(env) && LOOPBACK.has(target.hostname)) return undefined;
  return `ResponseURL must be an https pre-signed S3 URL, not ${target.protocol}//${target.host}`;
}

/** An answer that another attempt could get through: no answer, a timeout, or S3 busy (5xx). */
class Retryable extends Error {}

/** Limits of one answer; the defaults fit the time the handler keeps back. Tests shorten them. */
export interface SendLimits {
  /** @default ATTEMPT_TIMEOUT_MS */
  readonly attemptTimeoutMs?: number;
  /** @default MAX_ATTEMPTS */
  readonly attempts?: number;
  /** Wait before the second attempt, doubled before each later one. @default 500 */
  readonly backoffMs?: number;
}

/** PUTs the answer to CloudFormation's pre-signed URL: refused unless {@link responseUrlProblem} accepts the URL. */
export async function sendResponse(url: string, body: string, limits: SendLimits = {}): Promise<void> {
  const problem = responseUrlProblem(url);
  if (problem) throw new Error(`not answering: ${problem}`);
  const { attemptTimeoutMs = ATTEMPT_TIMEOUT_MS, attempts = MAX_ATTEMPTS, backoffMs = BACKOFF_MS } = limits;
  for (let attempt = 1; ; attempt++) {
    try {
      return await put(url, body, attemptTimeoutMs);
    } catch (error) {
      // A 4xx (an expired or altered URL) fails the same way every time.
      if (attempt >= attempts || !(error instanceof Retryable)) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
    }
  }
}

function put(url: string, body: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'http:' ? httpRequest : httpsRequest)(
      target,
      // The pre-signed URL was signed with an empty content type: any other would not match the signature.
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, signal: AbortSignal.timeout(timeoutMs) },
      (response) => {
        response.resume();
        response.on('error', (error) => reject(new Retryable(`response URL: ${error.message}`)));
        response.on('end', () => {
          const status = response.statusCode ?? 500;
          if (status < 300) resolve();
          else if (status >= 500) reject(new Retryable(`response URL answered HTTP ${status}`));
          else reject(new Error(`response URL answered HTTP ${status}`));
        });
      },
    );
    request.on('error', (error) =>
      reject(new Retryable(error.name === 'AbortError' || error.name === 'TimeoutError' ? `response URL did not answer within ${timeoutMs} ms` : `response URL: ${error.message}`)),
    );
    request.end(body);
  });
}
