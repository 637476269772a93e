import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RaftlogError } from '../raftlog-error.js';
import {
  decodeRecords,
  encodeRecordBatch,
  headerOffsets,
  RecordBatchView,
  splitRecordBatches,
  type RecordInput,
} from './index.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RaftlogError);
    expect((e as RaftlogError).code).toBe(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  headers: fc.array(
    fc.record({
      key: fc.string({ maxLength: 10 }),
      value: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
    }),
    { maxLength: 3 },
  ),
});

describe('RecordBatch', () => {
  it('round-trips header fields and records', () => {
    const encoded = encodeRecordBatch({
      records: [
        { key: bytes('k1'), value: bytes('v1'), timestamp: 1_700_000_000_500 },
        {
          key: null,
          value: null,
          headers: [
            { key: 'h', value: bytes('x') },
            { key: 'ü', value: null },
          ],
        },
      ],
      timestamp: 1_700_000_000_000,
      producerId: 42,
      producerEpoch: 3,
      baseSequence: 7,
      transactional: true,
    });
    const view = new RecordBatchView(encoded);
    expect(view.verifyCrc()).toBe(true);
    expect(view.baseOffset).toBe(0);
    expect(view.recordCount).toBe(2);
    expect(view.lastOffsetDelta).toBe(1);
    expect(view.baseTimestamp).toBe(1_700_000_000_500);
    expect(view.maxTimestamp).toBe(1_700_000_000_500);
    expect([view.producerId, view.producerEpoch, view.baseSequence]).toEqual([42, 3, 7]);
    expect([view.isTransactional, view.isControl]).toEqual([true, false]);
    const [a, b] = decodeRecords(view);
    expect(a).toMatchObject({
      offset: 0,
      timestamp: 1_700_000_000_500,
      key: bytes('k1'),
      value: bytes('v1'),
    });
    expect(b).toMatchObject({ offset: 1, timestamp: 1_700_000_000_000, key: null, value: null });
    expect(b?.headers).toEqual([
      { key: 'h', value: bytes('x') },
      { key: 'ü', value: null },
    ]);
  });

  it('defaults to no producer', () => {
    const view = new RecordBatchView(encodeRecordBatch({ records: [{ value: bytes('v') }], timestamp: 1 }));
    expect([view.producerId, view.producerEpoch, view.baseSequence]).toEqual([-1, -1, -1]);
  });

  it('names an int64 header field beyond a safe integer by its exact value', () => {
    const encoded = encodeRecordBatch({ records: [{ value: bytes('v') }], timestamp: 1 });
    new DataView(encoded.buffer, encoded.byteOffset).setBigInt64(headerOffsets.maxTimestamp, 2n ** 63n - 1n);
    expect(() => new RecordBatchView(encoded).maxTimestamp).toThrow(
      /^maxTimestamp 9223372036854775807 is outside the safe integer range$/,
    );
  });

  it('assigns baseOffset without touching the CRC, on a copy or in place', () => {
    const encoded = encodeRecordBatch({
      records: [{ value: bytes('a') }, { value: bytes('b') }],
      timestamp: 5,
    });
    const view = new RecordBatchView(encoded);
    const crc = view.crc;
    const moved = view.withBaseOffset(2 ** 40);
    expect(moved.baseOffset).toBe(2 ** 40);
    expect(moved.lastOffset).toBe(2 ** 40 + 1);
    expect(moved.crc).toBe(crc);
    expect(moved.verifyCrc()).toBe(true);
    expect(view.baseOffset).toBe(0);
    expect([...moved.records()].map((r) => r.offset)).toEqual([2 ** 40, 2 ** 40 + 1]);
    view.withBaseOffset(9, { inPlace: true });
    expect(new RecordBatchView(encoded).baseOffset).toBe(9);
    expectCode(() => view.withBaseOffset(-1), 'INVALID_ARGUMENT');
    expectCode(() => view.withBaseOffset(Number.MAX_SAFE_INTEGER), 'INVALID_ARGUMENT');
  });

  it('round-trips arbitrary records', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), fc.nat(2 ** 40), (records, base) => {
        const view = new RecordBatchView(encodeRecordBatch({ records })).withBaseOffset(base);
        expect(view.verifyCrc()).toBe(true);
        const decoded = decodeRecords(view);
        expect(decoded.length).toBe(records.length);
        decoded.forEach((d, i) => {
          const r = records[i]!;
          expect(d.offset).toBe(base + i);
          expect(d.timestamp).toBe(r.timestamp);
          expect(d.key).toEqual(r.key);
          expect(d.value).toEqual(r.value);
          expect(d.headers).toEqual(r.headers);
        });
        expect(view.maxTimestamp).toBe(Math.max(...records.map((r) => r.timestamp!)));
      }),
      { numRuns: 200 },
    );
  });

  it('detects a flipped byte anywhere under the CRC', () => {
    const encoded = encodeRecordBatch({
      records: [{ key: bytes('k'), value: bytes('value') }],
      timestamp: 1,
    });
    for (let i = 17; i < encoded.length; i++) {
      const copy = encoded.slice();
      copy[i]! ^= 0x01;
      let ok: boolean;
      try {
        ok = new RecordBatchView(copy).verifyCrc();
      } catch (e) {
        expect((e as RaftlogError).code).toBe('CORRUPT_MESSAGE');
        ok = false;
      }
      expect(ok, `flip at ${i}`).toBe(false);
    }
  });

  it('enforces limits with MESSAGE_TOO_LARGE', () => {
    const limits = { recordsPerBatchMax: 2, batchBytesMax: 200 };
    const one = { value: bytes('x') };
    expectCode(
      () => encodeRecordBatch({ records: [one, one, one], timestamp: 1, limits }),
      'MESSAGE_TOO_LARGE',
    );
    expectCode(
      () => encodeRecordBatch({ records: [{ value: new Uint8Array(300) }], timestamp: 1, limits }),
      'MESSAGE_TOO_LARGE',
    );
    const big = encodeRecordBatch({ records: [{ value: new Uint8Array(300) }], timestamp: 1 });
    expectCode(() => new RecordBatchView(big, limits), 'MESSAGE_TOO_LARGE');
  });

  it('rejects bad arguments with INVALID_ARGUMENT', () => {
    expectCode(() => encodeRecordBatch({ records: [] }), 'INVALID_ARGUMENT');
    expectCode(() => encodeRecordBatch({ records: [{ value: null }] }), 'INVALID_ARGUMENT');
    expectCode(() => encodeRecordBatch({ records: [{ value: null }], timestamp: -5 }), 'INVALID_ARGUMENT');
    expectCode(
      () => encodeRecordBatch({ records: [{ value: null }], timestamp: 1, producerEpoch: 1e6 }),
      'INVALID_ARGUMENT',
    );
  });

  it('splits concatenated batches', () => {
    const a = encodeRecordBatch({ records: [{ value: bytes('a') }], timestamp: 1 });
    const b = encodeRecordBatch({ records: [{ value: bytes('bb') }, { value: null }], timestamp: 2 });
    const joined = new Uint8Array(a.length + b.length);
    joined.set(a);
    joined.set(b, a.length);
    expect(splitRecordBatches(joined).map((v) => v.recordCount)).toEqual([1, 2]);
    expectCode(() => splitRecordBatches(joined.subarray(0, joined.length - 1)), 'CORRUPT_MESSAGE');
  });

  it('never crashes on garbage: only CORRUPT_MESSAGE or MESSAGE_TOO_LARGE', () => {
    const valid = encodeRecordBatch({
      records: [{ key: bytes('key'), value: bytes('value'), headers: [{ key: 'h', value: bytes('v') }] }],
      timestamp: 1,
    });
    const mutated = fc
      .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 6,
      })
      .map((edits) => {
        const copy = valid.slice();
        for (const [at, b] of edits) copy[at] = b;
        return copy;
      });
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      mutated,
      fc.uint8Array({ minLength: 57, maxLength: 120 }),
    );
    fc.assert(
      fc.property(garbage, (input) => {
        try {
          const view = new RecordBatchView(input);
          view.verifyCrc();
          void [view.baseOffset, view.maxTimestamp, view.producerId];
          decodeRecords(view);
          splitRecordBatches(input);
        } catch (e) {
          if (!(e instanceof RaftlogError)) throw e;
          expect(['CORRUPT_MESSAGE', 'MESSAGE_TOO_LARGE']).toContain(e.code);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
