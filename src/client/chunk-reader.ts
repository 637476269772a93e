import type { AsyncChannel } from './async-channel.js';
import type { DecodedChunk } from './fetched-records.js';
import type { ConsumerRecord } from './types.js';

export interface OwnedChunk {
  readonly chunk: DecodedChunk;
  /** The controller of the fetcher that read it: identifies that reading of the partition. */
  readonly owner: AbortController;
}

export interface HandedRecord {
  readonly record: ConsumerRecord;
  readonly owner: AbortController;
}

/**
 * Takes records out of the consumer's channel one at a time or in batches. A record whose
 * partition is no longer read by the fetcher that read it (revoked, rewound) is dropped. A wait for
 * more records that times out keeps its pending read, so no chunk is lost between two takes.
 */
export class ChunkReader {
  private carry: { readonly chunk: OwnedChunk; at: number } | undefined;
  private pending: Promise<IteratorResult<OwnedChunk>> | undefined;

  constructor(
    private readonly channel: AsyncChannel<OwnedChunk>,
    private readonly stillRead: (record: ConsumerRecord, owner: AbortController) => boolean,
  ) {}

  /**
   * Up to `max` records: waits as long as it takes for the first, then at most `moreWaitMs` for the
   * rest (undefined: only what is already here). 'done' once the channel is closed and empty.
   */
  async take(max: number, moreWaitMs: number | undefined): Promise<HandedRecord[] | 'done'> {
    const out: HandedRecord[] = [];
    let deadline = Number.POSITIVE_INFINITY;
    while (out.length < max) {
      if (this.carry === undefined) {
        const waitMs = out.length === 0 ? undefined : Math.max(0, deadline - Date.now());
        const next = await this.next(waitMs);
        if (next === 'timeout') break;
        if (next === 'done') return out.length > 0 ? out : 'done';
        this.carry = { chunk: next, at: 0 };
        continue;
      }
      const { chunk } = this.carry;
      const record = chunk.chunk.records[this.carry.at++];
      if (record === undefined || !this.stillRead(record, chunk.owner)) {
        // A chunk holds one partition: once one of its records is stale, all the rest are too.
        this.carry = undefined;
        continue;
      }
      out.push({ record, owner: chunk.owner });
      if (out.length === 1) deadline = Date.now() + (moreWaitMs ?? 0);
    }
    return out;
  }

  private async next(waitMs: number | undefined): Promise<OwnedChunk | 'done' | 'timeout'> {
    const pending = (this.pending ??= this.channel.next());
    let timer: NodeJS.Timeout | undefined;
    const timeout =
      waitMs === undefined
        ? undefined
        : new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
    try {
      const result = await (timeout === undefined ? pending : Promise.race([pending, timeout]));
      if (result === 'timeout') return 'timeout';
      this.pending = undefined;
      return result.done === true ? 'done' : result.value;
    } catch (error) {
      this.pending = undefined;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
