import { describe, expect, it } from 'vitest';
import { diffAssignment, partitionKey, samePartitions } from './assignment-diff.js';

const tp = (topic: string, partition: number) => ({ topic, partition });

describe('diffAssignment', () => {
  it('splits an answer into revoked, added and kept partitions, each sorted', () => {
    const d = diffAssignment([tp('b', 1), tp('a', 2), tp('a', 0)], [tp('a', 2), tp('c', 0), tp('a', 1)]);
    expect(d.revoke).toEqual([tp('a', 0), tp('b', 1)]);
    expect(d.add).toEqual([tp('a', 1), tp('c', 0)]);
    expect(d.keep).toEqual([tp('a', 2)]);
  });

  it('changes nothing when the answer is what is consumed', () => {
    const d = diffAssignment([tp('t', 0), tp('t', 1)], [tp('t', 1), tp('t', 0)]);
    expect(d).toEqual({ revoke: [], add: [], keep: [tp('t', 0), tp('t', 1)] });
  });

  it('ignores duplicates in either list', () => {
    const d = diffAssignment([tp('t', 0), tp('t', 0)], [tp('t', 1), tp('t', 1)]);
    expect(d).toEqual({ revoke: [tp('t', 0)], add: [tp('t', 1)], keep: [] });
  });
});

describe('samePartitions', () => {
  it('compares as sets', () => {
    expect(samePartitions([tp('t', 0), tp('t', 1)], [tp('t', 1), tp('t', 0)])).toBe(true);
    expect(samePartitions([tp('t', 0)], [tp('t', 0), tp('t', 1)])).toBe(false);
    expect(samePartitions([], [])).toBe(true);
  });

  it('keys topic names that contain slashes apart', () => {
    expect(partitionKey(tp('a/1', 2))).not.toBe(partitionKey(tp('a', 12)));
  });
});
