import { OffsetOutOfRangeError, RaftlogError, type LogPositions } from '../../lib/index.js';
import { IsolationLevel, OffsetSpec, type FetchedPartition } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { delay } from './delay.js';
import { errorFromDetail, toRaftlogError } from './errors.js';
import { decodeFetchedRecords, type DecodedChunk } from './fetched-records.js';
import type { RaftlogClient } from './raftlog-client.js';
import { decideRetry, type RetryOptions } from './retry-policy.js';
import type { StartPosition } from './types.js';
import { withRetry } from './with-retry.js';

export type FetcherClient = Pick<RaftlogClient, 'leaderAddress' | 'noteError' | 'broker'>;

export interface FetcherOptions {
  readonly partitionMaxBytes: number;
  readonly heartbeatIntervalMs: number;
  readonly isolation: IsolationLevel;
  readonly retry: RetryOptions;
  /** Long-poll wait when the server has no FetchStream and plain Fetch is used instead. */
  readonly pollWaitMs: number;
  /**
   * Where to go on OFFSET_OUT_OF_RANGE (a committed offset that retention has passed); unset, the
   * error ends the run.
   */
  readonly outOfRangeReset?: 'earliest' | 'latest';
}

/**
 * Follows one partition from its leader and hands decoded chunks to `sink`, which may wait (that
 * wait is the consumer's bounded prefetch: the stream is not read meanwhile, so HTTP/2 flow control
 * holds the server back). Reconnects from the next offset after a leader change or a broken
 * stream; a non-retriable error ends `run` with that error.
 */
export class PartitionFetcher {
  private next = 0;
  private streamUnsupported = false;

  constructor(
    private readonly client: FetcherClient,
    readonly topic: string,
    readonly partition: number,
    private readonly start: StartPosition,
    private readonly sink: (chunk: DecodedChunk) => Promise<void>,
    private readonly options: FetcherOptions,
    private readonly signal: AbortSignal,
  ) {}

  get position(): number {
    return this.next;
  }

  async run(): Promise<void> {
    this.next = await this.startOffset();
    for (let attempt = 0; !this.signal.aborted; attempt++) {
      try {
        const address = await this.client.leaderAddress(this.topic, this.partition);
        for await (const parts of this.responses(address)) {
          for (const p of parts) if (await this.accept(p)) attempt = 0;
        }
        throw new RaftlogError('UNAVAILABLE', 'the fetch stream ended');
      } catch (thrown) {
        if (this.signal.aborted) return;
        const error = toRaftlogError(thrown);
        if (error.code === 'UNIMPLEMENTED' && !this.streamUnsupported) {
          this.streamUnsupported = true;
          continue;
        }
        const reset = this.options.outOfRangeReset;
        if (error.code === 'OFFSET_OUT_OF_RANGE' && reset !== undefined) {
          this.next = this.resetFrom(error, reset) ?? (await this.lookUp(reset));
          continue;
        }
        this.client.noteError(this.topic, this.partition, error);
        const decision = decideRetry(
          error,
          attempt,
          Date.now(),
          Number.POSITIVE_INFINITY,
          this.options.retry,
        );
        if (!decision.retry) throw error;
        await delay(decision.delayMs, this.signal).catch(() => undefined);
      }
    }
  }

  /** Returns whether records arrived. */
  private async accept(p: FetchedPartition): Promise<boolean> {
    if (p.topic !== this.topic || p.partition !== this.partition) return false;
    const error = errorFromDetail(p.error);
    if (error?.code === 'OFFSET_OUT_OF_RANGE') throw withPositions(error, p);
    if (error !== undefined) throw error;
    if (p.records.length === 0) return false;
    // Only read_committed fetches list aborted transactions; a minimal server may leave it unset.
    const aborted = (p.abortedTransactions ?? []).map((a) => ({
      producerId: Number(a.producerId),
      firstOffset: Number(a.firstOffset),
    }));
    const chunk = decodeFetchedRecords(this.topic, this.partition, p.records, this.next, aborted);
    this.next = Math.max(chunk.nextOffset, Number(p.nextOffset));
    if (chunk.records.length > 0) await this.sink(chunk);
    return true;
  }

  private responses(address: string): AsyncIterable<readonly FetchedPartition[]> {
    return this.streamUnsupported ? this.polls(address) : this.pushes(address);
  }

  private async *pushes(address: string): AsyncIterable<readonly FetchedPartition[]> {
    const stream = this.client.broker(address).fetchStream(
      {
        partitions: [this.wanted()],
        isolationLevel: this.options.isolation,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      },
      { signal: this.signal },
    );
    for await (const response of stream) yield response.partitions;
  }

  private async *polls(address: string): AsyncIterable<readonly FetchedPartition[]> {
    const broker = this.client.broker(address);
    while (!this.signal.aborted) {
      const response = await broker.fetch(
        {
          partitions: [this.wanted()],
          maxWaitMs: this.options.pollWaitMs,
          minBytes: 1,
          isolationLevel: this.options.isolation,
        },
        { signal: this.signal, timeoutMs: this.options.pollWaitMs + 10_000 },
      );
      yield response.partitions;
    }
  }

  private wanted() {
    return {
      topic: this.topic,
      partition: this.partition,
      offset: BigInt(this.next),
      partitionMaxBytes: this.options.partitionMaxBytes,
    };
  }

  private async startOffset(): Promise<number> {
    return typeof this.start === 'number' ? this.start : this.lookUp(this.start);
  }

  /** The offset to go on from, when the refusal told where the log stands (no ListOffsets round trip). */
  private resetFrom(error: RaftlogError, reset: 'earliest' | 'latest'): number | undefined {
    if (!(error instanceof OffsetOutOfRangeError)) return undefined;
    const { logStartOffset, highWatermark, lastStableOffset } = error.positions;
    if (reset === 'earliest') return logStartOffset;
    return this.options.isolation === IsolationLevel.READ_COMMITTED ? lastStableOffset : highWatermark;
  }

  private lookUp(position: 'earliest' | 'latest'): Promise<number> {
    const spec = position === 'earliest' ? OffsetSpec.EARLIEST : OffsetSpec.LATEST;
    return withRetry(
      async () => {
        const address = await this.client.leaderAddress(this.topic, this.partition);
        const response = await this.client.broker(address).listOffsets(
          {
            partitions: [{ topic: this.topic, partition: this.partition, spec }],
            isolationLevel: this.options.isolation,
          },
          { signal: this.signal, timeoutMs: 10_000 },
        );
        const listed = response.offsets[0];
        if (listed === undefined) throw new RaftlogError('INTERNAL', 'ListOffsets answered nothing');
        const error = errorFromDetail(listed.error);
        if (error !== undefined) throw error;
        return Number(listed.offset);
      },
      {
        deadlineMs: Number.POSITIVE_INFINITY,
        retry: this.options.retry,
        signal: this.signal,
        onError: (e) => this.client.noteError(this.topic, this.partition, e),
      },
    );
  }
}

/**
 * The positions a refused fetch carries; a server that leaves them unset (-1) or out of order makes
 * the fetcher ask ListOffsets instead.
 */
function withPositions(error: RaftlogError, p: FetchedPartition): RaftlogError {
  const positions: LogPositions = {
    highWatermark: Number(p.highWatermark),
    lastStableOffset: Number(p.lastStableOffset),
    logStartOffset: Number(p.logStartOffset),
  };
  const { highWatermark, lastStableOffset, logStartOffset } = positions;
  const ordered =
    0 <= logStartOffset && logStartOffset <= lastStableOffset && lastStableOffset <= highWatermark;
  if (!ordered || !Number.isSafeInteger(highWatermark)) return error;
  return new OffsetOutOfRangeError(error.message, positions, { cause: error });
}
