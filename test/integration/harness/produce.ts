import { encodeRecordBatch, RaftlogError } from '../../../lib/index.js';
import { Acks } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { waitForLeader } from './admin.js';
import { asRaftlogError, checkNotTornDown, sleep, type ClusterAccess } from './rpc.js';

/** A batch the cluster acknowledged: its payload ids and the offsets it was given. */
export interface AckedBatch {
  readonly ids: readonly string[];
  readonly baseOffset: bigint;
  /** When the successful attempt was sent and answered (Date.now()). */
  readonly sentAt: number;
  readonly ackedAt: number;
}

/** What one writer knows about one partition: acknowledged batches in order, and ids in doubt. */
export class PartitionLedger {
  readonly acked: AckedBatch[] = [];
  /** Ids of attempts whose outcome is unknown (timeout, lost connection): present at most once. */
  readonly maybe = new Set<string>();

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get ackedRecords(): number {
    return this.acked.reduce((n, b) => n + b.ids.length, 0);
  }
}

// Errors after which the batch was certainly not appended, so the same ids may be sent again.
const notAppended = new Set(['NOT_LEADER', 'LEADER_NOT_AVAILABLE', 'TOPIC_NOT_FOUND', 'PARTITION_NOT_FOUND']);

export interface WriterOptions {
  readonly batchRecords?: number;
  /** Gives up on one batch after this long without an acknowledgement. */
  readonly batchTimeoutMs?: number;
  readonly acks?: Acks;
}

/**
 * Writes batches of uniquely numbered records to one partition, one batch at a time, following
 * leadership. A batch whose outcome is unknown is never resent under the same ids: its ids go to
 * `ledger.maybe` and the next attempt uses fresh ones, so any duplicate found later is the broker's.
 */
export class PartitionWriter {
  readonly ledger: PartitionLedger;
  private nextSeq = 0;
  private leaderAddress: string | undefined;
  private readonly batchRecords: number;
  private readonly batchTimeoutMs: number;
  private readonly acks: Acks;

  constructor(
    private readonly access: ClusterAccess,
    topic: string,
    partition: number,
    options: WriterOptions = {},
  ) {
    this.ledger = new PartitionLedger(topic, partition);
    this.batchRecords = options.batchRecords ?? 100;
    this.batchTimeoutMs = options.batchTimeoutMs ?? 20_000;
    this.acks = options.acks ?? Acks.QUORUM;
  }

  /** Writes `records` records in batches; resolves once all are acknowledged. */
  async write(records: number): Promise<void> {
    for (let left = records; left > 0; left -= this.batchRecords) {
      await this.writeBatch(Math.min(left, this.batchRecords));
    }
  }

  /** Keeps writing until `stop` aborts, pausing pauseMs between batches. */
  async writeUntil(stop: AbortSignal, pauseMs: number): Promise<void> {
    while (!stop.aborted) {
      await this.writeBatch(this.batchRecords);
      await sleep(pauseMs, stop);
    }
  }

  /** Resolves with the first batch acknowledged after an attempt sent at or after `since`. */
  async firstAckSentAfter(since: number, timeoutMs: number): Promise<AckedBatch> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.ledger.acked.find((b) => b.sentAt >= since);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`${this.name()}: no write acknowledged within ${timeoutMs} ms`);
      await sleep(5, this.access.signal);
    }
  }

  async writeBatch(count: number): Promise<AckedBatch> {
    const deadline = Date.now() + this.batchTimeoutMs;
    let ids = this.freshIds(count);
    let last: RaftlogError | undefined;
    while (Date.now() < deadline) {
      checkNotTornDown(this.access);
      const sentAt = Date.now();
      try {
        const baseOffset = await this.send(ids);
        const batch = { ids, baseOffset, sentAt, ackedAt: Date.now() };
        this.ledger.acked.push(batch);
        return batch;
      } catch (error) {
        last = asRaftlogError(error);
        if (!last.retriable && !notAppended.has(last.code)) throw last;
        this.leaderAddress = notAppended.has(last.code) ? nonEmpty(last.leaderHint) : undefined;
        if (!notAppended.has(last.code)) {
          for (const id of ids) this.ledger.maybe.add(id);
          ids = this.freshIds(count);
        }
        if (this.leaderAddress === undefined) await sleep(20, this.access.signal);
      }
    }
    throw new Error(
      `${this.name()}: batch not acknowledged within ${this.batchTimeoutMs} ms (${last?.code}: ${last?.message})`,
    );
  }

  private async send(ids: readonly string[]): Promise<bigint> {
    const address = (this.leaderAddress ??= await this.findLeader());
    const batch = encodeRecordBatch({
      records: ids.map((id) => ({ value: utf8.encode(id) })),
      timestamp: Date.now(),
    });
    const { topic, partition } = this.ledger;
    const response = await this.access
      .broker(address)
      .produce({ topic, partition, batch, acks: this.acks }, { timeoutMs: 5_000 });
    return response.baseOffset;
  }

  private async findLeader(): Promise<string> {
    const { topic, partition } = this.ledger;
    try {
      return (await waitForLeader(this.access, topic, partition, { timeoutMs: 5_000 })).address;
    } catch (error) {
      // Retried like a leaderless partition until the batch's own deadline.
      throw new RaftlogError('LEADER_NOT_AVAILABLE', (error as Error).message, { cause: error });
    }
  }

  private freshIds(count: number): string[] {
    const { topic, partition } = this.ledger;
    return Array.from({ length: count }, () => `${topic}/${partition}/${this.nextSeq++}`);
  }

  private name(): string {
    return `${this.ledger.topic}/${this.ledger.partition}`;
  }
}

const utf8 = new TextEncoder();

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
