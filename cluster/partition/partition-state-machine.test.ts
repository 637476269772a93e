import { describe, expect, it } from 'vitest';
import { BatchWindow } from './batch-window.js';
import { encodeMarkerBatch } from './control-record.js';
import { PartitionStateMachine } from './partition-state-machine.js';
import { decodePartitionSnapshot, encodePartitionSnapshot } from './partition-snapshot-codec.js';
import {
  producerBatchBytes,
  producerEntryBytes,
  type PartitionCommand,
  type PartitionResult,
} from './partition-types.js';
import { sequenceMax } from './sequence.js';
import { batch, type BatchSpec } from './test-batches.js';

class Replica {
  sm: PartitionStateMachine;
  private index = 0;
  constructor(limits: ConstructorParameters<typeof PartitionStateMachine>[0] = {}) {
    this.sm = new PartitionStateMachine(limits);
  }
  apply(command: PartitionCommand, timestampMs = 5000 + this.index + 1): PartitionResult {
    this.index++;
    return this.sm.apply(command, { index: this.index, timestampMs });
  }
  append(spec: BatchSpec = {}, timestampMs?: number): PartitionResult {
    return this.apply({ type: 'append', acks: 'quorum', batch: batch(spec) }, timestampMs);
  }
  marker(producerId: number, epoch: number, type: 'commit' | 'abort'): PartitionResult {
    const bytes = encodeMarkerBatch({ producerId, producerEpoch: epoch, type, timestampMs: 1 });
    return this.apply({ type: 'append', acks: 'quorum', batch: bytes });
  }
  restore(): void {
    this.sm = decodePartitionSnapshot(encodePartitionSnapshot(this.sm));
  }
}

const offsets = (r: PartitionResult) =>
  r.ok && r.type === 'appended' ? [r.baseOffset, r.lastOffset, r.duplicate] : r.ok ? r : r.code;

describe('offsets', () => {
  it('assigns consecutive offsets by record count and moves the high watermark', () => {
    const r = new Replica();
    const plain = batch({ records: 3 });
    const first = r.apply({ type: 'append', acks: 'leader', batch: plain });
    expect(first).toMatchObject({
      ok: true,
      baseOffset: 0,
      lastOffset: 2,
      logAppendTimeMs: 5001,
      duplicate: false,
    });
    if (first.ok && first.type === 'appended') expect(first.batch).toBe(plain);
    expect(offsets(r.append({ records: 1 }))).toEqual([3, 3, false]);
    expect(offsets(r.append({ records: 5 }))).toEqual([4, 8, false]);
    expect(r.sm.highWatermark).toBe(9);
    expect(r.sm.lastStableOffset).toBe(9);
    expect(r.sm.appliedIndex).toBe(3);
  });

  it('appends batches without a producer id every time, even identical ones', () => {
    const r = new Replica();
    const bytes = batch({ records: 2 });
    r.apply({ type: 'append', acks: 'quorum', batch: bytes });
    expect(offsets(r.apply({ type: 'append', acks: 'quorum', batch: bytes }))).toEqual([2, 3, false]);
  });

  it('rejects malformed batches without moving offsets', () => {
    const r = new Replica();
    r.append({ records: 2 });
    const truncated = batch({ records: 2 }).subarray(0, 40);
    const lying = batch({ records: 2 });
    new DataView(lying.buffer).setInt32(19, 5); // lastOffsetDelta
    for (const bytes of [truncated, lying, new Uint8Array(0)]) {
      expect(r.apply({ type: 'append', acks: 'quorum', batch: bytes })).toMatchObject({
        ok: false,
        code: 'CORRUPT_MESSAGE',
      });
    }
    expect(r.sm.nextOffset).toBe(2);
    expect(r.sm.appliedIndex).toBe(4);
  });
});

describe('idempotence', () => {
  it('returns the original offsets for a duplicate batch, also after snapshot and restore', () => {
    const r = new Replica();
    expect(offsets(r.append({ producerId: 7, sequence: 0, records: 3 }))).toEqual([0, 2, false]);
    r.append({ records: 4 });
    expect(offsets(r.append({ producerId: 7, sequence: 3, records: 2 }))).toEqual([7, 8, false]);
    expect(offsets(r.append({ producerId: 7, sequence: 0, records: 3 }))).toEqual([0, 2, true]);
    r.restore();
    expect(offsets(r.append({ producerId: 7, sequence: 3, records: 2 }))).toEqual([7, 8, true]);
    expect(offsets(r.append({ producerId: 7, sequence: 0, records: 3 }))).toEqual([0, 2, true]);
    expect(r.sm.nextOffset).toBe(9);
    expect(offsets(r.append({ producerId: 7, sequence: 5, records: 1 }))).toEqual([9, 9, false]);
  });

  it('rejects gaps, unknown producers not starting at 0, and resized retries', () => {
    const r = new Replica();
    r.append({ producerId: 1, sequence: 0, records: 2 });
    expect(r.append({ producerId: 1, sequence: 3 })).toMatchObject({
      ok: false,
      code: 'OUT_OF_ORDER_SEQUENCE',
    });
    expect(r.append({ producerId: 2, sequence: 4 })).toMatchObject({
      ok: false,
      code: 'UNKNOWN_PRODUCER_ID',
    });
    expect(r.append({ producerId: 1, sequence: 0, records: 1 })).toMatchObject({
      ok: false,
      code: 'OUT_OF_ORDER_SEQUENCE',
    });
    expect(r.sm.nextOffset).toBe(2);
    expect(r.sm.producer(1)).toMatchObject({ lastSequence: 1 });
  });

  it('fences older epochs and makes a new epoch start at sequence 0', () => {
    const r = new Replica();
    r.append({ producerId: 1, epoch: 1, sequence: 0 });
    expect(r.append({ producerId: 1, epoch: 0, sequence: 1 })).toMatchObject({
      ok: false,
      code: 'PRODUCER_FENCED',
    });
    expect(r.append({ producerId: 1, epoch: 2, sequence: 1 })).toMatchObject({
      ok: false,
      code: 'OUT_OF_ORDER_SEQUENCE',
    });
    expect(offsets(r.append({ producerId: 1, epoch: 2, sequence: 0 }))).toEqual([1, 1, false]);
    expect(r.append({ producerId: 1, epoch: 1, sequence: 1 })).toMatchObject({
      ok: false,
      code: 'PRODUCER_FENCED',
    });
    expect(r.sm.producer(1)).toMatchObject({ epoch: 2, lastSequence: 0 });
  });

  it('wraps the sequence from 2^31 - 1 to 0', () => {
    const r = new Replica();
    r.append({ producerId: 3, sequence: 0 });
    const data = r.sm.toData();
    const p = data.producers[0]!;
    r.sm = PartitionStateMachine.fromData({
      ...data,
      producers: [{ ...p, lastSequence: sequenceMax - 1, batches: new BatchWindow() }],
    });
    expect(offsets(r.append({ producerId: 3, sequence: sequenceMax, records: 3 }))).toEqual([1, 3, false]);
    expect(r.sm.producer(3)).toMatchObject({ lastSequence: 1 });
    expect(r.append({ producerId: 3, sequence: 0 })).toMatchObject({
      ok: false,
      code: 'OUT_OF_ORDER_SEQUENCE',
    });
    expect(offsets(r.append({ producerId: 3, sequence: 2, records: 1 }))).toEqual([4, 4, false]);
    expect(offsets(r.append({ producerId: 3, sequence: sequenceMax, records: 3 }))).toEqual([1, 3, true]);
  });

  it('remembers exactly the configured number of batches per producer', () => {
    const r = new Replica({ dedupHorizonBatches: 3 });
    for (let s = 0; s < 5; s++) r.append({ producerId: 1, sequence: s });
    expect(offsets(r.append({ producerId: 1, sequence: 2 }))).toEqual([2, 2, true]);
    expect(r.append({ producerId: 1, sequence: 1 })).toMatchObject({
      ok: false,
      code: 'OUT_OF_ORDER_SEQUENCE',
    });
  });

  it("keeps the state of a 1,001st producer and more: the first one's retry is still a duplicate", () => {
    const r = new Replica();
    const first = r.append({ producerId: 0 });
    for (let pid = 1; pid <= 1_500; pid++) r.append({ producerId: pid });
    expect(r.sm.producerCount).toBe(1_501);
    expect(r.append({ producerId: 0 })).toMatchObject({ ok: true, duplicate: true });
    expect(first).toMatchObject({ ok: true, baseOffset: 0 });
    expect(offsets(r.append({ producerId: 0 }))).toEqual([0, 0, true]);
  });

  it('forgets a producer idle beyond producerIdleMsMax, by the leader times in the entries', () => {
    const r = new Replica({ producerIdleMsMax: 1_000 });
    r.append({ producerId: 1 }, 10_000);
    r.append({ producerId: 2 }, 10_500);
    r.append({ producerId: 2, sequence: 1 }, 11_000);
    // At 11,000 producer 1 has been idle exactly 1,000 ms: still known.
    expect(r.sm.producer(1)).toBeDefined();
    r.append({}, 11_001);
    expect(r.sm.producer(1)).toBeUndefined();
    expect(r.sm.producer(2)).toBeDefined();
    expect(r.append({ producerId: 1, sequence: 1 }, 11_002)).toMatchObject({
      ok: false,
      code: 'UNKNOWN_PRODUCER_ID',
    });
    // A replica restored from a snapshot forgets at the same entry.
    const twin = new Replica({ producerIdleMsMax: 1_000 });
    twin.append({ producerId: 1 }, 10_000);
    twin.restore();
    twin.append({}, 11_001);
    expect(twin.sm.producer(1)).toBeUndefined();
  });

  it('forgets the idlest producers beyond producerStateBytesMax', () => {
    // Room for one producer with a full horizon of 2 batches, or two producers of one batch each.
    const bytes = producerEntryBytes * 2 + producerBatchBytes * 2;
    const r = new Replica({ dedupHorizonBatches: 2, producerStateBytesMax: bytes });
    r.append({ producerId: 1 });
    r.append({ producerId: 2 });
    expect(r.sm.producerCount).toBe(2);
    r.append({ producerId: 1, sequence: 1 });
    expect(r.sm.producer(2)).toBeUndefined();
    expect(r.sm.producer(1)).toBeDefined();
    expect(r.append({ producerId: 2, sequence: 1 })).toMatchObject({
      ok: false,
      code: 'UNKNOWN_PRODUCER_ID',
    });
    expect(
      () => new PartitionStateMachine({ dedupHorizonBatches: 2, producerStateBytesMax: bytes - 97 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('rejects a producer id without epoch or sequence', () => {
    const r = new Replica();
    expect(r.append({ producerId: 1, epoch: -1 })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(r.append({ transactional: true })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
  });
});

describe('transactions', () => {
  it('computes the last stable offset across open, committed and aborted transactions', () => {
    const r = new Replica();
    r.append({ producerId: 1, transactional: true, records: 2 }); // 0-1
    r.append({ records: 1 }); // 2
    r.append({ producerId: 2, transactional: true, records: 2 }); // 3-4
    r.append({ producerId: 1, sequence: 2, transactional: true }); // 5
    expect(r.sm.lastStableOffset).toBe(0);
    expect(r.sm.openTransactionCount).toBe(2);
    expect(offsets(r.marker(1, 0, 'commit'))).toEqual([6, 6, false]);
    expect(r.sm.lastStableOffset).toBe(3);
    r.restore();
    expect(r.sm.lastStableOffset).toBe(3);
    r.marker(2, 0, 'abort'); // 7
    expect(r.sm.lastStableOffset).toBe(8);
    expect(r.sm.highWatermark).toBe(8);
    expect(r.sm.abortedTransactions(0, 8)).toEqual([{ producerId: 2, firstOffset: 3, lastOffset: 7 }]);
    expect(r.sm.abortedTransactions(8, 20)).toEqual([]);
    expect(r.sm.abortedTransactions(0, 3)).toEqual([]);
    r.append({ producerId: 2, sequence: 2, transactional: true }); // 8: a new transaction
    expect(r.sm.lastStableOffset).toBe(8);
  });

  it('keeps transactional and plain batches of one producer apart', () => {
    const r = new Replica();
    r.append({ producerId: 1, transactional: true });
    expect(r.append({ producerId: 1, sequence: 1 })).toMatchObject({ ok: false, code: 'INVALID_TXN_STATE' });
    expect(r.append({ producerId: 1, epoch: 1 })).toMatchObject({ ok: false, code: 'INVALID_TXN_STATE' });
  });

  it('fences by marker epoch and lets an aborting coordinator bump the epoch', () => {
    const r = new Replica();
    r.append({ producerId: 1, epoch: 3, transactional: true });
    expect(r.marker(1, 2, 'commit')).toMatchObject({ ok: false, code: 'PRODUCER_FENCED' });
    expect(r.sm.lastStableOffset).toBe(0);
    r.marker(1, 4, 'abort');
    expect(r.sm.lastStableOffset).toBe(2);
    expect(r.append({ producerId: 1, epoch: 3, sequence: 1 })).toMatchObject({
      ok: false,
      code: 'PRODUCER_FENCED',
    });
    expect(offsets(r.append({ producerId: 1, epoch: 4, sequence: 0 }))).toEqual([2, 2, false]);
  });

  it('bounds open transactions', () => {
    const r = new Replica({ openTransactionsMax: 1 });
    r.append({ producerId: 1, transactional: true });
    expect(r.append({ producerId: 2, transactional: true })).toMatchObject({
      ok: false,
      code: 'RESOURCE_EXHAUSTED',
    });
    r.marker(1, 0, 'commit');
    expect(r.append({ producerId: 2, transactional: true }).ok).toBe(true);
  });

  it('drops aborted ranges once the log start passes them', () => {
    const r = new Replica();
    r.append({ producerId: 1, transactional: true }); // 0
    r.marker(1, 0, 'abort'); // 1
    r.append({ producerId: 1, sequence: 1, transactional: true }); // 2
    r.marker(1, 0, 'abort'); // 3
    expect(r.apply({ type: 'set-log-start-offset', logStartOffset: 2 })).toEqual({
      ok: true,
      type: 'log-start-offset',
      logStartOffset: 2,
    });
    expect(r.sm.abortedTransactions(0, 10)).toEqual([{ producerId: 1, firstOffset: 2, lastOffset: 3 }]);
    expect(r.apply({ type: 'set-log-start-offset', logStartOffset: 1 })).toMatchObject({ logStartOffset: 2 });
    expect(r.apply({ type: 'set-log-start-offset', logStartOffset: 5 })).toMatchObject({
      code: 'OFFSET_OUT_OF_RANGE',
    });
  });
});
