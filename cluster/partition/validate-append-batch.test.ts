import { describe, expect, it } from 'vitest';
import { encodeMarkerBatch, readMarkerType } from './control-record.js';
import { validateAppendBatch } from './validate-append-batch.js';
import { batch } from './test-batches.js';
import { RecordBatchView } from '../../lib/index.js';

describe('validateAppendBatch', () => {
  it('accepts a well-formed producer batch', () => {
    expect(validateAppendBatch(batch({ records: 2 }), 1024 * 1024).recordCount).toBe(2);
  });

  it('rejects oversize, damaged and control batches with clear codes', () => {
    const good = batch({ records: 2 });
    expect(() => validateAppendBatch(good, good.length - 1)).toThrow(
      expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }),
    );
    const damaged = good.slice();
    damaged[damaged.length - 1]! ^= 1;
    expect(() => validateAppendBatch(damaged, 1 << 20)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
    const marker = encodeMarkerBatch({ producerId: 1, producerEpoch: 0, type: 'commit', timestampMs: 1 });
    expect(() => validateAppendBatch(marker, 1 << 20)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
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
