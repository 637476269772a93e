import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeRecordBatch, type EncodeRecordBatchOptions } from './record-batch/index.js';
import { unzeroedBytes } from './unzeroed-bytes.js';

/** Makes every unzeroed buffer start full of 0xaa, so a byte an encoder skips shows. */
function poisonUnzeroedMemory(): void {
  vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((size) => Buffer.alloc(size, 0xaa));
}

const record = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
  value: fc.option(fc.uint8Array({ minLength: 600, maxLength: 3000 }), { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: fc.uint8Array({ maxLength: 8 }) }), {
    maxLength: 3,
  }),
});

describe('unzeroedBytes', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives a plain Uint8Array of the size asked, of its own memory when large', () => {
    for (const size of [0, 1, 4095, 4096, 1 << 20]) {
      const bytes = unzeroedBytes(size);
      expect(bytes.constructor).toBe(Uint8Array);
      expect(bytes.byteLength).toBe(size);
      if (size >= 4096) expect(bytes.buffer.byteLength).toBe(size);
    }
  });

  it('leaves no byte of a record batch unwritten', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 10, maxLength: 16 }), fc.nat(), (records, base) => {
        const options: EncodeRecordBatchOptions = { records, timestamp: 1_700_000_000_000, baseOffset: base };
        const clean = encodeRecordBatch(options);
        if (clean.byteLength < 4096) return; // small batches are zeroed as before
        poisonUnzeroedMemory();
        const poisoned = encodeRecordBatch(options);
        vi.restoreAllMocks();
        // Compared whole, not element by element: a diff of two large arrays takes minutes to print.
        expect(Buffer.compare(poisoned, clean)).toBe(0);
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });
});
