/**
 * Runs `work` on every item, at most `parallel` at a time, starting them in order. After a failure
 * no new item starts; the ones under way finish, then the first error is thrown.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  parallel: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
}
