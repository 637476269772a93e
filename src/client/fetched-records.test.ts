import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, RecordBatchView } from '../../lib/index.js';
import { decodeFetchedRecords } from './fetched-records.js';

const utf8 = new TextEncoder();
const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

function stored(
  baseOffset: number,
  values: string[],
  options: { control?: boolean; transactional?: boolean; producerId?: number } = {},
): Uint8Array {
  const bytes = encodeRecordBatch({
    records: values.map((v, i) => ({ key: i === 0 ? null : utf8.encode(`k${i}`), value: utf8.encode(v) })),
    timestamp: 1_700_000_000_000,
    ...options,
  });
  return new RecordBatchView(bytes).withBaseOffset(baseOffset, { inPlace: true }).bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('decodeFetchedRecords', () => {
  it('decodes every record of concatenated batches with offsets, keys and timestamps', () => {
    const chunk = decodeFetchedRecords('t', 2, concat(stored(0, ['a', 'b']), stored(2, ['c'])), 0);
    expect(chunk.records.map((r) => [r.offset, text(r.value), text(r.key)])).toEqual([
      [0, 'a', null],
      [1, 'b', 'k1'],
      [2, 'c', null],
    ]);
    expect(chunk.records[0]).toMatchObject({ topic: 't', partition: 2, timestampMs: 1_700_000_000_000 });
    expect(chunk.nextOffset).toBe(3);
  });

  it('skips records below the requested offset in the first batch', () => {
    const chunk = decodeFetchedRecords(
      't',
      0,
      concat(stored(10, ['a', 'b', 'c', 'd']), stored(14, ['e'])),
      12,
    );
    expect(chunk.records.map((r) => r.offset)).toEqual([12, 13, 14]);
    expect(chunk.nextOffset).toBe(15);
  });

  it('skips control batches but moves past them', () => {
    const chunk = decodeFetchedRecords(
      't',
      0,
      concat(stored(0, ['a']), stored(1, ['marker'], { control: true })),
      0,
    );
    expect(chunk.records.map((r) => text(r.value))).toEqual(['a']);
    expect(chunk.nextOffset).toBe(2);
  });

  it('returns nothing, at the same offset, for an empty fetch', () => {
    expect(decodeFetchedRecords('t', 0, new Uint8Array(0), 7)).toMatchObject({ records: [], nextOffset: 7 });
  });

  it('reports a corrupted batch instead of delivering it', () => {
    const bytes = stored(0, ['hello']);
    const at = bytes.length - 2;
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    expect(() => decodeFetchedRecords('t', 0, bytes, 0)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });

  describe('read_committed', () => {
    const txn = (base: number, pid: number, values: string[]) =>
      stored(base, values, { transactional: true, producerId: pid });
    const marker = (base: number, pid: number) =>
      stored(base, ['m'], { transactional: true, control: true, producerId: pid });

    it('skips the batches of an aborted transaction up to its marker and keeps the others', () => {
      const bytes = concat(
        txn(0, 7, ['a0', 'a1']),
        txn(2, 8, ['c0']),
        txn(3, 7, ['a2']),
        marker(4, 7),
        marker(5, 8),
        txn(6, 7, ['n0']),
        stored(7, ['plain']),
      );
      const chunk = decodeFetchedRecords('t', 0, bytes, 0, [{ producerId: 7, firstOffset: 0 }]);
      expect(chunk.records.map((r) => text(r.value))).toEqual(['c0', 'n0', 'plain']);
      expect(chunk.nextOffset).toBe(8);
    });

    it('starts skipping only at the aborted transaction first offset', () => {
      const bytes = concat(txn(0, 7, ['ok']), marker(1, 7), txn(2, 7, ['bad']), marker(3, 7));
      const chunk = decodeFetchedRecords('t', 0, bytes, 0, [{ producerId: 7, firstOffset: 2 }]);
      expect(chunk.records.map((r) => text(r.value))).toEqual(['ok']);
    });

    it('keeps everything when no transaction aborted (read_uncommitted passes none)', () => {
      const bytes = concat(txn(0, 7, ['x']), marker(1, 7));
      expect(decodeFetchedRecords('t', 0, bytes, 0).records.map((r) => text(r.value))).toEqual(['x']);
    });
  });
});
