import { setMaxListeners } from 'node:events';
import { RaftlogError } from '../../lib/index.js';
import { IsolationLevel } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { partitionKey } from './assignment-diff.js';
import { AsyncChannel } from './async-channel.js';
import { ChunkReader, type HandedRecord, type OwnedChunk } from './chunk-reader.js';
import { CoordinatorClient } from './coordinator-client.js';
import { toRaftlogError } from './errors.js';
import type { GroupMetadata } from './group-membership.js';
import { resolveGroupOptions, type GroupOptions } from './group-options.js';
import { GroupSession, type GroupCloseOptions, type PartitionControl } from './group-session.js';
import type { PartitionOffset } from './offset-tracker.js';
import { PartitionFetcher, type FetcherClient } from './partition-fetcher.js';
import type { RaftlogClient } from './raftlog-client.js';
import { defaultRetryOptions, type RetryOptions } from './retry-policy.js';
import type { ConsumerRecord, StartPosition, TopicPartitionRef } from './types.js';

export interface ConsumerOptions extends Partial<GroupOptions> {
  /** Where partitions assigned without their own start begin; default 'latest', as in Kafka. */
  readonly from?: StartPosition;
  /** Decoded but unread data held in memory before fetching pauses. */
  readonly prefetchBytesMax?: number;
  readonly partitionMaxBytes?: number;
  /** The server sends fresh watermarks after this much silence, which also detects dead streams. */
  readonly heartbeatIntervalMs?: number;
  /** read_committed: only committed transactions, up to the last stable offset; markers and aborted batches skipped. */
  readonly isolation?: 'read_uncommitted' | 'read_committed';
  readonly retry?: Partial<RetryOptions>;
}

export interface Assignment extends TopicPartitionRef {
  readonly from?: StartPosition;
}

export type ConsumerClient = FetcherClient & Pick<RaftlogClient, 'partitionCount' | 'addresses'>;

interface Running {
  readonly fetcher: PartitionFetcher;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/**
 * Reads partitions as one async iterable of records, in offset order within each partition. One
 * fetcher per partition follows its leader; all feed one channel bounded by prefetchBytesMax. A
 * non-retriable error (OFFSET_OUT_OF_RANGE, CORRUPT_MESSAGE…) ends the iteration with that error
 * after the records read before it.
 *
 * Partitions are either assigned by hand (assign, assignTopic) or, with `groupId` and `topics`, by
 * the group's coordinator (group mode): iterating joins the group. In group mode a record counts as
 * processed once the iterator is asked for the next one (or markProcessed is called), and commit()
 * commits processed positions only.
 */
export class Consumer implements AsyncIterable<ConsumerRecord> {
  private readonly channel: AsyncChannel<OwnedChunk>;
  private readonly abort = abortControllerForMany();
  private readonly fetchers = new Map<string, Running>();
  private readonly group: GroupSession | undefined;
  private readonly running = new Set<Promise<void>>();
  private held: readonly HandedRecord[] = [];
  private readonly reader: ChunkReader;
  private closing = false;
  /** Which reading of its partition handed out a record, so a stale one is never marked processed. */
  private readonly deliveredBy = new WeakMap<ConsumerRecord, AbortController>();
  private releaseWaiters: (() => void)[] = [];

  constructor(
    private readonly client: ConsumerClient,
    private readonly options: ConsumerOptions = {},
  ) {
    this.channel = new AsyncChannel(options.prefetchBytesMax ?? 8 * 1024 * 1024);
    this.reader = new ChunkReader(
      this.channel,
      (record, owner) => this.fetchers.get(partitionKey(record))?.abort === owner,
    );
    this.group = this.makeGroup(options);
  }

  assign(partitions: readonly Assignment[]): void {
    if (this.group !== undefined) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        'a consumer in group mode gets its partitions from the group',
      );
    }
    this.startFetchers(partitions);
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
    return new Map([...this.fetchers].map(([key, r]) => [key, r.fetcher.position]));
  }

  /** The partitions consumed now. */
  assignment(): TopicPartitionRef[] {
    return [...this.fetchers.values()].map((r) => ({
      topic: r.fetcher.topic,
      partition: r.fetcher.partition,
    }));
  }

  /** Group mode: joins now instead of on first iteration; resolves once the first assignment is in. */
  async join(): Promise<void> {
    await this.groupSession().joined();
  }

  /** Group mode: who this member is, for Producer.sendOffsetsToTransaction. */
  groupMetadata(): GroupMetadata {
    return this.groupSession().metadata();
  }

  /** Group mode: the record is processed (also implied by asking the iterator for the next one). */
  markProcessed(record: ConsumerRecord): void {
    const group = this.groupSession();
    const owner = this.deliveredBy.get(record);
    if (owner !== undefined && this.isCurrent(record, owner)) group.processed(record, record.offset);
  }

  /**
   * Whether a record handed out by `owner` still counts: not when another reading of its partition
   * began since (after a rewind, or a revocation and a new assignment), which starts from the
   * committed offset. A partition being revoked has no reader and still counts until it is released.
   */
  private isCurrent(record: ConsumerRecord, owner: AbortController): boolean {
    const reader = this.fetchers.get(partitionKey(record));
    return reader === undefined || reader.abort === owner;
  }

  /**
   * Group mode: consumes every partition again from its committed offset, dropping what was read
   * after it. After an aborted transaction this makes its input be read again.
   */
  seekToCommitted(): Promise<void> {
    const group = this.groupSession();
    // The record in hand is given up (it will be read again), so a revocation need not wait for it.
    this.held = [];
    for (const wake of this.releaseWaiters.splice(0)) wake();
    return group.rewind();
  }

  /**
   * Group mode: commits the given offsets (next offset to read, per partition), or by default the
   * position after every processed record not committed yet. Resolves with what was committed.
   */
  commit(offsets?: readonly PartitionOffset[]): Promise<PartitionOffset[]> {
    return this.groupSession().commit(offsets);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    this.beginReading();
    for (;;) {
      const got = await this.reader.take(1, undefined);
      if (got === 'done') return;
      let resumed = false;
      this.hold(got);
      try {
        yield got[0]!.record;
        resumed = true;
      } finally {
        this.release(got, resumed);
      }
    }
  }

  /**
   * The records as batches of up to `maxRecords`, gathered for at most `maxWaitMs` after the first
   * one arrives (a consume-transform-produce loop makes one transaction per batch). In group mode
   * a batch counts as processed once the next batch is asked for. Use either this or the record
   * iterator on one consumer, not both.
   */
  async *batches(
    options: { maxRecords?: number; maxWaitMs?: number } = {},
  ): AsyncGenerator<ConsumerRecord[]> {
    const maxRecords = options.maxRecords ?? 500;
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) {
      throw new RaftlogError('INVALID_ARGUMENT', `maxRecords must be a positive integer, got ${maxRecords}`);
    }
    this.beginReading();
    for (;;) {
      const got = await this.reader.take(maxRecords, options.maxWaitMs ?? 100);
      if (got === 'done') return;
      let resumed = false;
      this.hold(got);
      try {
        yield got.map((h) => h.record);
        resumed = true;
      } finally {
        this.release(got, resumed);
      }
    }
  }

  private beginReading(): void {
    if (this.group !== undefined) this.group.start();
    else if (this.fetchers.size === 0) throw new RaftlogError('INVALID_ARGUMENT', 'assign partitions first');
  }

  /** Records in the application's hands: a revocation of their partitions waits for them. */
  private hold(records: readonly HandedRecord[]): void {
    this.held = records;
    if (this.group !== undefined) for (const h of records) this.deliveredBy.set(h.record, h.owner);
  }

  /** The application asked for more (`processed`) or left the loop. */
  private release(records: readonly HandedRecord[], processed: boolean): void {
    if (processed) {
      for (const h of records) {
        if (this.isCurrent(h.record, h.owner)) this.group?.processed(h.record, h.record.offset);
      }
    }
    this.held = [];
    for (const wake of this.releaseWaiters.splice(0)) wake();
  }

  /**
   * Stops every fetcher; a pending iteration ends. In group mode, commits first when autoCommit is
   * on or `commit` is asked, then leaves the group (a static member, with groupInstanceId, stays).
   */
  async close(options: GroupCloseOptions = {}): Promise<void> {
    this.closing = true;
    for (const wake of this.releaseWaiters.splice(0)) wake();
    try {
      await this.group?.close(options);
    } finally {
      this.abort.abort();
      this.channel.close();
      await Promise.all([...this.running]);
    }
  }

  private groupSession(): GroupSession {
    if (this.group === undefined)
      throw new RaftlogError('INVALID_ARGUMENT', 'only a consumer in group mode (groupId) can do this');
    return this.group;
  }

  private makeGroup(o: ConsumerOptions): GroupSession | undefined {
    if (o.groupId === undefined) return undefined;
    const resolved = resolveGroupOptions({ ...o, groupId: o.groupId, topics: o.topics ?? [] });
    const retry = { ...defaultRetryOptions, ...o.retry };
    const coordinator = new CoordinatorClient(this.client, { kind: 'group', key: o.groupId }, retry);
    const listeners = {
      ...(o.onPartitionsAssigned === undefined ? {} : { onPartitionsAssigned: o.onPartitionsAssigned }),
      ...(o.onPartitionsRevoked === undefined ? {} : { onPartitionsRevoked: o.onPartitionsRevoked }),
      ...(o.onPartitionsLost === undefined ? {} : { onPartitionsLost: o.onPartitionsLost }),
    };
    return new GroupSession(
      coordinator,
      resolved,
      listeners,
      this.control(),
      o.isolation === 'read_committed',
    );
  }

  private control(): PartitionControl {
    return {
      partitions: () => this.assignment(),
      start: (partitions) => this.startFetchers(partitions),
      stop: (partitions) => this.stopFetchers(partitions),
      released: (partitions, timeoutMs) => this.released(partitions, timeoutMs),
      fail: (error) => this.channel.fail(error),
    };
  }

  private startFetchers(partitions: readonly Assignment[]): void {
    for (const a of partitions) {
      const key = partitionKey(a);
      if (this.fetchers.has(key)) continue;
      const abort = new AbortController();
      const signal = AbortSignal.any([this.abort.signal, abort.signal]);
      setMaxListeners(0, signal);
      const fetcher = new PartitionFetcher(
        this.client,
        a.topic,
        a.partition,
        a.from ?? this.options.from ?? 'latest',
        (chunk) => this.channel.push({ chunk, owner: abort }, chunk.sizeBytes),
        {
          partitionMaxBytes: this.options.partitionMaxBytes ?? 1024 * 1024,
          heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 5_000,
          isolation:
            this.options.isolation === 'read_committed'
              ? IsolationLevel.READ_COMMITTED
              : IsolationLevel.READ_UNCOMMITTED,
          retry: { ...defaultRetryOptions, ...this.options.retry },
          pollWaitMs: 500,
          // A group member whose committed offset fell behind retention starts over as configured.
          ...(this.group === undefined
            ? {}
            : { outOfRangeReset: this.options.autoOffsetReset ?? 'earliest' }),
        },
        signal,
      );
      const done = fetcher.run().catch((error: unknown) => {
        if (!abort.signal.aborted) this.channel.fail(toRaftlogError(error));
      });
      this.running.add(done);
      void done.then(() => this.running.delete(done));
      this.fetchers.set(key, { fetcher, abort, done });
    }
  }

  private stopFetchers(partitions: readonly TopicPartitionRef[]): Promise<void> {
    // A stopped fetcher is not waited for: one blocked on a full channel ends once the reader
    // moves on or the consumer closes, and what it still pushes is dropped by the owner check.
    for (const tp of partitions) {
      const r = this.fetchers.get(partitionKey(tp));
      if (r === undefined) continue;
      this.fetchers.delete(partitionKey(tp));
      r.abort.abort();
    }
    return Promise.resolve();
  }

  private async released(partitions: readonly TopicPartitionRef[], timeoutMs: number): Promise<void> {
    const keys = new Set(partitions.map(partitionKey));
    const deadline = Date.now() + timeoutMs;
    while (
      !this.closing &&
      this.held.some((h) => keys.has(partitionKey(h.record))) &&
      Date.now() < deadline
    ) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.releaseWaiters.push(resolve);
        timer = setTimeout(resolve, deadline - Date.now());
      });
      clearTimeout(timer);
    }
  }
}

/** One signal watched by a fetcher per partition: more listeners than Node's leak warning expects. */
function abortControllerForMany(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
