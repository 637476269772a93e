/**
 * Counters of what a run exercised, and a running hash of its trace: two runs of the same seed must
 * produce the same hash, which is how determinism is tested.
 */
export class SimStats {
  private readonly counters = new Map<string, number>();
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;

  count(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  entries(): [string, number][] {
    return [...this.counters.entries()].sort(([a], [b]) => a.localeCompare(b));
  }

  /** Folds one trace event into the hash (two FNV-1a lanes with different seeds: 64 bits). */
  trace(event: string): void {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < event.length; i++) {
      const c = event.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 15);
    }
    this.h1 = h1 >>> 0;
    this.h2 = h2 >>> 0;
  }

  get traceHash(): string {
    return this.h1.toString(16).padStart(8, '0') + this.h2.toString(16).padStart(8, '0');
  }
}
