import type { BenchTime } from '../bench-time.js';

const retryPauseMs = 250;

/**
 * Calls `attempt` until it resolves; a peer still starting refuses for a while. Rethrows the last
 * failure at the deadline, or at once when `signal` aborts (an interrupted bench stops polling).
 */
export async function retryUntil<T>(
  time: BenchTime,
  timeoutMs: number,
  attempt: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = time.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (signal?.aborted === true || time.now() + retryPauseMs > deadline) throw error;
      await time.sleep(retryPauseMs);
    }
  }
}
