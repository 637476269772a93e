import { partitionForKey, RaftlogError, type HashName } from '../../lib/index.js';

export { fnv1a32, murmur2, partitionForKey, type HashName } from '../../lib/index.js';

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
