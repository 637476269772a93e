/**
 * A byte-rate limiter that, like Kafka's quotas, never refuses: a response of any size is taken and
 * the bucket may go into debt; the caller then holds the response back for as long as paying the debt
 * takes at the configured rate. The burst is what may pass without delay after a quiet period.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAtMs: number;

  constructor(
    private bytesPerSec: number,
    nowMs: number,
    private readonly burstSec = 1,
  ) {
    this.tokens = bytesPerSec * burstSec;
    this.refilledAtMs = nowMs;
  }

  /** A changed quota applies from now; the debt or credit already there stays. */
  setRate(bytesPerSec: number): void {
    this.bytesPerSec = bytesPerSec;
    this.tokens = Math.min(this.tokens, bytesPerSec * this.burstSec);
  }

  /** Takes `bytes` and returns how long to wait before answering, in ms (0 while within the rate). */
  take(bytes: number, nowMs: number): number {
    this.refill(nowMs);
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.bytesPerSec) * 1000);
  }

  private refill(nowMs: number): void {
    const elapsedSec = Math.max(0, nowMs - this.refilledAtMs) / 1000;
    this.refilledAtMs = nowMs;
    this.tokens = Math.min(this.bytesPerSec * this.burstSec, this.tokens + elapsedSec * this.bytesPerSec);
  }
}
