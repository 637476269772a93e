import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, NewerFormatError, RaftlogError } from '../../lib/index.js';
import { applyPartitionEntry } from './apply-partition-entry.js';
import { encodeMarkerBatch } from './control-record.js';
import {
  decodePartitionEntry,
  encodePartitionEntry,
  partitionCommandTypes,
} from './partition-command-codec.js';
import { decodePartitionSnapshot, encodePartitionSnapshot } from './partition-snapshot-codec.js';
import { PartitionStateMachine } from './partition-state-machine.js';
import {
  defaultPartitionLimits,
  producerBatchBytes,
  producerEntryBytes,
  type PartitionEntry,
  type PartitionResult,
} from './partition-types.js';
import { batch } from './test-batches.js';

const knownTypesMax = Math.max(...Object.values(partitionCommandTypes));

describe('partition entry codec', () => {
  it('round-trips commands and returns the batch as a view of the entry', () => {
    const bytes = batch({ records: 3, producerId: 4 });
    const entry: PartitionEntry = {
      timestampMs: 1_700_000_000_123,
      command: { type: 'append', acks: 'leader', batch: bytes },
    };
    const data = encodePartitionEntry(entry);
    expect(data[0]).toBe(1);
    expect(data.length).toBe(10 + bytes.length);
    const decoded = decodePartitionEntry(data);
    expect(decoded).toEqual(entry);
    if (decoded.command.type === 'append') expect(decoded.command.batch.buffer).toBe(data.buffer);
    const start: PartitionEntry = {
      timestampMs: -5,
      command: { type: 'set-log-start-offset', logStartOffset: 2 ** 40 },
    };
    expect(decodePartitionEntry(encodePartitionEntry(start))).toEqual(start);
  });

  it('rejects garbage with CORRUPT_MESSAGE, and applying it only moves the applied index', () => {
    const sm = new PartitionStateMachine();
    const cases = [
      new Uint8Array([]),
      new Uint8Array([0]),
      new Uint8Array([1, 7, 0]),
      new Uint8Array([2, 0, 0]),
    ];
    cases.forEach((data, i) => {
      expect(() => decodePartitionEntry(data)).toThrow(expect.objectContaining({ code: 'CORRUPT_MESSAGE' }));
      expect(applyPartitionEntry(sm, data, i + 1).result).toMatchObject({
        ok: false,
        code: 'CORRUPT_MESSAGE',
      });
    });
    expect(sm.appliedIndex).toBe(cases.length);
    expect(sm.nextOffset).toBe(0);
  });

  it('stops at a command type a later version added instead of skipping it', () => {
    const sm = new PartitionStateMachine();
    const later = new Uint8Array([knownTypesMax + 1, 0, 0, 0]);
    expect(() => applyPartitionEntry(sm, later, 1)).toThrow(NewerFormatError);
    expect(() => applyPartitionEntry(sm, later, 1)).toThrow(/command type 7: written by a newer version/);
    expect(sm.appliedIndex).toBe(0);
  });

  it('never throws anything but RaftlogError on random bytes, and applying throws only on a later type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (data) => {
        const sm = new PartitionStateMachine();
        try {
          decodePartitionEntry(data);
        } catch (error) {
          expect(error).toBeInstanceOf(RaftlogError);
        }
        const fromLater = (data[0] ?? 0) > knownTypesMax;
        if (fromLater) expect(() => applyPartitionEntry(sm, data, 1)).toThrow(NewerFormatError);
        else expect(() => applyPartitionEntry(sm, data, 1)).not.toThrow();
        try {
          decodePartitionSnapshot(data);
        } catch (error) {
          expect(error).toBeInstanceOf(RaftlogError);
        }
      }),
    );
  });
});

describe('partition snapshot codec', () => {
  function busy(): PartitionStateMachine {
    const sm = new PartitionStateMachine({ dedupHorizonBatches: 4 });
    const batches = [
      batch({ producerId: 1, transactional: true, records: 2 }),
      batch({ records: 3 }),
      batch({ producerId: 2, epoch: 5 }),
      batch({ producerId: 3, transactional: true }),
      encodeMarkerBatch({ producerId: 3, producerEpoch: 0, type: 'abort', timestampMs: 9 }),
      batch({ producerId: 2, epoch: 5, sequence: 1, records: 4 }),
    ];
    batches.forEach((b, i) =>
      sm.apply({ type: 'append', acks: 'quorum', batch: b }, { index: i + 1, timestampMs: 100 * i }),
    );
    return sm;
  }

  it('restores the same state, byte for byte', () => {
    const sm = busy();
    const bytes = encodePartitionSnapshot(sm);
    expect(bytes[0]).toBe(5);
    const restored = decodePartitionSnapshot(bytes);
    expect(restored.toData()).toEqual(sm.toData());
    expect(encodePartitionSnapshot(restored)).toEqual(bytes);
    expect(restored.lastStableOffset).toBe(0);
    expect(restored.abortedTransactions(0, 100)).toEqual([{ producerId: 3, firstOffset: 6, lastOffset: 7 }]);
  });

  it('still reads a v1 snapshot, with the default idle time and byte budget', () => {
    const sm = busy();
    const v3 = asV3(encodePartitionSnapshot(sm));
    // v2 is v3 without the compaction bounds (two i64 before the checksum).
    const v2 = Uint8Array.of(...v3.subarray(0, v3.length - 20), 0, 0, 0, 0);
    // v1 had dedupHorizonBatches, producersMax, openTransactionsMax (u32) where v2 has its four limits.
    const v1 = new Uint8Array(v2.length - 12);
    const view = new DataView(v1.buffer);
    v1[0] = 1;
    v1.set(v2.subarray(1, 33), 1);
    view.setUint32(33, 4);
    view.setUint32(37, 1000);
    view.setUint32(41, 3);
    v1.set(v2.subarray(57, v2.length - 4), 45);
    view.setUint32(v1.length - 4, crc32c(v1, 0, 0, v1.length - 4));
    const restored = decodePartitionSnapshot(v1);
    expect(restored.limits).toEqual({
      ...defaultPartitionLimits,
      dedupHorizonBatches: 4,
      openTransactionsMax: 3,
    });
    expect(restored.toData().producers).toEqual(sm.toData().producers);
    expect(restored.nextOffset).toBe(sm.nextOffset);
  });

  it('keeps the queue lease id floor, and a v4 snapshot restores with none', () => {
    const sm = new PartitionStateMachine();
    sm.apply({ type: 'append', acks: 'quorum', batch: batch({ records: 2 }) }, { index: 1, timestampMs: 1 });
    const grants = [0, 1].map((offset) => ({ offset, appendTimeMs: 1, key: null, deadLetter: false }));
    const lease = { type: 'queue-lease', queue: 'q', fromCursor: 0, scanTo: 2, leaseMs: 10 } as const;
    sm.apply({ ...lease, grants, waiting: [], drops: [] }, { index: 2, timestampMs: 2 });
    sm.apply({ type: 'queue-delete', queue: 'q' }, { index: 3, timestampMs: 3 });
    const v5 = encodePartitionSnapshot(sm);
    expect(decodePartitionSnapshot(v5).toData().queueLeaseIdFloor).toBe(2);
    const v4 = Uint8Array.of(...v5.subarray(0, v5.length - 12), 0, 0, 0, 0);
    v4[0] = 4;
    new DataView(v4.buffer).setUint32(v4.length - 4, crc32c(v4, 0, 0, v4.length - 4));
    expect(decodePartitionSnapshot(v4).toData()).toEqual({ ...sm.toData(), queueLeaseIdFloor: 0 });
  });

  it('keeps the compaction bounds, and a v2 snapshot restores with none', () => {
    const sm = new PartitionStateMachine();
    sm.apply({ type: 'append', acks: 'quorum', batch: batch({ records: 5 }) }, { index: 1, timestampMs: 1 });
    const compact = { type: 'compact', upToOffset: 5, tombstonesBeforeOffset: 3 } as const;
    expect(sm.apply(compact, { index: 2, timestampMs: 2 })).toMatchObject({ ok: true, type: 'compaction' });
    // Past the last stable offset, or a tombstone bound past the end: refused alike everywhere.
    const beyond = { ...compact, upToOffset: 6 };
    expect(sm.apply(beyond, { index: 3, timestampMs: 3 })).toMatchObject({
      ok: false,
      code: 'OFFSET_OUT_OF_RANGE',
    });
    const inverted = { ...compact, upToOffset: 2, tombstonesBeforeOffset: 3 };
    expect(sm.apply(inverted, { index: 4, timestampMs: 4 })).toMatchObject({
      ok: false,
      code: 'INVALID_ARGUMENT',
    });
    // An older decision arriving later lowers nothing.
    sm.apply({ ...compact, upToOffset: 4 }, { index: 5, timestampMs: 5 });
    const v3 = asV3(encodePartitionSnapshot(sm));
    expect(decodePartitionSnapshot(v3).compactionTarget).toEqual({
      upToOffset: 5,
      tombstonesBeforeOffset: 3,
    });
    const v2 = Uint8Array.of(...v3.subarray(0, v3.length - 20), 0, 0, 0, 0);
    v2[0] = 2;
    new DataView(v2.buffer).setUint32(v2.length - 4, crc32c(v2, 0, 0, v2.length - 4));
    expect(decodePartitionSnapshot(v2).compactionTarget).toEqual({
      upToOffset: 0,
      tombstonesBeforeOffset: 0,
    });
  });

  it('detects any flipped bit', () => {
    const bytes = encodePartitionSnapshot(busy());
    for (let i = 0; i < bytes.length; i += 7) {
      const damaged = bytes.slice();
      damaged[i]! ^= 0x10;
      expect(() => decodePartitionSnapshot(damaged)).toThrow(
        expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
      );
    }
    expect(() => decodePartitionSnapshot(bytes.subarray(0, bytes.length - 1))).toThrow(RaftlogError);
  });
});

/** A command as the property test draws it; turned into entry bytes by `toEntry`. */
type Step =
  | { kind: 'plain'; records: number }
  | { kind: 'idem'; pid: number; epoch: number; seq: number; records: number; txn: boolean }
  | { kind: 'marker'; pid: number; epoch: number; commit: boolean }
  | { kind: 'log-start'; offset: number }
  | { kind: 'garbage' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('plain' as const), records: fc.integer({ min: 1, max: 4 }) }),
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('idem' as const),
      pid: fc.integer({ min: 0, max: 3 }),
      epoch: fc.integer({ min: 0, max: 2 }),
      seq: fc.integer({ min: 0, max: 12 }),
      records: fc.integer({ min: 1, max: 3 }),
      txn: fc.boolean(),
    }),
  },
  fc.record({
    kind: fc.constant('marker' as const),
    pid: fc.integer({ min: 0, max: 3 }),
    epoch: fc.integer({ min: 0, max: 2 }),
    commit: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('log-start' as const), offset: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('garbage' as const) }),
);

function toEntry(step: Step, i: number): Uint8Array {
  const timestampMs = 1000 + i;
  switch (step.kind) {
    case 'plain':
      return encodePartitionEntry({
        timestampMs,
        command: { type: 'append', acks: 'quorum', batch: batch({ records: step.records }) },
      });
    case 'idem': {
      const b = batch({
        producerId: step.pid,
        epoch: step.epoch,
        sequence: step.seq,
        records: step.records,
        transactional: step.txn,
      });
      return encodePartitionEntry({ timestampMs, command: { type: 'append', acks: 'quorum', batch: b } });
    }
    case 'marker': {
      const type = step.commit ? 'commit' : 'abort';
      const b = encodeMarkerBatch({ producerId: step.pid, producerEpoch: step.epoch, type, timestampMs });
      return encodePartitionEntry({ timestampMs, command: { type: 'append', acks: 'none', batch: b } });
    }
    case 'log-start':
      return encodePartitionEntry({
        timestampMs,
        command: { type: 'set-log-start-offset', logStartOffset: step.offset },
      });
    case 'garbage':
      return new Uint8Array([1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 42]);
  }
}

function run(
  entries: readonly Uint8Array[],
  restoreAt: number,
  limits: { dedupHorizonBatches: number; producerStateBytesMax: number; producerIdleMsMax: number },
) {
  let sm = new PartitionStateMachine({ ...limits, openTransactionsMax: 3 });
  const results: PartitionResult[] = [];
  entries.forEach((data, i) => {
    if (i === restoreAt) sm = decodePartitionSnapshot(encodePartitionSnapshot(sm));
    // Every third index is skipped, as empty leader entries and conf changes are.
    if (i % 3 === 2) sm.skip(2 * i);
    results.push(applyPartitionEntry(sm, data, 2 * i + 1).result);
  });
  return { snapshot: encodePartitionSnapshot(sm), results, sm };
}

describe('replicas', () => {
  it('compute identical states and results whether or not one restores from a snapshot midway', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { maxLength: 60 }),
        fc.nat(),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        (steps, cut, horizon, producers) => {
          const entries = steps.map(toEntry);
          // Room for `producers` producers with full horizons; idle after 20 entries' worth of time.
          const producerStateBytesMax = producers * (producerEntryBytes + horizon * producerBatchBytes);
          const limits = { dedupHorizonBatches: horizon, producerStateBytesMax, producerIdleMsMax: 20 };
          const a = run(entries, -1, limits);
          const b = run(entries, cut % (entries.length + 1), limits);
          expect(b.results).toEqual(a.results);
          expect(b.snapshot).toEqual(a.snapshot);
          expect(a.sm.lastStableOffset).toBeLessThanOrEqual(a.sm.highWatermark);
          // Accepted offsets are dense and never handed out twice.
          let next = 0;
          for (const r of a.results) {
            if (!r.ok || r.type !== 'appended' || r.duplicate) continue;
            expect(r.baseOffset).toBe(next);
            next = r.lastOffset + 1;
          }
          expect(next).toBe(a.sm.nextOffset);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** A v5 snapshot without queue groups as v3 wrote it: no queue group count, no lease id floor. */
function asV3(v5: Uint8Array): Uint8Array {
  const v3 = Uint8Array.of(...v5.subarray(0, v5.length - 16), 0, 0, 0, 0);
  v3[0] = 3;
  new DataView(v3.buffer).setUint32(v3.length - 4, crc32c(v3, 0, 0, v3.length - 4));
  return v3;
}
