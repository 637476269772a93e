import { RaftlogError } from '../../lib/index.js';

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

/**
 * Chooses partitions: explicit partition, else key hash, else a sticky partition per topic that
 * moves on (round robin) whenever the batch it was filling is closed, so keyless records still
 * form full batches instead of one thin batch per partition.
 */
export class Partitioner {
  private readonly sticky = new Map<string, number>();
  private counter = 0;

  constructor(private readonly hash: HashName = 'murmur2') {}

  choose(topic: string, partitions: number, key: Uint8Array | null, explicit?: number): number {
    if (explicit !== undefined) {
      if (!Number.isSafeInteger(explicit) || explicit < 0 || explicit >= partitions) {
        throw new RaftlogError(
          'PARTITION_NOT_FOUND',
          `topic ${topic} has ${partitions} partitions, no partition ${explicit}`,
        );
      }
      return explicit;
    }
    if (key !== null) return partitionForKey(key, partitions, this.hash);
    const current = this.sticky.get(topic);
    if (current !== undefined && current < partitions) return current;
    const next = this.counter++ % partitions;
    this.sticky.set(topic, next);
    return next;
  }

  /** Called when a batch of (topic, partition) closes: keyless records move to the next partition. */
  batchClosed(topic: string, partition: number): void {
    if (this.sticky.get(topic) === partition) this.sticky.delete(topic);
  }
}
