/**
 * What the queue workload knows of its own progress, so the drain knows when to stop: the values
 * whose enqueue was acknowledged, those acked for sure, and when a lease last handed out a message
 * or failed. Memory grows with the messages of a run, as the history does.
 */
export class QueueLedger {
  private readonly waiting = new Set<string>();
  private readonly acked = new Set<string>();
  private lastActivityMs = 0;
  readonly counts = { ok: 0, fail: 0, info: 0, acked: 0 };

  enqueued(value: string): void {
    this.counts.ok++;
    if (!this.acked.has(value)) this.waiting.add(value);
  }

  failed(type: 'fail' | 'info'): void {
    this.counts[type]++;
  }

  ackAcknowledged(value: string): void {
    if (this.acked.has(value)) return;
    this.acked.add(value);
    this.waiting.delete(value);
    this.counts.acked++;
  }

  /** A lease that handed out messages, or failed: the queue is not known to be empty. */
  busy(nowMs: number): void {
    this.lastActivityMs = nowMs;
  }

  /** Acknowledged enqueues not acked yet. */
  get outstanding(): number {
    return this.waiting.size;
  }

  /** Ms since a lease last handed out a message or failed. */
  quietForMs(nowMs: number): number {
    return nowMs - this.lastActivityMs;
  }
}
