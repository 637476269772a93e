import { BrokerViolation } from './broker-violation.js';

/** How a transaction ended, as its producer learned it. */
export type TxnFate = 'open' | 'committed' | 'aborted' | 'unknown';

/** One transaction of the workload: every batch it sent (acknowledged or not) and how it ended. */
export interface TxnRecord {
  readonly name: string;
  fate: TxnFate;
  /** Why it ended as it did (the trace and a failure name it). */
  how: string;
  readonly batches: TxnBatch[];
}

export interface TxnBatch {
  readonly partition: string;
  /** `${producerId}:${epoch}:${sequence}`: what a reader sees in the batch header. */
  readonly key: string;
  /** Where it was acknowledged; undefined while unacknowledged. */
  offset?: number;
}

export function txnBatchKey(producerId: number, epoch: number, sequence: number): string {
  return `${producerId}:${epoch}:${sequence}`;
}

/**
 * Holds the transactional workload to what read_committed readers see: a committed transaction's
 * acknowledged batches are all delivered, an aborted one's never, and a replica's last stable
 * offset never goes back within one incarnation.
 */
export class TxnChecker {
  /** `${partition}|${key}` → its transaction. */
  private readonly byBatch = new Map<string, TxnRecord>();
  /** `${partition}|${key}` → the offset a read_committed reader got it at. */
  private readonly delivered = new Map<string, number>();
  /** partition → offset ranges a reader skipped because retention removed them first. */
  private readonly skipped = new Map<string, [number, number][]>();
  /** `${node}#${incarnation}/${partition}` → last stable offset last seen. */
  private readonly stable = new Map<string, number>();
  readonly records: TxnRecord[] = [];

  begin(name: string): TxnRecord {
    const record: TxnRecord = { name, fate: 'open', how: '', batches: [] };
    this.records.push(record);
    return record;
  }

  /** Before the batch is first sent: a reader may see it from then on. */
  noteBatch(record: TxnRecord, batch: TxnBatch): void {
    record.batches.push(batch);
    this.byBatch.set(`${batch.partition}|${batch.key}`, record);
  }

  noteFate(record: TxnRecord, fate: Exclude<TxnFate, 'open'>, how: string): void {
    record.fate = fate;
    record.how = how;
    if (fate !== 'aborted') return;
    for (const b of record.batches) {
      const at = this.delivered.get(`${b.partition}|${b.key}`);
      if (at !== undefined) throw abortedRead(record, b.partition, b.key, at);
    }
  }

  /** A read_committed reader delivered this transactional batch. */
  noteDelivered(partition: string, key: string, offset: number): void {
    this.delivered.set(`${partition}|${key}`, offset);
    const record = this.byBatch.get(`${partition}|${key}`);
    if (record?.fate === 'aborted') throw abortedRead(record, partition, key, offset);
  }

  /** Retention moved the log start past a reader's position: what lay between cannot be checked. */
  noteSkipped(partition: string, from: number, to: number): void {
    const ranges = this.skipped.get(partition) ?? [];
    ranges.push([from, to]);
    this.skipped.set(partition, ranges);
  }

  noteStable(where: string, lastStableOffset: number): void {
    const before = this.stable.get(where) ?? 0;
    if (lastStableOffset < before)
      throw new BrokerViolation(
        'last stable offset monotonic',
        `${where} went from ${before} to ${lastStableOffset}`,
      );
    this.stable.set(where, lastStableOffset);
  }

  /** The replica is gone from that node incarnation: one added later starts over. */
  forgetStable(where: string): void {
    this.stable.delete(where);
  }

  /**
   * Once every reader reached its partition's high watermark: each acknowledged batch of a
   * committed transaction was delivered, unless retention removed it before a reader got there.
   */
  checkCommittedDelivered(live: (partition: string) => boolean): void {
    for (const record of this.records) {
      if (record.fate !== 'committed') continue;
      for (const b of record.batches) {
        if (!live(b.partition) || b.offset === undefined) continue;
        if (this.delivered.has(`${b.partition}|${b.key}`)) continue;
        if (this.wasSkipped(b.partition, b.offset)) continue;
        throw new BrokerViolation(
          'committed transaction visible',
          `${record.name} (${record.how}): ${b.partition} batch ${b.key} acknowledged @${b.offset} never delivered to read_committed`,
        );
      }
    }
  }

  private wasSkipped(partition: string, offset: number): boolean {
    return (this.skipped.get(partition) ?? []).some(([from, to]) => offset >= from && offset < to);
  }
}

function abortedRead(record: TxnRecord, partition: string, key: string, offset: number): BrokerViolation {
  return new BrokerViolation(
    'aborted transaction invisible',
    `${record.name} (${record.how}): ${partition} batch ${key} delivered to read_committed @${offset}`,
  );
}
