import { partitionCompactionKey } from './keys.js';
import { ValueReader, ValueWriter } from './value-codec.js';

/** What a key compaction pass removes: the replicated decision every replica's store works toward. */
export interface CompactionTarget {
  /** Only records below this offset are compacted (the active tail above it is never touched). */
  readonly upToOffset: number;
  /** A tombstone (null value) below this offset that is the newest record of its key is removed too. */
  readonly tombstonesBeforeOffset: number;
}

/** A partition's compaction progress in its store (keyspace 0x15). */
export interface CompactionState {
  /** Below this offset whole batches may be missing (removed by compaction, or never sent by a fill). */
  readonly gapsBelow: number;
  /** The last target a pass completed on this store: below `done.upToOffset` each key appears once. */
  readonly done: CompactionTarget;
}

export const noCompaction: CompactionState = {
  gapsBelow: 0,
  done: { upToOffset: 0, tombstonesBeforeOffset: 0 },
};

export function encodeCompactionState(partition: number, s: CompactionState): Uint8Array {
  return new ValueWriter(24, partitionCompactionKey(partition))
    .u64(s.gapsBelow)
    .u64(s.done.upToOffset)
    .u64(s.done.tombstonesBeforeOffset)
    .finish();
}

export function decodeCompactionState(partition: number, bytes: Uint8Array): CompactionState {
  const r = new ValueReader(bytes, 'partition compaction state', partitionCompactionKey(partition));
  const state = {
    gapsBelow: r.u64(),
    done: { upToOffset: r.u64(), tombstonesBeforeOffset: r.u64() },
  };
  r.done();
  if (state.done.tombstonesBeforeOffset > state.done.upToOffset)
    throw r.corrupt('tombstone bound past the end');
  return state;
}

/** Whether `a` asks for nothing beyond what `b` already covers. */
export function coveredBy(a: CompactionTarget, b: CompactionTarget): boolean {
  return a.upToOffset <= b.upToOffset && a.tombstonesBeforeOffset <= b.tombstonesBeforeOffset;
}
