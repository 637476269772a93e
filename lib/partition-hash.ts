export type HashName = 'murmur2' | 'fnv1a';

/**
 * Kafka's murmur2 (seed 0x9747b28c), so a key lands on the same partition index as with a Kafka
 * client and a topic can move between the two without reordering keys.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const r = 24;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** 32-bit FNV-1a, unsigned. */
export function fnv1a32(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const byte of data) h = Math.imul(h ^ byte, 0x01000193);
  return h >>> 0;
}

/** The partition of a key: the hash made non-negative the way Kafka does (mask the sign bit). */
export function partitionForKey(key: Uint8Array, partitions: number, hash: HashName = 'murmur2'): number {
  const h = hash === 'murmur2' ? murmur2(key) & 0x7fffffff : fnv1a32(key);
  return h % partitions;
}
