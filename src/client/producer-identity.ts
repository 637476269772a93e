import { RaftlogError } from '../../lib/index.js';
import type { RaftlogClient } from './raftlog-client.js';
import type { RetryOptions } from './retry-policy.js';
import { withRetry } from './with-retry.js';

/** Batch sequences are int32 and wrap to 0 after this (as in Kafka and the partition's check). */
const sequenceMax = 0x7fff_ffff;

export interface BatchIdentity {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

/**
 * The idempotent producer's id and per-partition sequence numbers. A retried batch is resent with
 * the same bytes, so the partition recognizes it and answers with the original offsets instead of
 * appending it twice. When a batch finally fails its partition's sequence has a hole, so the next
 * batch starts over under a fresh producer id.
 */
export class ProducerIdentity {
  private id: Promise<{ producerId: number; epoch: number }> | undefined;
  private readonly next = new Map<string, number>();

  /**
   * `fetchOnDemand` false: the id comes only from `adopt` (a transactional producer gets it from
   * its coordinator in initTransactions, and must never obtain one behind its back).
   */
  constructor(
    private readonly client: Pick<RaftlogClient, 'addresses' | 'broker'>,
    private readonly retry: RetryOptions,
    private readonly timeoutMs: number,
    private readonly fetchOnDemand = true,
  ) {}

  /** Uses this id and epoch from now on, every partition's sequence starting at 0. */
  adopt(id: { producerId: number; epoch: number }): void {
    this.id = Promise.resolve(id);
    this.next.clear();
  }

  /** The identity of the next batch of `records` records for partition `key`. */
  async forBatch(key: string, records: number): Promise<BatchIdentity> {
    if (this.id === undefined && !this.fetchOnDemand) {
      throw new RaftlogError(
        'INVALID_TXN_STATE',
        'the producer has no producer id: call initTransactions() first',
      );
    }
    const generation = this.id ?? (this.id = this.fetchId());
    const { producerId, epoch } = await generation.catch((error: unknown) => {
      if (this.id === generation) this.id = undefined;
      throw error;
    });
    const baseSequence = this.next.get(key) ?? 0;
    this.next.set(key, (baseSequence + records) % (sequenceMax + 1));
    return { producerId, producerEpoch: epoch, baseSequence };
  }

  /**
   * After a batch of this identity finally failed, or its partition forgot the producer: later
   * batches start new sequences under a fresh producer id. Resolves once that is settled.
   */
  async reset(failed: BatchIdentity): Promise<void> {
    const generation = this.id;
    const current = await generation?.catch(() => undefined);
    if (current?.producerId !== failed.producerId || this.id !== generation) return;
    this.id = undefined;
    this.next.clear();
  }

  private async fetchId(): Promise<{ producerId: number; epoch: number }> {
    let turn = 0;
    const response = await withRetry(
      () => {
        const addresses = this.client.addresses();
        const address = addresses[turn++ % addresses.length];
        if (address === undefined) throw new RaftlogError('UNAVAILABLE', 'no node address known');
        return this.client.broker(address).initProducer({}, { timeoutMs: this.timeoutMs });
      },
      { deadlineMs: Date.now() + 30_000, retry: this.retry },
    );
    return { producerId: Number(response.producerId), epoch: response.producerEpoch };
  }
}
