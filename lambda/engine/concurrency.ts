/** Bounded concurrency without a dependency. */

/**
 * Discovery's per-item reads in flight at once (a user's credentials, a policy's tags, a provider's URL, a
 * rule's targets), as apply bounds its actions: IAM rate-limits reads per account too.
 */
export const DISCOVERY_CONCURRENCY = 8;

/**
 * Runs `work` over `items`, at most `limit` at a time. After a failure no new item starts, the items already
 * running finish, and then the first error is thrown: nothing is left running behind the caller's back.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      try {
        await work(items[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

/**
 * `items.map(read)` with at most `limit` reads at a time, results in the order of `items`. Discovery's
 * per-item reads go through this: 200 provider users must not mean 1,200 requests at once.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, read: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  await forEachBounded(items.map((item, at) => ({ item, at })), limit, async ({ item, at }) => {
    results[at] = await read(item);
  });
  return results;
}
