/**
 * The engine's SDK retry strategy: standard retries without the SDK's retry quota (which ran dry after ~36
 * retried 5xx per client, after which every call failed on its first fault) and without adaptive mode's
 * client-side rate limiter.
 */
import type { RetryErrorInfo, RetryToken } from '@smithy/types';
import { EngineRetryStrategy, THROTTLE_BASE_MS, TRANSIENT_BASE_MS } from '../lambda/engine/aws';

const info = (errorType: RetryErrorInfo['errorType'], name = 'Error'): RetryErrorInfo => ({ errorType, error: { name, message: name, $metadata: {} } });

async function retriesAllowed(strategy: EngineRetryStrategy, errorInfo: RetryErrorInfo): Promise<RetryToken[]> {
  const tokens: RetryToken[] = [];
  let token = await strategy.acquireInitialRetryToken();
  for (;;) {
    try {
      token = await strategy.refreshRetryTokenForRetry(token, errorInfo);
      tokens.push(token);
    } catch {
      return tokens;
    }
  }
}

test('every call gets its attempts, however many calls were retried before (no quota); a throttled one gets 30', async () => {
  const strategy = new EngineRetryStrategy(4);
  for (let call = 0; call < 1000; call++) {
    expect(await retriesAllowed(strategy, info(call % 2 ? 'TRANSIENT' : 'THROTTLING'))).toHaveLength(call % 2 ? 3 : 29);
  }
});

test('backoff: full jitter under base × 2^retry, a longer base after a throttle, capped at 1 s after a throttle and 20 s otherwise', async () => {
  const strategy = new EngineRetryStrategy(30);
  for (let i = 0; i < 50; i++) {
    const transient = await retriesAllowed(strategy, info('TRANSIENT'));
    const throttled = await retriesAllowed(strategy, info('THROTTLING'));
    transient.forEach((token, n) => expect(token.getRetryDelay()).toBeLessThan(Math.min(20_000, TRANSIENT_BASE_MS * 2 ** (n + 1))));
    throttled.forEach((token, n) => expect(token.getRetryDelay()).toBeLessThan(Math.min(1_000, THROTTLE_BASE_MS * 2 ** (n + 1))));
    expect(Math.max(...transient.map((token) => token.getRetryDelay()))).toBeGreaterThan(1_000);
  }
});

test('client errors are not retried, except IAM\'s ConcurrentModification, which asks for it', async () => {
  const strategy = new EngineRetryStrategy(3);
  expect(await retriesAllowed(strategy, info('CLIENT_ERROR', 'DeleteConflictException'))).toHaveLength(0);
  expect(await retriesAllowed(strategy, info('SERVER_ERROR'))).toHaveLength(0);
  expect(await retriesAllowed(strategy, info('CLIENT_ERROR', 'ConcurrentModificationException'))).toHaveLength(2);
});
