import type { BinaryReader, BinaryWriter } from './binary.js';
import type {
  PendingMessage,
  PendingState,
  QueueGrant,
  QueueDeleteCommand,
  QueueGroupData,
  QueueLeaseCommand,
  QueueOp,
  QueueOpKind,
  QueueSettleCommand,
  QueueWaiting,
} from './queue-types.js';

/**
 * Binary layouts of the queue commands and of the queue section of a partition snapshot. Strings
 * are u16-length UTF-8, keys i32-length bytes (-1: null), integers big-endian i64 unless noted.
 *
 * lease:  queue | fromCursor | scanTo | leaseMs | grants u32 × (offset, appendTimeMs, deadLetter u8, key)
 *         | waiting u32 × (offset, appendTimeMs, visibleAtMs, key) | drops u32 × offset
 * settle: queue | producerId | producerEpoch i32 | ops u32 × (kind u8, offset, leaseId, ms, error)
 * delete: queue
 * groups: u32 × (name | cursor | lastLeaseId | deadLettered | pending u32 × (offset, appendTimeMs,
 *         key, deliveryCount u32, state u8, leaseId, untilMs, producerId, lastError))
 */
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

const opKinds: readonly QueueOpKind[] = ['ack', 'nack', 'extend', 'dead-letter'];
const states: readonly PendingState[] = ['leased', 'waiting', 'txn-acked'];

const strBytes = (s: string): number => 2 + utf8.encode(s).length;
const keyBytes = (k: Uint8Array | null): number => 4 + (k === null ? 0 : k.length);

function writeStr(w: BinaryWriter, s: string): void {
  const b = utf8.encode(s);
  w.u16(b.length).raw(b);
}
function writeKey(w: BinaryWriter, k: Uint8Array | null): void {
  if (k === null) w.i32(-1);
  else w.i32(k.length).raw(k);
}
function readStr(r: BinaryReader): string {
  try {
    return utf8Decoder.decode(r.take(r.u16()));
  } catch {
    throw r.corrupt('a string is not valid UTF-8');
  }
}
function readKey(r: BinaryReader): Uint8Array | null {
  const n = r.i32();
  // A copy: the entry's buffer must not stay alive for as long as the message is pending.
  return n === -1 ? null : r.take(n).slice();
}
function readCount(r: BinaryReader, itemBytesMin: number): number {
  const n = r.u32();
  if (n * itemBytesMin > r.remaining) throw r.corrupt(`${n} items do not fit`);
  return n;
}

export function queueLeaseBytes(c: QueueLeaseCommand): number {
  let size = strBytes(c.queue) + 3 * 8 + 3 * 4 + c.drops.length * 8;
  for (const g of c.grants) size += 8 + 8 + 1 + keyBytes(g.key);
  for (const w of c.waiting) size += 3 * 8 + keyBytes(w.key);
  return size;
}

export function writeQueueLease(w: BinaryWriter, c: QueueLeaseCommand): void {
  writeStr(w, c.queue);
  w.i64(c.fromCursor).i64(c.scanTo).i64(c.leaseMs).u32(c.grants.length);
  for (const g of c.grants) {
    w.i64(g.offset)
      .i64(g.appendTimeMs)
      .u8(g.deadLetter ? 1 : 0);
    writeKey(w, g.key);
  }
  w.u32(c.waiting.length);
  for (const x of c.waiting) {
    w.i64(x.offset).i64(x.appendTimeMs).i64(x.visibleAtMs);
    writeKey(w, x.key);
  }
  w.u32(c.drops.length);
  for (const d of c.drops) w.i64(d);
}

export function readQueueLease(r: BinaryReader): QueueLeaseCommand {
  const queue = readStr(r);
  const fromCursor = r.u64();
  const scanTo = r.u64();
  const leaseMs = r.i64();
  const grants: QueueGrant[] = [];
  for (let n = readCount(r, 21); n > 0; n--) {
    const offset = r.u64();
    const appendTimeMs = r.i64();
    const deadLetter = r.u8() === 1;
    grants.push({ offset, appendTimeMs, deadLetter, key: readKey(r) });
  }
  const waiting: QueueWaiting[] = [];
  for (let n = readCount(r, 28); n > 0; n--) {
    const offset = r.u64();
    const appendTimeMs = r.i64();
    const visibleAtMs = r.i64();
    waiting.push({ offset, appendTimeMs, visibleAtMs, key: readKey(r) });
  }
  const drops: number[] = [];
  for (let n = readCount(r, 8); n > 0; n--) drops.push(r.u64());
  return { type: 'queue-lease', queue, fromCursor, scanTo, leaseMs, grants, waiting, drops };
}

export function queueSettleBytes(c: QueueSettleCommand): number {
  let size = strBytes(c.queue) + 8 + 4 + 4;
  for (const op of c.ops) size += 1 + 3 * 8 + strBytes(op.error);
  return size;
}

export function writeQueueSettle(w: BinaryWriter, c: QueueSettleCommand): void {
  writeStr(w, c.queue);
  w.i64(c.producerId).i32(c.producerEpoch).u32(c.ops.length);
  for (const op of c.ops) {
    w.u8(opKinds.indexOf(op.kind)).i64(op.offset).i64(op.leaseId).i64(op.ms);
    writeStr(w, op.error);
  }
}

export function readQueueSettle(r: BinaryReader): QueueSettleCommand {
  const queue = readStr(r);
  const producerId = r.i64();
  const producerEpoch = r.i32();
  const ops: QueueOp[] = [];
  for (let n = readCount(r, 27); n > 0; n--) {
    const kind = opKinds[r.u8()];
    if (kind === undefined) throw r.corrupt('unknown queue op');
    ops.push({ kind, offset: r.u64(), leaseId: r.u64(), ms: r.i64(), error: readStr(r) });
  }
  return { type: 'queue-settle', queue, producerId, producerEpoch, ops };
}

export function queueDeleteBytes(c: QueueDeleteCommand): number {
  return strBytes(c.queue);
}

export function writeQueueDelete(w: BinaryWriter, c: QueueDeleteCommand): void {
  writeStr(w, c.queue);
}

export function readQueueDelete(r: BinaryReader): QueueDeleteCommand {
  return { type: 'queue-delete', queue: readStr(r) };
}

export function queueGroupsBytes(groups: readonly QueueGroupData[]): number {
  let size = 4;
  for (const g of groups) {
    size += strBytes(g.name) + 3 * 8 + 4;
    for (const p of g.pending) size += 8 + 8 + keyBytes(p.key) + 4 + 1 + 3 * 8 + strBytes(p.lastError);
  }
  return size;
}

export function writeQueueGroups(w: BinaryWriter, groups: readonly QueueGroupData[]): void {
  w.u32(groups.length);
  for (const g of groups) {
    writeStr(w, g.name);
    w.i64(g.cursor).i64(g.lastLeaseId).i64(g.deadLettered).u32(g.pending.length);
    for (const p of g.pending) {
      w.i64(p.offset).i64(p.appendTimeMs);
      writeKey(w, p.key);
      w.u32(p.deliveryCount).u8(states.indexOf(p.state)).i64(p.leaseId).i64(p.untilMs).i64(p.producerId);
      writeStr(w, p.lastError);
    }
  }
}

export function readQueueGroups(r: BinaryReader): QueueGroupData[] {
  const groups: QueueGroupData[] = [];
  for (let n = readCount(r, 30); n > 0; n--) {
    const name = readStr(r);
    const cursor = r.u64();
    const lastLeaseId = r.u64();
    const deadLettered = r.u64();
    const pending: PendingMessage[] = [];
    for (let m = readCount(r, 47); m > 0; m--) pending.push(readPending(r));
    groups.push({ name, cursor, lastLeaseId, deadLettered, pending });
  }
  return groups;
}

function readPending(r: BinaryReader): PendingMessage {
  const offset = r.u64();
  const appendTimeMs = r.i64();
  const key = readKey(r);
  const deliveryCount = r.u32();
  const state = states[r.u8()];
  if (state === undefined) throw r.corrupt('unknown pending state');
  const leaseId = r.u64();
  const untilMs = r.i64();
  const producerId = r.i64();
  return {
    offset,
    appendTimeMs,
    key,
    deliveryCount,
    state,
    leaseId,
    untilMs,
    producerId,
    lastError: readStr(r),
  };
}
