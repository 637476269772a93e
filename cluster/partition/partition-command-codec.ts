import { NewerFormatError } from '../../lib/index.js';
import { BinaryReader, BinaryWriter } from './binary.js';
import type { Acks, PartitionEntry } from './partition-types.js';
import {
  queueDeleteBytes,
  queueLeaseBytes,
  queueSettleBytes,
  readQueueDelete,
  readQueueLease,
  readQueueSettle,
  writeQueueDelete,
  writeQueueLease,
  writeQueueSettle,
} from './queue-codec.js';

/**
 * Raft entry data of a partition group: one command-type byte, the leader's timestamp, the fields,
 * and for an append the batch bytes last and unframed. Encoding copies the batch once (into the
 * entry); decoding returns a view of it. A new layout takes a new command-type byte.
 */
export const partitionCommandTypes = {
  append: 1,
  setLogStartOffset: 2,
  compact: 3,
  queueLease: 4,
  queueSettle: 5,
  queueDelete: 6,
} as const;

const acksCodes: Record<Acks, number> = { none: 0, leader: 1, quorum: 2 };
const acksByCode: readonly Acks[] = ['none', 'leader', 'quorum'];
export const appendHeaderBytes = 1 + 1 + 8;

export function encodePartitionEntry(entry: PartitionEntry): Uint8Array {
  const c = entry.command;
  switch (c.type) {
    case 'append':
      return new BinaryWriter(appendHeaderBytes + c.batch.length)
        .u8(partitionCommandTypes.append)
        .u8(acksCodes[c.acks])
        .i64(entry.timestampMs)
        .raw(c.batch).bytes;
    case 'set-log-start-offset':
      return new BinaryWriter(1 + 8 + 8)
        .u8(partitionCommandTypes.setLogStartOffset)
        .i64(entry.timestampMs)
        .i64(c.logStartOffset).bytes;
    case 'compact':
      return new BinaryWriter(1 + 8 + 8 + 8)
        .u8(partitionCommandTypes.compact)
        .i64(entry.timestampMs)
        .i64(c.upToOffset)
        .i64(c.tombstonesBeforeOffset).bytes;
    case 'queue-lease': {
      const w = new BinaryWriter(1 + 8 + queueLeaseBytes(c))
        .u8(partitionCommandTypes.queueLease)
        .i64(entry.timestampMs);
      writeQueueLease(w, c);
      return w.bytes;
    }
    case 'queue-settle': {
      const w = new BinaryWriter(1 + 8 + queueSettleBytes(c))
        .u8(partitionCommandTypes.queueSettle)
        .i64(entry.timestampMs);
      writeQueueSettle(w, c);
      return w.bytes;
    }
    case 'queue-delete': {
      const w = new BinaryWriter(1 + 8 + queueDeleteBytes(c))
        .u8(partitionCommandTypes.queueDelete)
        .i64(entry.timestampMs);
      writeQueueDelete(w, c);
      return w.bytes;
    }
  }
}

/**
 * Throws CORRUPT_MESSAGE on bytes this version did not write; NewerFormatError on a command type it
 * does not know (a later version changes a command's layout only under a new type).
 */
export function decodePartitionEntry(data: Uint8Array): PartitionEntry {
  const r = new BinaryReader(data, 'partition entry');
  const type = r.u8();
  if (type === partitionCommandTypes.append) {
    const acks = acksByCode[r.u8()];
    if (acks === undefined) throw r.corrupt('unknown acks');
    const timestampMs = r.i64();
    return { timestampMs, command: { type: 'append', acks, batch: r.rest() } };
  }
  if (type === partitionCommandTypes.setLogStartOffset) {
    const timestampMs = r.i64();
    const logStartOffset = r.u64();
    r.done();
    return { timestampMs, command: { type: 'set-log-start-offset', logStartOffset } };
  }
  if (type === partitionCommandTypes.compact) {
    const timestampMs = r.i64();
    const upToOffset = r.u64();
    const tombstonesBeforeOffset = r.u64();
    r.done();
    return { timestampMs, command: { type: 'compact', upToOffset, tombstonesBeforeOffset } };
  }
  if (
    type === partitionCommandTypes.queueLease ||
    type === partitionCommandTypes.queueSettle ||
    type === partitionCommandTypes.queueDelete
  ) {
    const timestampMs = r.i64();
    const command =
      type === partitionCommandTypes.queueLease
        ? readQueueLease(r)
        : type === partitionCommandTypes.queueSettle
          ? readQueueSettle(r)
          : readQueueDelete(r);
    r.done();
    return { timestampMs, command };
  }
  if (type === 0) throw r.corrupt('command type 0');
  // Never written by this version's encoder, so a later version's: see NewerFormatError.
  throw new NewerFormatError(`partition entry of command type ${type}`);
}
