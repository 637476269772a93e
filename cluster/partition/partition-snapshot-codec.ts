import { crc32c, NewerFormatError, RaftlogError } from '../../lib/index.js';
import { BinaryReader, BinaryWriter } from './binary.js';
import {
  PartitionStateMachine,
  validatePartitionLimits,
  type PartitionStateData,
} from './partition-state-machine.js';
import { defaultPartitionLimits, type AbortedTransaction, type PartitionLimits } from './partition-types.js';
import { BatchWindow } from './batch-window.js';
import type { ProducerEntry } from './producer-state.js';
import { queueGroupsBytes, readQueueGroups, writeQueueGroups } from './queue-codec.js';

/**
 * Binary snapshot of a partition state machine: a version byte, big-endian fields, a CRC32C trailer.
 * Producers are written in recency order and aborted ranges in marker order, so a restored replica
 * evicts and answers exactly as the original would.
 *
 * v2: version u8 | appliedIndex, logStartOffset, nextOffset, lastTimestampMs i64 |
 *     dedupHorizonBatches, openTransactionsMax u32, producerIdleMsMax, producerStateBytesMax i64 |
 *     producers u32 × (producerId i64, epoch u16, lastSequence i32, lastTimestampMs i64,
 *       openTxnFirstOffset i64, batches u32 × (baseSequence u32, lastSequence u32, baseOffset i64)) |
 *     aborted u32 × (producerId, firstOffset, lastOffset i64) | crc32c u32 of all before it
 * v3: v2 followed, before the checksum, by the compaction bounds (upToOffset,
 *     tombstonesBeforeOffset i64); v2 and v1 snapshots restore with no compaction asked.
 * v4: v3 followed, before the checksum, by the queue groups (queue-codec.ts); older snapshots
 *     restore with no queue group.
 * v5: v4 followed, before the checksum, by the queue lease id floor i64 (the highest lease id of a
 *     deleted queue group); older snapshots restore with 0.
 * v1 (still read): the limits were dedupHorizonBatches, producersMax, openTransactionsMax u32; a
 * v1 snapshot restores with the default idle time and byte budget (producersMax has no successor).
 */
export const partitionSnapshotVersion = 5;
const partitionSnapshotVersionV4 = 4;
const partitionSnapshotVersionV3 = 3;
const partitionSnapshotVersionV2 = 2;
const partitionSnapshotVersionV1 = 1;

const fixedBytes = 1 + 4 * 8 + 3 * 4 + 4 + 4 + 4;
// Two u32 limits and two i64 ones where v1 had three u32.
const fixedBytesV2 = fixedBytes - 3 * 4 + 2 * 4 + 2 * 8;
const producerBytes = 8 + 2 + 4 + 8 + 8 + 4;
const batchBytes = 4 + 4 + 8;
const abortedBytes = 3 * 8;
const compactionBytes = 2 * 8;

export function encodePartitionSnapshot(sm: PartitionStateMachine): Uint8Array {
  const d = sm.toData();
  let size =
    fixedBytesV2 + d.aborted.length * abortedBytes + compactionBytes + queueGroupsBytes(d.queues) + 8;
  for (const p of d.producers) size += producerBytes + p.batches.length * batchBytes;
  const w = new BinaryWriter(size)
    .u8(partitionSnapshotVersion)
    .i64(d.appliedIndex)
    .i64(d.logStartOffset)
    .i64(d.nextOffset)
    .i64(d.lastTimestampMs)
    .u32(d.limits.dedupHorizonBatches)
    .u32(d.limits.openTransactionsMax)
    .i64(d.limits.producerIdleMsMax)
    .i64(d.limits.producerStateBytesMax)
    .u32(d.producers.length);
  for (const p of d.producers) {
    w.i64(p.producerId).u16(p.epoch).i32(p.lastSequence).i64(p.lastTimestampMs).i64(p.openTxnFirstOffset);
    w.u32(p.batches.length);
    for (const b of p.batches) w.u32(b.baseSequence).u32(b.lastSequence).i64(b.baseOffset);
  }
  w.u32(d.aborted.length);
  for (const a of d.aborted) w.i64(a.producerId).i64(a.firstOffset).i64(a.lastOffset);
  w.i64(d.compaction.upToOffset).i64(d.compaction.tombstonesBeforeOffset);
  writeQueueGroups(w, d.queues);
  w.i64(d.queueLeaseIdFloor);
  w.u32(crc32c(w.bytes, 0, 0, w.pos));
  return w.bytes;
}

function readProducer(r: BinaryReader, horizon: number): ProducerEntry {
  const producerId = r.u64();
  const epoch = r.u16();
  const lastSequence = r.i32();
  const lastTimestampMs = r.i64();
  const openTxnFirstOffset = r.i64();
  const count = r.u32();
  if (count > horizon)
    throw r.corrupt(`producer ${producerId} keeps ${count} batches, horizon is ${horizon}`);
  if (count * batchBytes > r.remaining) throw r.corrupt(`producer ${producerId}: batch list is truncated`);
  const batches = new BatchWindow();
  for (let i = 0; i < count; i++)
    batches.push({ baseSequence: r.u32(), lastSequence: r.u32(), baseOffset: r.u64() }, horizon);
  return { producerId, epoch, lastSequence, lastTimestampMs, openTxnFirstOffset, batches };
}

function readAborted(r: BinaryReader): AbortedTransaction[] {
  const count = r.u32();
  if (count * abortedBytes > r.remaining) throw r.corrupt('aborted list is truncated');
  const aborted: AbortedTransaction[] = [];
  for (let i = 0; i < count; i++)
    aborted.push({ producerId: r.u64(), firstOffset: r.u64(), lastOffset: r.u64() });
  return aborted;
}

function readLimits(r: BinaryReader): PartitionLimits {
  const dedupHorizonBatches = r.u32();
  const openTransactionsMax = r.u32();
  return {
    dedupHorizonBatches,
    openTransactionsMax,
    producerIdleMsMax: r.i64(),
    producerStateBytesMax: r.i64(),
  };
}

function readLimitsV1(r: BinaryReader): PartitionLimits {
  const dedupHorizonBatches = r.u32();
  r.u32(); // producersMax
  return { ...defaultPartitionLimits, dedupHorizonBatches, openTransactionsMax: r.u32() };
}

/** Throws CORRUPT_MESSAGE on a damaged snapshot or one of an unknown version, NewerFormatError on a later one. */
export function decodePartitionSnapshot(bytes: Uint8Array): PartitionStateMachine {
  const r = new BinaryReader(bytes, 'partition snapshot');
  if (bytes.length < fixedBytes) throw r.corrupt(`${bytes.length} bytes is too short`);
  const crcAt = bytes.length - 4;
  const stored = new DataView(bytes.buffer, bytes.byteOffset + crcAt, 4).getUint32(0);
  if (crc32c(bytes, 0, 0, crcAt) !== stored) throw r.corrupt('CRC32C mismatch');
  const version = r.u8();
  const known = [
    partitionSnapshotVersion,
    partitionSnapshotVersionV4,
    partitionSnapshotVersionV3,
    partitionSnapshotVersionV2,
    partitionSnapshotVersionV1,
  ];
  if (version > partitionSnapshotVersion)
    throw new NewerFormatError(`partition snapshot of version ${version}`);
  if (!known.includes(version)) {
    throw r.corrupt(`unknown version ${version}`);
  }
  const appliedIndex = r.u64();
  const logStartOffset = r.u64();
  const nextOffset = r.u64();
  const lastTimestampMs = r.i64();
  const limits = version === partitionSnapshotVersionV1 ? readLimitsV1(r) : readLimits(r);
  try {
    validatePartitionLimits(limits);
  } catch (cause) {
    throw new RaftlogError('CORRUPT_MESSAGE', 'partition snapshot: limits out of range', { cause });
  }
  const producerCount = r.u32();
  if (producerCount * producerBytes > r.remaining) throw r.corrupt(`${producerCount} producers do not fit`);
  const producers: ProducerEntry[] = [];
  for (let i = 0; i < producerCount; i++) producers.push(readProducer(r, limits.dedupHorizonBatches));
  const aborted = readAborted(r);
  const compaction =
    version >= partitionSnapshotVersionV3
      ? { upToOffset: r.u64(), tombstonesBeforeOffset: r.u64() }
      : { upToOffset: 0, tombstonesBeforeOffset: 0 };
  if (compaction.tombstonesBeforeOffset > compaction.upToOffset || compaction.upToOffset > nextOffset)
    throw r.corrupt('compaction bounds out of order');
  const queues = version >= partitionSnapshotVersionV4 ? readQueueGroups(r) : [];
  const queueLeaseIdFloor = version >= partitionSnapshotVersion ? r.u64() : 0;
  if (r.remaining !== 4) throw r.corrupt(`${r.remaining - 4} bytes before the checksum are unaccounted for`);
  if (logStartOffset > nextOffset) throw r.corrupt('log start offset is past the next offset');
  const data: PartitionStateData = {
    limits,
    appliedIndex,
    logStartOffset,
    nextOffset,
    lastTimestampMs,
    producers,
    aborted,
    compaction,
    queues,
    queueLeaseIdFloor,
  };
  return PartitionStateMachine.fromData(data);
}
