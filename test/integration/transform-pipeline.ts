import { Consumer, Producer, RaftlogClient, offsetsAfter, toRaftlogError } from '../../src/client/index.js';
import { sleep } from './harness/index.js';

export interface PipelineOptions {
  readonly bootstrap: string;
  readonly input: string;
  readonly output: string;
  readonly group: string;
  readonly transactionalId: string;
  readonly batchRecords: number;
  /** A pause after each transaction, so faults land while the pipeline runs. */
  readonly pauseMs?: number;
  /** Of the group member; a crashed pipeline's partitions move after it (default 10 s). */
  readonly sessionTimeoutMs?: number;
  /** Rebalances and failed transactions, for a test's diagnostics. */
  readonly log?: (line: string) => void;
  /** Called after each committed transaction with the output records committed so far. */
  readonly onCommitted?: (outputCommitted: number) => void;
}

/**
 * The consume-transform-produce loop of the README, as an application runs it: a group consumer
 * reading committed input in batches, one transaction per batch carrying the output and the input
 * offsets; an aborted transaction rewinds the input to the committed offsets, a fenced producer is
 * replaced. Output record i<N> for input v<N>, in the input's partition.
 */
export class TransformPipeline {
  committedTransactions = 0;
  abortedTransactions = 0;
  fenced = 0;
  outputCommitted = 0;
  readonly errors: string[] = [];
  private readonly client: RaftlogClient;
  private readonly consumer: Consumer;
  private producer: Producer;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private inTransaction: Promise<unknown> | undefined;

  constructor(private readonly o: PipelineOptions) {
    this.client = new RaftlogClient({ bootstrap: o.bootstrap });
    this.consumer = new Consumer(this.client, {
      groupId: o.group,
      topics: [o.input],
      isolation: 'read_committed',
      sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
      onPartitionsAssigned: (ps) => o.log?.(`assigned ${ps.map((p) => p.partition).join(',')}`),
      onPartitionsRevoked: (ps) => o.log?.(`revoked ${ps.map((p) => p.partition).join(',')}`),
      onPartitionsLost: (ps) => o.log?.(`lost ${ps.map((p) => p.partition).join(',')}`),
    });
    this.producer = this.newProducer();
  }

  start(): void {
    this.running = this.run().catch((error: unknown) => {
      const e = toRaftlogError(error);
      this.errors.push(`stopped: ${e.code}: ${e.message}`);
      this.o.log?.(`stopped: ${e.code}: ${e.message}`);
    });
  }

  /** Stops after the transaction under way; starts no other. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.inTransaction?.catch(() => undefined);
    await this.consumer.close();
    await this.running;
    await this.producer.close().catch(() => undefined);
    this.client.close();
  }

  private newProducer(): Producer {
    return new Producer(this.client, {
      transactionalId: this.o.transactionalId,
      transactionTimeoutMs: 20_000,
      lingerMs: 2,
      deliveryTimeoutMs: 30_000,
    });
  }

  private async run(): Promise<void> {
    await this.producer.initTransactions();
    for await (const batch of this.consumer.batches({ maxRecords: this.o.batchRecords, maxWaitMs: 50 })) {
      if (this.stopping.signal.aborted) return;
      try {
        this.inTransaction = this.producer.transaction(async (txn) => {
          await Promise.all(
            batch.map((r) =>
              txn.send({
                topic: this.o.output,
                partition: r.partition,
                value: `o${new TextDecoder().decode(r.value ?? undefined).slice(1)}`,
              }),
            ),
          );
          await txn.sendOffsets(offsetsAfter(batch), this.consumer.groupMetadata());
        });
        await this.inTransaction;
        this.committedTransactions++;
        this.outputCommitted += batch.length;
        this.o.onCommitted?.(this.outputCommitted);
      } catch (thrown) {
        const error = toRaftlogError(thrown);
        this.errors.push(`${error.code}: ${error.message}`);
        this.o.log?.(`aborted: ${error.code}: ${error.message}`);
        this.abortedTransactions++;
        if (error.code === 'PRODUCER_FENCED') await this.replaceProducer();
        if (this.stopping.signal.aborted) return;
        await this.consumer.seekToCommitted();
      }
      if (this.o.pauseMs !== undefined) await sleep(this.o.pauseMs);
    }
  }

  private async replaceProducer(): Promise<void> {
    this.fenced++;
    await this.producer.close().catch(() => undefined);
    this.producer = this.newProducer();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.producer.initTransactions();
        return;
      } catch (error) {
        if (attempt >= 5 || this.stopping.signal.aborted) throw error;
        await sleep(500);
      }
    }
  }
}
