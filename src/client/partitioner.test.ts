import { describe, expect, it } from 'vitest';
import { fnv1a32, murmur2, partitionForKey, Partitioner } from './partitioner.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('key hashing', () => {
  it('matches the murmur2 vectors of the Kafka client', () => {
    expect(murmur2(bytes('21'))).toBe(-973932308);
    expect(murmur2(bytes('foobar'))).toBe(-790332482);
    expect(murmur2(bytes('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(bytes('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(bytes('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(bytes('abc'))).toBe(479470107);
  });

  it('matches the FNV-1a 32-bit reference values', () => {
    expect(fnv1a32(bytes(''))).toBe(0x811c9dc5);
    expect(fnv1a32(bytes('a'))).toBe(0xe40c292c);
    expect(fnv1a32(bytes('foobar'))).toBe(0xbf9cf968);
  });

  it.each(['murmur2', 'fnv1a'] as const)('%s spreads 20k keys evenly over 12 partitions', (hash) => {
    const counts = new Array<number>(12).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const p = partitionForKey(bytes(`user-${i}`), 12, hash);
      counts[p] = (counts[p] ?? 0) + 1;
    }
    const mean = 20_000 / 12;
    for (const c of counts) expect(Math.abs(c - mean) / mean).toBeLessThan(0.1);
  });

  it('is stable: the same key always gets the same partition', () => {
    const p = new Partitioner();
    const first = p.choose('t', 7, bytes('order-42'));
    for (let i = 0; i < 100; i++) expect(p.choose('t', 7, bytes('order-42'))).toBe(first);
    expect(first).toBe(partitionForKey(bytes('order-42'), 7));
  });
});

describe('Partitioner', () => {
  it('honours an explicit partition and rejects one out of range', () => {
    const p = new Partitioner();
    expect(p.choose('t', 3, bytes('k'), 2)).toBe(2);
    expect(() => p.choose('t', 3, null, 3)).toThrow(expect.objectContaining({ code: 'PARTITION_NOT_FOUND' }));
  });

  it('sticks to one partition for keyless records until its batch closes, then rotates', () => {
    const p = new Partitioner();
    const a = p.choose('t', 3, null);
    expect(p.choose('t', 3, null)).toBe(a);
    p.batchClosed('t', a);
    const b = p.choose('t', 3, null);
    expect(b).not.toBe(a);
    p.batchClosed('t', b);
    const c = p.choose('t', 3, null);
    expect(new Set([a, b, c]).size).toBe(3);
  });
});
