import { setTimeout as sleep } from 'node:timers/promises';
import { RaftlogError } from '../../lib/index.js';
import { IsolationLevel } from '../../proto/gen/raftlog/v1/broker_pb.js';
import {
  decodeFetchedRecords,
  errorFromDetail,
  toRaftlogError,
  type RaftlogClient,
} from '../../src/client/index.js';
import type { AssignOp, PollOp, ReadRecord } from '../history/index.js';
import type { KeyRef } from './key-ref.js';
import type { Recorder } from './recorder.js';

export interface PollerOptions {
  readonly pollTimeoutMs: number;
  /** How long the leader may hold a poll open waiting for new records. */
  readonly maxWaitMs: number;
  readonly partitionMaxBytes: number;
}

const decoder = new TextDecoder();
const failedPollPauseMs = 100;

/**
 * A reader assigned to one key from its beginning, polling one Fetch at a time from where its
 * last successful poll ended; each poll is an operation in the history with the records it read.
 */
export class Poller {
  private readonly process: number;
  private next = 0;
  private highWatermark = 0;
  private stopping = false;

  constructor(
    private readonly recorder: Recorder,
    private readonly client: RaftlogClient,
    private readonly key: KeyRef,
    private readonly options: PollerOptions,
  ) {
    this.process = recorder.newProcess();
    const assign = { process: this.process, f: 'assign', keys: [key.name], seekToBeginning: true } as const;
    recorder.record<AssignOp>({ ...assign, type: 'invoke' });
    recorder.record<AssignOp>({ ...assign, type: 'ok' });
  }

  /** Where the next poll starts. */
  get position(): number {
    return this.next;
  }
  /** The high watermark the last successful poll reported. */
  get lastHighWatermark(): number {
    return this.highWatermark;
  }

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<void> {
    while (!this.stopping) {
      // A failed poll is retried after a pause, not in a tight loop against a partition without a leader.
      if ((await this.poll()) === undefined) await sleep(failedPollPauseMs);
    }
  }

  /** One poll; answers the number of records read, or undefined when the poll failed. */
  async poll(): Promise<number | undefined> {
    const base = { process: this.process, f: 'poll', key: this.key.name, from: this.next } as const;
    this.recorder.record<PollOp>({ ...base, type: 'invoke' });
    try {
      const records = await this.fetch();
      this.recorder.record<PollOp>({ ...base, type: 'ok', records });
      return records.length;
    } catch (error) {
      // A read changes nothing, so a failed poll definitely did not happen.
      this.recorder.record<PollOp>({ ...base, type: 'fail' });
      this.client.noteError(this.key.topic, this.key.partition, toRaftlogError(error));
      return undefined;
    }
  }

  private async fetch(): Promise<ReadRecord[]> {
    const { topic, partition } = this.key;
    const address = await this.client.leaderAddress(topic, partition);
    const response = await this.client.broker(address).fetch(
      {
        partitions: [
          { topic, partition, offset: BigInt(this.next), partitionMaxBytes: this.options.partitionMaxBytes },
        ],
        maxWaitMs: this.options.maxWaitMs,
        minBytes: 1,
        isolationLevel: IsolationLevel.READ_UNCOMMITTED,
      },
      { timeoutMs: this.options.pollTimeoutMs },
    );
    const part = response.partitions[0];
    if (part === undefined) throw new RaftlogError('UNAVAILABLE', 'the fetch answered no partition');
    const failure = errorFromDetail(part.error);
    if (failure !== undefined) throw failure;
    const chunk = decodeFetchedRecords(topic, partition, part.records, this.next);
    this.next = chunk.nextOffset;
    this.highWatermark = Number(part.highWatermark);
    return chunk.records.map((r) => [r.offset, r.value === null ? '' : decoder.decode(r.value)] as const);
  }
}
