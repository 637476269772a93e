/** Entries kept per partition; beyond it every other middle one goes, which only delays removals. */
const reachEntriesMax = 64;

interface Reach {
  readonly upToOffset: number;
  /** When this leader first saw a compaction bound at least this far in force. */
  readonly atMs: number;
}

/**
 * How far compaction had reached, and since when, as one leader saw it: Kafka keeps a tombstone for
 * delete.retention.ms after the cleaning pass that first reaches it, so a reader that saw a key's
 * older value still finds its delete. Counting from the tombstone's append instead, a value and its
 * tombstone older than that could go in the same pass. The history lives in the leader only: a new
 * leader starts it afresh at the bound in force, which keeps tombstones longer, never shorter.
 */
export class CompactionReach {
  private readonly reaches: Reach[] = [];

  /**
   * Records the bound in force at `atMs`, if it goes further than the last one seen. A wall clock
   * set back is taken as standing still: the bound is then dated later, which keeps tombstones longer.
   */
  note(upToOffset: number, atMs: number): void {
    const last = this.reaches.at(-1);
    if (last !== undefined && upToOffset <= last.upToOffset) return;
    this.reaches.push({ upToOffset, atMs: Math.max(atMs, last?.atMs ?? atMs) });
    if (this.reaches.length > reachEntriesMax) this.thin();
  }

  /** The furthest bound that was in force at or before `cutoffMs`; 0 when none was seen that early. */
  reachedBy(cutoffMs: number): number {
    let reached = 0;
    for (const r of this.reaches) {
      if (r.atMs > cutoffMs) break;
      reached = r.upToOffset;
    }
    return reached;
  }

  /**
   * Drops every other entry between the first and the last. A query that would have found a dropped
   * entry finds the one before it: a lower bound, so tombstones stay longer, never shorter.
   */
  private thin(): void {
    const kept = this.reaches.filter((_, i) => i === 0 || i === this.reaches.length - 1 || i % 2 === 0);
    this.reaches.splice(0, this.reaches.length, ...kept);
  }
}
