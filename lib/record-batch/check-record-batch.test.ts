import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../raftlog-error.js';
import { checkRecordBatch, timestampMsMax } from './check-record-batch.js';
import { encodeRecordBatch } from './encode.js';
import { RecordBatchView } from './record-batch-view.js';

const recordArb = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 16 }), { nil: null }),
  timestamp: fc.oneof(fc.constantFrom(0, timestampMsMax), fc.integer({ min: 0, max: timestampMsMax })),
  headers: fc.array(
    fc.record({
      key: fc.string({ maxLength: 6 }),
      value: fc.option(fc.uint8Array({ maxLength: 4 }), { nil: null }),
    }),
    { maxLength: 3 },
  ),
});

describe('checkRecordBatch', () => {
  it('accepts every batch the encoder writes', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 8 }), fc.boolean(), (records, idem) => {
        const bytes = encodeRecordBatch({
          records,
          ...(idem ? { producerId: 3, producerEpoch: 1, baseSequence: 9 } : {}),
        });
        expect(() => checkRecordBatch(new RecordBatchView(bytes))).not.toThrow();
      }),
    );
  });

  it('never throws anything but CORRUPT_MESSAGE on damaged batches', () => {
    const good = encodeRecordBatch({
      timestamp: 1_700_000_000_000,
      records: [{ key: new Uint8Array([1]), value: new Uint8Array(5), headers: [{ key: 'h', value: null }] }],
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        (edits) => {
          const bytes = good.slice();
          for (const [pos, value] of edits) bytes[17 + (pos % (bytes.length - 17))] = value;
          try {
            checkRecordBatch(new RecordBatchView(bytes));
          } catch (error) {
            expect(error).toBeInstanceOf(RaftlogError);
            expect((error as RaftlogError).code).toBe('CORRUPT_MESSAGE');
          }
        },
      ),
    );
  });
});
