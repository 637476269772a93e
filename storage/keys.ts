import { CorruptionError, RaftlogError } from '../lib/index.js';

/**
 * Every key starts with a one-byte keyspace prefix followed by big-endian fixed-width integers, so
 * unsigned byte order equals numeric order and one iterator seek finds any (group, index) or
 * (partition, offset). Prefix values are part of the on-disk format: never renumber them. Prefix
 * 0x00 is reserved (the RocksDB adapter uses it for a sync barrier).
 */
export const keyspace = {
  raftEntry: 0x01,
  raftHardState: 0x02,
  raftSnapshotMeta: 0x03,
  raftSnapshotData: 0x04,
  raftLogState: 0x05,
  raftEntryRun: 0x06,
  partitionBatch: 0x10,
  partitionTimeIndex: 0x11,
  partitionMeta: 0x12,
  partitionBatchIndex: 0x13,
  partitionAppendTimeIndex: 0x14,
  partitionCompaction: 0x15,
  nodeIdentity: 0x20,
} as const;

export type Keyspace = (typeof keyspace)[keyof typeof keyspace];

const two32 = 2 ** 32;
const u32Max = 0xffffffff;

function checkU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > u32Max) {
    throw new RaftlogError('INVALID_ARGUMENT', `${what} must be a u32, got ${value}`);
  }
}

function checkU64(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RaftlogError('INVALID_ARGUMENT', `${what} must be a non-negative safe integer, got ${value}`);
  }
}

class KeyWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private pos = 1;

  constructor(prefix: Keyspace, size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.bytes[0] = prefix;
  }

  u32(value: number, what: string): this {
    checkU32(value, what);
    this.view.setUint32(this.pos, value);
    this.pos += 4;
    return this;
  }

  u64(value: number, what: string): this {
    checkU64(value, what);
    const hi = Math.floor(value / two32);
    this.view.setUint32(this.pos, hi);
    this.view.setUint32(this.pos + 4, value - hi * two32);
    this.pos += 8;
    return this;
  }
}

function reader(key: Uint8Array, prefix: Keyspace, size: number, what: string): DataView {
  if (key.length !== size || key[0] !== prefix) {
    throw new CorruptionError(`malformed ${what} key (${key.length} bytes, prefix ${key[0]})`);
  }
  return new DataView(key.buffer, key.byteOffset, key.byteLength);
}

function readU64(view: DataView, at: number, what: string): number {
  const hi = view.getUint32(at);
  if (hi > 0x1fffff) throw new CorruptionError(`${what} in key beyond the safe integer range`);
  return hi * two32 + view.getUint32(at + 4);
}

/** The smallest key greater than every key that starts with `prefix`. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  throw new RaftlogError('INVALID_ARGUMENT', 'a prefix of 0xff bytes has no end');
}

export interface KeyRange {
  readonly gte: Uint8Array;
  readonly lt: Uint8Array;
}

function ownerPrefix(prefix: Keyspace, owner: number, what: string): Uint8Array {
  return new KeyWriter(prefix, 5).u32(owner, what).bytes;
}

function ownerRange(prefix: Keyspace, owner: number, what: string): KeyRange {
  const gte = ownerPrefix(prefix, owner, what);
  return { gte, lt: prefixEnd(gte) };
}

// Raft log: one key per (group, index) entry, one per group for hard state, snapshot and log state.

export function raftEntryKey(group: number, index: number): Uint8Array {
  return new KeyWriter(keyspace.raftEntry, 13).u32(group, 'group id').u64(index, 'log index').bytes;
}

export function decodeRaftEntryKey(key: Uint8Array): { group: number; index: number } {
  const v = reader(key, keyspace.raftEntry, 13, 'raft entry');
  return { group: v.getUint32(1), index: readU64(v, 5, 'log index') };
}

export function raftEntryRange(group: number): KeyRange {
  return ownerRange(keyspace.raftEntry, group, 'group id');
}

/** Where a group began placing entry data in a segment (see storage/README.md, "Entry files"). */
export function raftEntryRunKey(group: number, segment: number): Uint8Array {
  return new KeyWriter(keyspace.raftEntryRun, 13).u32(group, 'group id').u64(segment, 'segment').bytes;
}

export function decodeRaftEntryRunKey(key: Uint8Array): { group: number; segment: number } {
  const v = reader(key, keyspace.raftEntryRun, 13, 'raft entry run');
  return { group: v.getUint32(1), segment: readU64(v, 5, 'segment') };
}

export function raftEntryRunRange(group: number): KeyRange {
  return ownerRange(keyspace.raftEntryRun, group, 'group id');
}

/** Every entry run key of every group. */
export function raftEntryRunKeyspace(): KeyRange {
  return { gte: Uint8Array.of(keyspace.raftEntryRun), lt: Uint8Array.of(keyspace.raftEntryRun + 1) };
}

/** Every hard-state key (one per group that ever voted or was written). */
export function raftHardStateKeyspace(): KeyRange {
  return { gte: Uint8Array.of(keyspace.raftHardState), lt: Uint8Array.of(keyspace.raftHardState + 1) };
}

/** Every snapshot-metadata key (one per group that was bootstrapped or snapshotted). */
export function raftSnapshotMetaKeyspace(): KeyRange {
  return { gte: Uint8Array.of(keyspace.raftSnapshotMeta), lt: Uint8Array.of(keyspace.raftSnapshotMeta + 1) };
}

/** The group id of a per-group key (hard state, snapshot metadata, log state). */
export function decodeGroupKey(key: Uint8Array): number {
  if (key.length !== 5) throw new CorruptionError(`malformed per-group key (${key.length} bytes)`);
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(1);
}

export function raftHardStateKey(group: number): Uint8Array {
  return ownerPrefix(keyspace.raftHardState, group, 'group id');
}

export function raftSnapshotMetaKey(group: number): Uint8Array {
  return ownerPrefix(keyspace.raftSnapshotMeta, group, 'group id');
}

export function raftSnapshotDataKey(group: number): Uint8Array {
  return ownerPrefix(keyspace.raftSnapshotData, group, 'group id');
}

export function raftLogStateKey(group: number): Uint8Array {
  return ownerPrefix(keyspace.raftLogState, group, 'group id');
}

// Partitions: one key per stored RecordBatch, a sparse time index, and per-partition metadata.

export function partitionBatchKey(partition: number, baseOffset: number): Uint8Array {
  return new KeyWriter(keyspace.partitionBatch, 13).u32(partition, 'partition').u64(baseOffset, 'offset')
    .bytes;
}

export function decodePartitionBatchKey(key: Uint8Array): { partition: number; baseOffset: number } {
  const v = reader(key, keyspace.partitionBatch, 13, 'partition batch');
  return { partition: v.getUint32(1), baseOffset: readU64(v, 5, 'offset') };
}

export function partitionBatchRange(partition: number): KeyRange {
  return ownerRange(keyspace.partitionBatch, partition, 'partition');
}

export function partitionTimeIndexKey(partition: number, timestamp: number, baseOffset: number): Uint8Array {
  return new KeyWriter(keyspace.partitionTimeIndex, 21)
    .u32(partition, 'partition')
    .u64(timestamp, 'timestamp')
    .u64(baseOffset, 'offset').bytes;
}

export function decodePartitionTimeIndexKey(key: Uint8Array): {
  partition: number;
  timestamp: number;
  baseOffset: number;
} {
  const v = reader(key, keyspace.partitionTimeIndex, 21, 'partition time index');
  return {
    partition: v.getUint32(1),
    timestamp: readU64(v, 5, 'timestamp'),
    baseOffset: readU64(v, 13, 'offset'),
  };
}

export function partitionTimeIndexRange(partition: number): KeyRange {
  return ownerRange(keyspace.partitionTimeIndex, partition, 'partition');
}

export function partitionMetaKey(partition: number): Uint8Array {
  return ownerPrefix(keyspace.partitionMeta, partition, 'partition');
}

/** Per stored batch: its end offset, size, cumulative bytes before it and append time (no batch read needed). */
export function partitionBatchIndexKey(partition: number, baseOffset: number): Uint8Array {
  return new KeyWriter(keyspace.partitionBatchIndex, 13).u32(partition, 'partition').u64(baseOffset, 'offset')
    .bytes;
}

export function decodePartitionBatchIndexKey(key: Uint8Array): { partition: number; baseOffset: number } {
  const v = reader(key, keyspace.partitionBatchIndex, 13, 'partition batch index');
  return { partition: v.getUint32(1), baseOffset: readU64(v, 5, 'offset') };
}

export function partitionBatchIndexRange(partition: number): KeyRange {
  return ownerRange(keyspace.partitionBatchIndex, partition, 'partition');
}

/** Sparse index of the leader-assigned append time: an entry per batch that raised the maximum. */
export function partitionAppendTimeIndexKey(
  partition: number,
  appendTimeMs: number,
  baseOffset: number,
): Uint8Array {
  return new KeyWriter(keyspace.partitionAppendTimeIndex, 21)
    .u32(partition, 'partition')
    .u64(appendTimeMs, 'append time')
    .u64(baseOffset, 'offset').bytes;
}

export function decodePartitionAppendTimeIndexKey(key: Uint8Array): {
  partition: number;
  appendTimeMs: number;
  baseOffset: number;
} {
  const v = reader(key, keyspace.partitionAppendTimeIndex, 21, 'partition append time index');
  return {
    partition: v.getUint32(1),
    appendTimeMs: readU64(v, 5, 'append time'),
    baseOffset: readU64(v, 13, 'offset'),
  };
}

export function partitionAppendTimeIndexRange(partition: number): KeyRange {
  return ownerRange(keyspace.partitionAppendTimeIndex, partition, 'partition');
}

/** Per partition: how far key compaction went, and below which offset the stored log may have gaps. */
export function partitionCompactionKey(partition: number): Uint8Array {
  return ownerPrefix(keyspace.partitionCompaction, partition, 'partition');
}

/** The single row saying which node of which cluster this data directory belongs to. */
export function nodeIdentityKey(): Uint8Array {
  return Uint8Array.of(keyspace.nodeIdentity);
}

/**
 * Present while a node that started on a wiped data directory has not caught up: it outlives the
 * restarts in between, which find an identity and would otherwise vote as if nothing was lost. Under
 * the identity's prefix, so an emptiness check that skips the identity skips it too.
 */
export function nodeRejoiningKey(): Uint8Array {
  return Uint8Array.of(keyspace.nodeIdentity, 0x01);
}

/** Every key this store holds, for an emptiness check. */
export function wholeKeyspace(): KeyRange {
  return { gte: Uint8Array.of(keyspace.raftEntry), lt: Uint8Array.of(0xff) };
}
