import type { ProducerRecord, RecordAck, TransactionScope } from '../client/index.js';
import { LatencyRecorder, summarize, type BenchResult, type Progress } from './bench-runner.js';

export interface TransactionalSender {
  transaction<T>(fn: (scope: TransactionScope) => Promise<T>): Promise<T>;
}

export interface TransactionBenchOptions {
  readonly topic: string;
  readonly count: number;
  readonly recordBytes: number;
  /** Records per transaction. */
  readonly transactionRecords: number;
}

/**
 * Sends `count` records in transactions of `transactionRecords`, one transaction after another (a
 * producer has one open transaction). A record's latency runs from its send() to its transaction's
 * commit, the moment a read_committed consumer may see it.
 */
export async function benchProduceTransactions(
  producer: TransactionalSender,
  options: TransactionBenchOptions,
  progress: Progress,
): Promise<BenchResult> {
  const value = new Uint8Array(options.recordBytes).fill(0x61);
  const latency = new LatencyRecorder();
  let committed = 0;
  let errors = 0;
  const started = performance.now();
  for (let sent = 0; sent < options.count;) {
    const n = Math.min(options.transactionRecords, options.count - sent);
    sent += n;
    const t0 = performance.now();
    try {
      await producer.transaction(async (txn) => {
        const record: ProducerRecord = { topic: options.topic, value };
        const acks: Promise<RecordAck>[] = [];
        for (let i = 0; i < n; i++) acks.push(txn.send(record));
        await Promise.all(acks);
      });
      const ms = performance.now() - t0;
      for (let i = 0; i < n; i++) latency.recordMs(ms);
      committed += n;
    } catch {
      errors += n;
    }
    progress.increment(n);
  }
  progress.stop();
  return summarize(committed, errors, options.recordBytes, performance.now() - started, latency);
}
