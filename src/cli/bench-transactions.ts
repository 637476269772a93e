import { RaftlogError } from '../../lib/index.js';
import type { AcksMode, ProducerRecord, RecordAck, TransactionScope } from '../client/index.js';
import { LatencyRecorder, summarize, type BenchResult, type Progress } from './bench-runner.js';
import type { CliSession } from './cli-context.js';
import { RandomValues } from './random-values.js';

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
  const values = new RandomValues(options.recordBytes);
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
        const record: ProducerRecord = { topic: options.topic, value: values.take() };
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

export interface TransactionalProduceFlags {
  readonly topic: string;
  readonly recordBytes: number;
  readonly count: number;
  readonly acks: AcksMode;
  readonly idempotence: boolean;
}

/** `bench produce --transaction-records N` through a session's transactional producer. */
export async function runProduceTransactions(
  session: CliSession,
  o: TransactionalProduceFlags,
  transactionRecords: number,
  progress: Progress,
): Promise<BenchResult> {
  if (!o.idempotence) throw new RaftlogError('INVALID_ARGUMENT', '--transaction-records needs idempotence');
  const producer = session.producer({
    acks: o.acks,
    lingerMs: 5,
    transactionalId: `bench-${process.pid}-${Date.now()}`,
  });
  try {
    if (producer.initTransactions === undefined || producer.transaction === undefined) {
      throw new RaftlogError('UNIMPLEMENTED', 'this session has no transactional producer');
    }
    await producer.initTransactions();
    const sender = { transaction: producer.transaction.bind(producer) };
    return await benchProduceTransactions(
      sender,
      { topic: o.topic, count: o.count, recordBytes: o.recordBytes, transactionRecords },
      progress,
    );
  } finally {
    await producer.close();
  }
}
