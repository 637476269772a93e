import { encodeRecordBatch, RaftlogError, splitRecordBatches } from '../../../lib/index.js';
import { Acks, IsolationLevel } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { waitForLeader } from './admin.js';
import { fromDetail } from './fetch.js';
import { asRaftlogError, sleep, type ClusterAccess } from './rpc.js';

const utf8 = new TextDecoder();

export interface CommittedRead {
  /** Values of committed transactional and plain records, in offset order (markers left out). */
  readonly values: string[];
  readonly lastStableOffset: number;
  readonly highWatermark: number;
  /** Markers met in the read range, by type. */
  readonly commitMarkers: number;
  readonly abortMarkers: number;
}

/**
 * Reads a partition with read_committed from offset 0 up to its last stable offset, skipping the
 * batches of aborted transactions as a consumer does: from an aborted transaction's first offset,
 * that producer's data batches are dropped until its abort marker.
 */
export async function readCommitted(
  access: ClusterAccess,
  topic: string,
  partition: number,
  timeoutMs = 30_000,
): Promise<CommittedRead> {
  const deadline = Date.now() + timeoutMs;
  const values: string[] = [];
  const skipping = new Set<number>();
  const markers = { commit: 0, abort: 0 };
  let offset = 0n;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`${topic}/${partition}: read_committed stopped at ${offset}`);
    const leader = await waitForLeader(access, topic, partition);
    const part = await access
      .broker(leader.address)
      .fetch(
        {
          partitions: [{ topic, partition, offset, partitionMaxBytes: 1024 * 1024 }],
          maxBytes: 4 * 1024 * 1024,
          maxWaitMs: 0,
          isolationLevel: IsolationLevel.READ_COMMITTED,
        },
        { timeoutMs: 10_000 },
      )
      .then((r) => r.partitions[0])
      .catch((e: unknown) => asRaftlogError(e));
    if (
      part instanceof Error ||
      part === undefined ||
      (part.error && part.error.code !== ErrorCode.UNSPECIFIED)
    ) {
      const error = part instanceof Error ? part : part?.error ? fromDetail(part.error) : undefined;
      if (error !== undefined && !error.retriable) throw error;
      await sleep(50, access.signal);
      continue;
    }
    const aborted = part.abortedTransactions.map((a) => ({
      pid: Number(a.producerId),
      first: Number(a.firstOffset),
    }));
    for (const batch of splitRecordBatches(part.records)) {
      // Each aborted range applies once: from its first offset up to its producer's next marker.
      for (let i = aborted.length - 1; i >= 0; i--) {
        const a = aborted[i];
        if (a !== undefined && a.pid === batch.producerId && batch.baseOffset >= a.first) {
          skipping.add(a.pid);
          aborted.splice(i, 1);
        }
      }
      if (batch.isControl) {
        skipping.delete(batch.producerId);
        const key = batch.records().next().value?.key;
        if (key?.[3] === 1) markers.commit++;
        else markers.abort++;
        continue;
      }
      if (batch.isTransactional && skipping.has(batch.producerId)) continue;
      for (const record of batch.records()) values.push(utf8.decode(record.value ?? new Uint8Array()));
    }
    const lso = part.lastStableOffset;
    if (part.nextOffset >= lso) {
      return {
        values,
        lastStableOffset: Number(lso),
        highWatermark: Number(part.highWatermark),
        commitMarkers: markers.commit,
        abortMarkers: markers.abort,
      };
    }
    offset = part.nextOffset > offset ? part.nextOffset : offset;
  }
}

/** A transactional producer over raw gRPC calls, as a client library would drive them. */
export class RawTxnProducer {
  producerId = -1;
  epoch = -1;
  private readonly sequences = new Map<string, number>();

  constructor(
    private readonly access: ClusterAccess,
    readonly transactionalId: string,
    private readonly timeoutMs = 60_000,
    /** The node the coordinator calls go to (any node answers). */
    public address: string = access.liveNodes()[0]?.address ?? '',
  ) {}

  private ids() {
    return {
      transactionalId: this.transactionalId,
      producerId: BigInt(this.producerId),
      producerEpoch: this.epoch,
    };
  }

  async init(): Promise<void> {
    const r = await this.retry(() =>
      this.access.broker(this.address).initProducer({
        transactionalId: this.transactionalId,
        transactionTimeoutMs: this.timeoutMs,
      }),
    );
    this.producerId = Number(r.producerId);
    this.epoch = r.producerEpoch;
    this.sequences.clear();
  }

  async addPartitions(topic: string, partitions: readonly number[]): Promise<void> {
    const r = await this.retry(() =>
      this.access.broker(this.address).addPartitionsToTxn({
        ...this.ids(),
        partitions: partitions.map((partition) => ({ topic, partition })),
      }),
    );
    const failed = r.results.find((x) => x.error !== undefined && x.error.code !== ErrorCode.UNSPECIFIED);
    if (failed?.error) throw fromDetail(failed.error);
  }

  async produce(topic: string, partition: number, values: readonly string[]): Promise<void> {
    const key = `${topic}/${partition}`;
    const baseSequence = this.sequences.get(key) ?? 0;
    const batch = encodeRecordBatch({
      timestamp: Date.now(),
      producerId: this.producerId,
      producerEpoch: this.epoch,
      baseSequence,
      transactional: true,
      records: values.map((v) => ({ key: null, value: new TextEncoder().encode(v) })),
    });
    await this.retry(async () => {
      const leader = await waitForLeader(this.access, topic, partition);
      return this.access.broker(leader.address).produce({
        topic,
        partition,
        batch,
        acks: Acks.QUORUM,
        transactional: true,
        transactionalId: this.transactionalId,
      });
    });
    this.sequences.set(key, baseSequence + values.length);
  }

  async end(commit: boolean): Promise<void> {
    await this.retry(() =>
      this.access.broker(this.address).endTxn({ ...this.ids(), commit }, { timeoutMs: 60_000 }),
    );
  }

  /** Retries retriable failures (a moved leader, a controller election) for up to 30 s. */
  private async retry<T>(call: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        return await call();
      } catch (e) {
        const error = asRaftlogError(e);
        if (!(error instanceof RaftlogError) || !error.retriable || Date.now() > deadline) throw error;
        const live = this.access.liveNodes();
        if (!live.some((n) => n.address === this.address)) this.address = live[0]?.address ?? this.address;
        await sleep(100, this.access.signal);
      }
    }
  }
}
