import { RaftlogError } from '../../lib/index.js';
import { partitionKey } from './assignment-diff.js';
import type { TopicPartitionRef } from './types.js';

/** An offset to commit: the next offset to consume in the partition (last processed + 1). */
export interface PartitionOffset extends TopicPartitionRef {
  readonly offset: number;
}

interface Tracked {
  readonly topic: string;
  readonly partition: number;
  /** Next offset after the last processed record; undefined until one was processed. */
  processed: number | undefined;
  /** The group's committed offset as this member last knew it; -1 when none. */
  committed: number;
}

/**
 * Commit-after-processing bookkeeping for the partitions a group member consumes: what the
 * application has finished and what the group has committed. Only processed positions are ever
 * committed, so a crash between processing and commit redelivers, never skips.
 */
export class OffsetTracker {
  private readonly partitions = new Map<string, Tracked>();

  /** Starts tracking a partition whose committed offset is `committed` (-1 when none). */
  track(tp: TopicPartitionRef, committed: number): void {
    this.partitions.set(partitionKey(tp), {
      topic: tp.topic,
      partition: tp.partition,
      processed: undefined,
      committed,
    });
  }

  untrack(tp: TopicPartitionRef): void {
    this.partitions.delete(partitionKey(tp));
  }

  has(tp: TopicPartitionRef): boolean {
    return this.partitions.has(partitionKey(tp));
  }

  /** The record at `offset` is done; positions only move forward. Untracked partitions are ignored. */
  processed(tp: TopicPartitionRef, offset: number): void {
    const t = this.partitions.get(partitionKey(tp));
    if (t === undefined) return;
    t.processed = Math.max(t.processed ?? 0, offset + 1);
  }

  /** Processed positions not committed yet, of `only` (default: every tracked partition). */
  uncommitted(only?: readonly TopicPartitionRef[]): PartitionOffset[] {
    const keys = only === undefined ? [...this.partitions.keys()] : only.map(partitionKey);
    const out: PartitionOffset[] = [];
    for (const key of keys) {
      const t = this.partitions.get(key);
      if (t?.processed === undefined || t.processed === t.committed) continue;
      out.push({ topic: t.topic, partition: t.partition, offset: t.processed });
    }
    return out;
  }

  /** Records a successful commit; an offset for an untracked partition is ignored. */
  committed(offsets: readonly PartitionOffset[]): void {
    for (const o of offsets) {
      const t = this.partitions.get(partitionKey(o));
      if (t !== undefined) t.committed = o.offset;
    }
  }

  /** Checks offsets an application passes to commit(): tracked partitions, sane offsets. */
  validate(offsets: readonly PartitionOffset[]): void {
    for (const o of offsets) {
      if (!this.has(o)) {
        throw new RaftlogError('INVALID_ARGUMENT', `${partitionKey(o)} is not consumed by this member`);
      }
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new RaftlogError('INVALID_ARGUMENT', `offset ${o.offset} of ${partitionKey(o)} is not valid`);
      }
    }
  }

  /** Every tracked partition with its processed position (undefined: nothing processed yet). */
  snapshot(): { topic: string; partition: number; processed: number | undefined; committed: number }[] {
    return [...this.partitions.values()].map((t) => ({ ...t }));
  }
}

/** The offsets to commit after processing `records`: per partition, the highest offset + 1. */
export function offsetsAfter(
  records: readonly (TopicPartitionRef & { readonly offset: number })[],
): PartitionOffset[] {
  const next = new Map<string, PartitionOffset>();
  for (const r of records) {
    const key = partitionKey(r);
    const known = next.get(key);
    if (known === undefined || known.offset <= r.offset) {
      next.set(key, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
    }
  }
  return [...next.values()];
}
