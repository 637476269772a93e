/**
 * Reconnect delays: exponential from `minMs` up to a cap, with jitter so that nodes which lost a peer
 * together do not redial it in lockstep. Each delay lies in [max(minMs, base/2), base].
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    /** Uniform in [0, 1): injected so a run can be replayed from a seed. */
    private readonly random: () => number,
  ) {}

  next(capMs = this.maxMs): number {
    const cap = Math.max(this.minMs, Math.min(capMs, this.maxMs));
    const base = Math.min(cap, this.minMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.max(this.minMs, Math.round(base / 2 + (this.random() * base) / 2));
  }

  reset(): void {
    this.attempt = 0;
  }
}
