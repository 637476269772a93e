import { setMaxListeners } from 'node:events';
import { RaftlogError } from '../../lib/index.js';
import { IsolationLevel } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { AsyncChannel } from './async-channel.js';
import { toRaftlogError } from './errors.js';
import type { DecodedChunk } from './fetched-records.js';
import { PartitionFetcher, type FetcherClient } from './partition-fetcher.js';
import type { RaftlogClient } from './raftlog-client.js';
import { defaultRetryOptions, type RetryOptions } from './retry-policy.js';
import type { ConsumerRecord, StartPosition, TopicPartitionRef } from './types.js';

export interface ConsumerOptions {
  /** Where partitions assigned without their own start begin; default 'latest', as in Kafka. */
  readonly from?: StartPosition;
  /** Decoded but unread data held in memory before fetching pauses. */
  readonly prefetchBytesMax?: number;
  readonly partitionMaxBytes?: number;
  /** The server sends fresh watermarks after this much silence, which also detects dead streams. */
  readonly heartbeatIntervalMs?: number;
  readonly isolation?: 'read_uncommitted' | 'read_committed';
  readonly retry?: Partial<RetryOptions>;
}

export interface Assignment extends TopicPartitionRef {
  readonly from?: StartPosition;
}

export type ConsumerClient = FetcherClient & Pick<RaftlogClient, 'partitionCount'>;

/**
 * Reads assigned partitions as one async iterable of records, in offset order within each
 * partition. One fetcher per partition follows its leader; all feed one channel bounded by
 * prefetchBytesMax. A non-retriable error (OFFSET_OUT_OF_RANGE, CORRUPT_MESSAGE…) ends the
 * iteration with that error after the records read before it.
 */
export class Consumer implements AsyncIterable<ConsumerRecord> {
  private readonly channel: AsyncChannel<DecodedChunk>;
  private readonly abort = abortControllerForMany();
  private readonly fetchers = new Map<string, PartitionFetcher>();
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly client: ConsumerClient,
    private readonly options: ConsumerOptions = {},
  ) {
    this.channel = new AsyncChannel(options.prefetchBytesMax ?? 8 * 1024 * 1024);
  }

  assign(partitions: readonly Assignment[]): void {
    for (const a of partitions) {
      const key = `${a.topic}/${a.partition}`;
      if (this.fetchers.has(key)) continue;
      const fetcher = new PartitionFetcher(
        this.client,
        a.topic,
        a.partition,
        a.from ?? this.options.from ?? 'latest',
        (chunk) => this.channel.push(chunk, chunk.sizeBytes),
        {
          partitionMaxBytes: this.options.partitionMaxBytes ?? 1024 * 1024,
          heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 5_000,
          isolation:
            this.options.isolation === 'read_committed'
              ? IsolationLevel.READ_COMMITTED
              : IsolationLevel.READ_UNCOMMITTED,
          retry: { ...defaultRetryOptions, ...this.options.retry },
          pollWaitMs: 500,
        },
        this.abort.signal,
      );
      this.fetchers.set(key, fetcher);
      this.running.push(fetcher.run().catch((error: unknown) => this.channel.fail(toRaftlogError(error))));
    }
  }

  /** Assigns every partition of a topic; returns their indexes. */
  async assignTopic(topic: string, from?: StartPosition): Promise<number[]> {
    const count = await this.client.partitionCount(topic);
    const partitions = [...Array(count).keys()];
    this.assign(
      partitions.map((partition) => ({ topic, partition, ...(from === undefined ? {} : { from }) })),
    );
    return partitions;
  }

  /** The next offset each assigned partition will read. */
  positions(): Map<string, number> {
    return new Map([...this.fetchers].map(([key, f]) => [key, f.position]));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    if (this.fetchers.size === 0) throw new RaftlogError('INVALID_ARGUMENT', 'assign partitions first');
    for (;;) {
      const next = await this.channel.next();
      if (next.done === true) return;
      yield* next.value.records;
    }
  }

  /** Stops every fetcher; a pending iteration ends. */
  async close(): Promise<void> {
    this.abort.abort();
    this.channel.close();
    await Promise.all(this.running);
  }
}

/** One signal watched by a fetcher per partition: more listeners than Node's leak warning expects. */
function abortControllerForMany(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
