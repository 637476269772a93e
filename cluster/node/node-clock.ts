/**
 * Time for the node's own loops (the transaction coordinator, its waits): injected by the process
 * (src/server) so nothing below src/ reads the wall clock or sets timers itself, and a simulator can
 * drive it.
 */
export interface NodeClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
