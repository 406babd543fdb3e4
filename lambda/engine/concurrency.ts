/** Bounded concurrency without a dependency. */

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
