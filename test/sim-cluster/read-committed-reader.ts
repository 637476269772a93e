import { splitRecordBatches, type NodeId, type RecordBatchView } from '../../lib/index.js';
import type { FetchOutcome, NodeApi } from '../../cluster/node/index.js';
import { readMarkerType, type AbortedTransaction } from '../../cluster/partition/index.js';
import { BrokerViolation } from './broker-violation.js';
import type { ClientCalls } from './client-calls.js';
import { txnBatchKey, type TxnChecker } from './txn-checker.js';

const fetchBytesMax = 256 * 1024;

/**
 * A read_committed consumer of every partition, as Kafka's filters: it fetches from the leader up to
 * the last stable offset and drops the transactional batches of producers the fetch's aborted list
 * names, from each aborted transaction's first offset up to that producer's abort marker.
 */
export class ReadCommittedReader {
  /** partition → next offset to read. */
  private readonly positions = new Map<string, number>();
  /** Partitions with a fetch in flight: one at a time each, as one consumer reads. */
  private readonly reading = new Set<string>();
  fetches = 0;

  constructor(
    private readonly checker: TxnChecker,
    private readonly calls: ClientCalls,
    private readonly fail: (error: unknown) => void,
  ) {}

  /**
   * Starts one fetch of `topic`/`partition` from `leader` unless one is in flight. A fetch waits
   * for the leader's store write, so it runs beside the simulation instead of inside a check.
   */
  poll(leader: NodeId, topic: string, partition: number): void {
    const name = `${topic}/${partition}`;
    if (this.reading.has(name)) return;
    this.reading.add(name);
    const position = this.positions.get(name) ?? 0;
    void this.calls
      .call(
        (api) =>
          api.fetch({
            topic,
            partition,
            offset: position,
            bytesMax: fetchBytesMax,
            isolation: 'read-committed',
          }),
        leader,
      )
      .then((outcome) => {
        this.reading.delete(name);
        const api = this.calls.cluster.node(leader);
        if (outcome.value !== undefined) {
          this.fetches++;
          this.positions.set(name, this.deliver(name, position, outcome.value));
        } else if (outcome.error?.code === 'OFFSET_OUT_OF_RANGE' && api !== undefined)
          this.skipToLogStart(api, topic, partition, position);
      })
      .catch((e: unknown) => this.fail(e));
  }

  /** The reader's position on the partition (0 before any read). */
  position(name: string): number {
    return this.positions.get(name) ?? 0;
  }

  /** Retention passed the reader: it goes on from the log start (a leader behind it answers so too: stay). */
  private skipToLogStart(api: NodeApi, topic: string, partition: number, position: number): void {
    const name = `${topic}/${partition}`;
    const logStart = logStartOf(api, topic, partition);
    if (logStart === undefined || logStart <= position || this.position(name) !== position) return;
    this.checker.noteSkipped(name, position, logStart);
    this.positions.set(name, logStart);
  }

  private deliver(name: string, position: number, out: FetchOutcome): number {
    const aborted = [...out.abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset);
    const abortedProducers = new Set<number>();
    let next = position;
    for (const batch of splitRecordBatches(out.records)) {
      if (batch.nextOffset <= next) continue;
      if (batch.lastOffset >= out.lastStableOffset)
        throw new BrokerViolation(
          'read_committed stops at the last stable offset',
          `${name}: batch ${batch.baseOffset}..${batch.lastOffset} returned with last stable offset ${out.lastStableOffset}`,
        );
      takeStarted(aborted, batch.lastOffset, abortedProducers);
      next = batch.nextOffset;
      if (batch.isControl) {
        if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
        continue;
      }
      if (!batch.isTransactional || abortedProducers.has(batch.producerId)) continue;
      const key = txnBatchKey(batch.producerId, batch.producerEpoch, batch.baseSequence);
      this.checker.noteDelivered(name, key, batch.baseOffset);
    }
    return next;
  }
}

/** Moves the aborted transactions that started at or before `lastOffset` into the skipped producers. */
function takeStarted(aborted: AbortedTransaction[], lastOffset: number, producers: Set<number>): void {
  while (aborted.length > 0 && aborted[0]!.firstOffset <= lastOffset)
    producers.add(aborted.shift()!.producerId);
}

function isAbortMarker(batch: RecordBatchView): boolean {
  try {
    return readMarkerType(batch) === 'abort';
  } catch {
    return false;
  }
}

function logStartOf(api: NodeApi, topic: string, partition: number): number | undefined {
  try {
    const view = api.describeTopic(topic).partitionViews.find((v) => v.partition === partition);
    return view === undefined || view.highWatermark < 0 ? undefined : view.logStartOffset;
  } catch {
    return undefined;
  }
}
