// Phase-level steps work on every volume at once, but never more than `limit` at a time:
// a cluster serialises too many parallel jobs, and a Lambda has one connection pool.

/** Runs `work` over every item, at most `limit` in flight; after a failure nothing new starts, and the first failure is thrown once the running ones end. */
export async function forEachLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await work(items[index]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}
