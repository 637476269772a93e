import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareBytes } from './kv/index.js';
import {
  decodePartitionBatchKey,
  decodePartitionTimeIndexKey,
  decodeRaftEntryKey,
  partitionBatchKey,
  partitionBatchRange,
  partitionTimeIndexKey,
  prefixEnd,
  raftEntryKey,
  raftEntryRange,
  raftHardStateKey,
  partitionMetaKey,
} from './keys.js';
import { CorruptionError, RaftlogError } from '../lib/index.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.oneof(
  fc.nat(1000),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.constant(2 ** 32 - 1),
  fc.constant(2 ** 32),
);
const sign = (n: number) => Math.sign(n);
const cmpTuple = (a: readonly number[], b: readonly number[]) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
};

describe('keys', () => {
  it('byte order equals numeric order for raft entries', () => {
    fc.assert(
      fc.property(u32, u64, u32, u64, (g1, i1, g2, i2) => {
        expect(sign(compareBytes(raftEntryKey(g1, i1), raftEntryKey(g2, i2)))).toBe(
          cmpTuple([g1, i1], [g2, i2]),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('byte order equals numeric order for partition batches and the time index', () => {
    fc.assert(
      fc.property(u32, u64, u32, u64, (p1, o1, p2, o2) => {
        expect(sign(compareBytes(partitionBatchKey(p1, o1), partitionBatchKey(p2, o2)))).toBe(
          cmpTuple([p1, o1], [p2, o2]),
        );
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.tuple(u32, u64, u64), fc.tuple(u32, u64, u64), (a, b) => {
        const ka = partitionTimeIndexKey(...a);
        const kb = partitionTimeIndexKey(...b);
        expect(sign(compareBytes(ka, kb))).toBe(cmpTuple(a, b));
        expect(decodePartitionTimeIndexKey(ka)).toEqual({
          partition: a[0],
          timestamp: a[1],
          baseOffset: a[2],
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips and keeps each owner inside its range', () => {
    fc.assert(
      fc.property(u32, u64, (owner, n) => {
        expect(decodeRaftEntryKey(raftEntryKey(owner, n))).toEqual({ group: owner, index: n });
        expect(decodePartitionBatchKey(partitionBatchKey(owner, n))).toEqual({
          partition: owner,
          baseOffset: n,
        });
        const r = raftEntryRange(owner);
        const k = raftEntryKey(owner, n);
        expect(compareBytes(r.gte, k)).toBeLessThanOrEqual(0);
        expect(compareBytes(k, r.lt)).toBeLessThan(0);
        const p = partitionBatchRange(owner);
        expect(compareBytes(partitionBatchKey(owner, n), p.lt)).toBeLessThan(0);
        if (owner < 0xffffffff)
          expect(compareBytes(partitionBatchKey(owner + 1, 0), p.lt)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('separates keyspaces by prefix', () => {
    expect(raftEntryKey(0, 0)[0]).not.toBe(raftHardStateKey(0)[0]);
    expect(compareBytes(raftEntryRange(0xffffffff).lt, raftHardStateKey(0))).toBeLessThanOrEqual(0);
    expect(partitionMetaKey(1).length).toBe(5);
    expect(prefixEnd(Uint8Array.of(1, 0xff, 0xff))).toEqual(Uint8Array.of(2));
  });

  it('rejects bad numbers and malformed keys', () => {
    expect(() => raftEntryKey(-1, 0)).toThrow(RaftlogError);
    expect(() => raftEntryKey(2 ** 32, 0)).toThrow(RaftlogError);
    expect(() => partitionBatchKey(0, 1.5)).toThrow(RaftlogError);
    expect(() => partitionBatchKey(0, 2 ** 53)).toThrow(RaftlogError);
    expect(() => decodeRaftEntryKey(partitionBatchKey(0, 0))).toThrow(CorruptionError);
    expect(() => decodePartitionBatchKey(new Uint8Array(3))).toThrow(CorruptionError);
  });
});
