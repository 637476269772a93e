import { describe, expect, it } from 'vitest';
import { BatchAccumulator } from './batch-accumulator.js';

const limits = { lingerMs: 5, batchBytesMax: 100, batchRecordsMax: 4 };
const make = () => new BatchAccumulator<{ id: number; size: number }>(limits, (i) => i.size);

describe('BatchAccumulator', () => {
  it('holds a batch until lingerMs after its first record, then releases it', () => {
    const acc = make();
    acc.append('t/0', { id: 1, size: 10 }, 1000);
    acc.append('t/0', { id: 2, size: 10 }, 1003);
    expect(acc.drain('t/0', 1004, false)).toBeUndefined();
    expect(acc.readyAtMs('t/0')).toBe(1005);
    const batch = acc.drain('t/0', 1005, false);
    expect(batch?.items.map((i) => i.id)).toEqual([1, 2]);
    expect(acc.isEmpty).toBe(true);
  });

  it('closes a batch once another record like its last would pass batchBytesMax, and releases it at once', () => {
    const acc = make();
    // One record of 60 leaves no room for a second of 60: full already, not held for the linger.
    acc.append('t/0', { id: 1, size: 60 }, 0);
    expect(acc.drain('t/0', 0, false)?.items.map((i) => i.id)).toEqual([1]);
    acc.append('t/0', { id: 2, size: 30 }, 0);
    acc.append('t/0', { id: 3, size: 30 }, 0);
    expect(acc.drain('t/0', 0, false)).toBeUndefined();
    // 50 more would pass 100: the batch closes with 60 and the record opens the next one.
    acc.append('t/0', { id: 4, size: 50 }, 0);
    const closed = acc.drain('t/0', 0, false);
    expect(closed?.items.map((i) => i.id)).toEqual([2, 3]);
    expect(closed?.sizeBytes).toBe(60);
    expect(acc.drain('t/0', 0, false)).toBeUndefined();
    expect(acc.drain('t/0', 5, false)?.items.map((i) => i.id)).toEqual([4]);
  });

  it('gives a record larger than batchBytesMax a batch of its own', () => {
    const acc = make();
    acc.append('t/0', { id: 1, size: 10 }, 0);
    acc.append('t/0', { id: 2, size: 500 }, 0);
    acc.append('t/0', { id: 3, size: 10 }, 0);
    expect(acc.drain('t/0', 0, false)?.items.map((i) => i.id)).toEqual([1]);
    expect(acc.drain('t/0', 0, false)?.items.map((i) => i.id)).toEqual([2]);
    expect(acc.drain('t/0', 0, true)?.items.map((i) => i.id)).toEqual([3]);
  });

  it('closes a batch at batchRecordsMax', () => {
    const acc = make();
    for (let i = 0; i < 9; i++) acc.append('t/0', { id: i, size: 1 }, 0);
    expect(acc.drain('t/0', 0, false)?.items).toHaveLength(4);
    expect(acc.drain('t/0', 0, false)?.items).toHaveLength(4);
    expect(acc.drain('t/0', 0, false)).toBeUndefined();
    expect(acc.drain('t/0', 0, true)?.items).toHaveLength(1);
  });

  it('keeps records in append order across batches and partitions apart', () => {
    const acc = make();
    for (let i = 0; i < 20; i++) acc.append(i % 2 === 0 ? 'a' : 'b', { id: i, size: 30 }, i);
    const drained = (key: string): number[] => {
      const ids: number[] = [];
      for (let b = acc.drain(key, 1e9, true); b; b = acc.drain(key, 1e9, true)) {
        ids.push(...b.items.map((i) => i.id));
      }
      return ids;
    };
    expect(drained('a')).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(drained('b')).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  });

  it('lets the open batch keep growing while its partition waits', () => {
    const acc = make();
    acc.append('t/0', { id: 1, size: 10 }, 0);
    acc.append('t/0', { id: 2, size: 10 }, 50);
    expect(acc.drain('t/0', 50, false)?.items).toHaveLength(2);
  });
});
