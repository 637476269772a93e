import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, encodeRecordBatch, RaftlogError, RecordBatchView, timestampMsMax } from '../../lib/index.js';
import { applyPartitionEntry } from './apply-partition-entry.js';
import { encodeMarkerBatch, readMarkerType } from './control-record.js';
import { encodePartitionEntry } from './partition-command-codec.js';
import { PartitionStateMachine } from './partition-state-machine.js';
import { batch } from './test-batches.js';
import { validateAppendBatch, type AppendBatchRules } from './validate-append-batch.js';

const rules: AppendBatchRules = { maxMessageBytes: 1 << 20, proposalBatchBytesMax: 1 << 20 };

/** Header field offsets of the RecordBatch format (lib/record-batch/README.md). */
const at = { attributes: 17, baseTimestamp: 23, maxTimestamp: 31, producerId: 39, epoch: 47, sequence: 49 };

/** `bytes` changed by `edit`, with its CRC recomputed: well formed on the wire, whatever it says. */
function resealed(bytes: Uint8Array, edit: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  edit(view, copy);
  view.setUint32(13, crc32c(copy, 0, 17, copy.length));
  return copy;
}

function setInt64(view: DataView, offset: number, hi: number, lo: number): void {
  view.setInt32(offset, hi);
  view.setUint32(offset + 4, lo);
}

function expectFailure(f: () => unknown, code: string, message: string | RegExp): void {
  let failure: unknown;
  try {
    f();
  } catch (error) {
    failure = error;
  }
  expect(failure).toBeInstanceOf(RaftlogError);
  expect((failure as RaftlogError).code).toBe(code);
  expect((failure as RaftlogError).message).toMatch(message);
}

const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RaftlogError);
    return (error as RaftlogError).code;
  }
};

function applyBatch(sm: PartitionStateMachine, bytes: Uint8Array, index: number) {
  const data = encodePartitionEntry({
    timestampMs: 1_000 + index,
    command: { type: 'append', acks: 'quorum', batch: bytes },
  });
  return applyPartitionEntry(sm, data, index).result;
}

describe('validateAppendBatch', () => {
  it('accepts a well-formed producer batch', () => {
    expect(validateAppendBatch(batch({ records: 2 }), rules).recordCount).toBe(2);
    expect(validateAppendBatch(batch({ records: 2, producerId: 3, sequence: 7 }), rules).baseSequence).toBe(
      7,
    );
  });

  it('refuses a batch over the topic limit or over the node proposal limit with MESSAGE_TOO_LARGE', () => {
    const good = batch({ records: 2 });
    expectFailure(
      () => validateAppendBatch(good, { ...rules, maxMessageBytes: good.length - 1 }),
      'MESSAGE_TOO_LARGE',
      /maxMessageBytes/,
    );
    expectFailure(
      () => validateAppendBatch(good, { ...rules, proposalBatchBytesMax: good.length - 1 }),
      'MESSAGE_TOO_LARGE',
      /proposal limit/,
    );
  });

  it('refuses damaged, control and transactional batches with clear codes', () => {
    const good = batch({ records: 2 });
    const damaged = good.slice();
    damaged[damaged.length - 1]! ^= 1;
    expect(code(() => validateAppendBatch(damaged, rules))).toBe('CORRUPT_MESSAGE');
    const marker = encodeMarkerBatch({ producerId: 1, producerEpoch: 0, type: 'commit', timestampMs: 1 });
    expect(code(() => validateAppendBatch(marker, rules))).toBe('INVALID_ARGUMENT');
    const control = resealed(good, (v) => v.setInt16(at.attributes, 0x20));
    expect(code(() => validateAppendBatch(control, rules))).toBe('INVALID_ARGUMENT');
    const txn = batch({ producerId: 1, transactional: true });
    expectFailure(() => validateAppendBatch(txn, rules), 'INVALID_TXN_STATE', /AddPartitionsToTxn/);
    expect(validateAppendBatch(txn, { ...rules, transactionVerified: true }).isTransactional).toBe(true);
  });

  it('refuses timestamps outside [0, 2^52] and a maxTimestamp that is not the records', () => {
    const good = batch({ records: 2 });
    const huge = resealed(good, (v) => {
      setInt64(v, at.baseTimestamp, 2 ** 28, 0);
      setInt64(v, at.maxTimestamp, 2 ** 28, 0);
    });
    expectFailure(() => validateAppendBatch(huge, rules), 'CORRUPT_MESSAGE', /Timestamp/);
    const negative = resealed(good, (v) => setInt64(v, at.baseTimestamp, -1, 0xffff_ff00));
    expect(code(() => validateAppendBatch(negative, rules))).toBe('CORRUPT_MESSAGE');
    const overMax = resealed(good, (v) => {
      setInt64(v, at.baseTimestamp, 0x10_0000, 1);
      setInt64(v, at.maxTimestamp, 0x10_0000, 1);
    });
    expect(timestampMsMax).toBe(2 ** 52);
    expect(code(() => validateAppendBatch(overMax, rules))).toBe('CORRUPT_MESSAGE');
    const lyingMax = resealed(good, (v) => setInt64(v, at.maxTimestamp, 0, 5));
    expect(code(() => validateAppendBatch(lyingMax, rules))).toBe('CORRUPT_MESSAGE');
  });

  it('refuses unknown attribute bits, record attributes and non-sequential offset deltas', () => {
    const good = encodeRecordBatch({
      timestamp: 5,
      records: [{ value: new Uint8Array([1]) }, { value: null }],
    });
    expect(
      code(() =>
        validateAppendBatch(
          resealed(good, (v) => v.setInt16(at.attributes, 0x08)),
          rules,
        ),
      ),
    ).toBe('CORRUPT_MESSAGE');
    expect(
      code(() =>
        validateAppendBatch(
          resealed(good, (v) => v.setInt16(at.attributes, 0x01)),
          rules,
        ),
      ),
    ).toBe('CORRUPT_MESSAGE');
    // The first record: length varint at 57, attributes at 58, timestampDelta at 59, offsetDelta at 60.
    expect(
      code(() =>
        validateAppendBatch(
          resealed(good, (_, b) => (b[58] = 1)),
          rules,
        ),
      ),
    ).toBe('CORRUPT_MESSAGE');
    expect(
      code(() =>
        validateAppendBatch(
          resealed(good, (_, b) => (b[60] = 2)),
          rules,
        ),
      ),
    ).toBe('CORRUPT_MESSAGE');
  });

  it('refuses producer fields a producer cannot have sent', () => {
    const plain = batch();
    const idem = batch({ producerId: 4, sequence: 0 });
    const cases: [Uint8Array, string][] = [
      [resealed(plain, (v) => v.setInt32(at.sequence, 5)), 'baseSequence -1'],
      [resealed(plain, (v) => v.setInt16(at.epoch, 0)), 'epoch -1'],
      [resealed(plain, (v) => setInt64(v, at.producerId, -1, 0xffff_fffe)), 'negative'],
      [resealed(idem, (v) => v.setInt32(at.sequence, -7)), 'baseSequence -7'],
      [resealed(idem, (v) => v.setInt16(at.epoch, -2)), 'epoch -2'],
    ];
    for (const [bytes, message] of cases) {
      expectFailure(() => validateAppendBatch(bytes, rules), 'INVALID_ARGUMENT', message);
    }
  });
});

/** A valid batch with some bytes overwritten and, half the time, its CRC made right again. */
const mangledBatch = fc
  .record({
    records: fc.array(
      fc.record({
        key: fc.option(fc.uint8Array({ maxLength: 6 }), { nil: null }),
        value: fc.option(fc.uint8Array({ maxLength: 12 }), { nil: null }),
        timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    idempotent: fc.boolean(),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    reseal: fc.boolean(),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ records, idempotent, edits, reseal, cut }) => {
    const good = encodeRecordBatch({
      records,
      ...(idempotent ? { producerId: 1, producerEpoch: 0, baseSequence: 0 } : {}),
    });
    const edit = (_: DataView, bytes: Uint8Array) => {
      for (const [pos, value] of edits) bytes[pos % bytes.length] = value;
    };
    let bytes = reseal ? resealed(good, edit) : good.slice();
    if (!reseal) edit(new DataView(bytes.buffer), bytes);
    if (cut !== undefined) bytes = bytes.subarray(0, cut % (bytes.length + 1));
    return bytes;
  });

/** Everything a store or a reader does with an accepted batch. */
function readEverything(bytes: Uint8Array): void {
  const view = new RecordBatchView(bytes);
  void [view.baseTimestamp, view.maxTimestamp, view.producerId, view.nextOffset, view.lastOffset];
  view.withBaseOffset(123);
  for (const record of view.records()) void record.timestamp;
}

describe('validate and apply, on any bytes', () => {
  it('never throw anything but RaftlogError, and whatever they accept every reader can read', () => {
    fc.assert(
      fc.property(fc.oneof(mangledBatch, fc.uint8Array({ maxLength: 200 })), (bytes) => {
        let accepted = true;
        try {
          validateAppendBatch(bytes, rules);
        } catch (error) {
          expect(error).toBeInstanceOf(RaftlogError);
          accepted = false;
        }
        const sm = new PartitionStateMachine();
        let result: ReturnType<typeof applyBatch> | undefined;
        expect(() => (result = applyBatch(sm, bytes, 1))).not.toThrow();
        expect(sm.appliedIndex).toBe(1);
        if (result?.ok === true) expect(() => readEverything(bytes)).not.toThrow();
        else expect(sm.nextOffset).toBe(0);
        // What the leader accepts, apply finds well formed too (it may still refuse a sequence).
        if (accepted && result?.ok === false) {
          expect(['UNKNOWN_PRODUCER_ID', 'OUT_OF_ORDER_SEQUENCE']).toContain(result.code);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects a committed batch with 2^60 timestamps on every replica alike, and goes on', () => {
    const bad = resealed(batch(), (v) => {
      setInt64(v, at.baseTimestamp, 2 ** 28, 0);
      setInt64(v, at.maxTimestamp, 2 ** 28, 0);
    });
    const replicas = [new PartitionStateMachine(), new PartitionStateMachine()];
    for (const sm of replicas) {
      expect(applyBatch(sm, bad, 1)).toMatchObject({ ok: false, code: 'CORRUPT_MESSAGE' });
      expect(applyBatch(sm, batch(), 2)).toMatchObject({ ok: true, baseOffset: 0 });
    }
    expect(replicas[0]!.toData()).toEqual(replicas[1]!.toData());
  });
});

describe('transaction markers', () => {
  it('round-trip their type and carry the control and transactional bits', () => {
    for (const type of ['commit', 'abort'] as const) {
      const view = new RecordBatchView(
        encodeMarkerBatch({ producerId: 9, producerEpoch: 2, type, timestampMs: 5 }),
      );
      expect(view.isControl && view.isTransactional).toBe(true);
      expect([view.producerId, view.producerEpoch]).toEqual([9, 2]);
      expect(readMarkerType(view)).toBe(type);
    }
    expect(() => readMarkerType(new RecordBatchView(batch({ records: 2 })))).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });
});
