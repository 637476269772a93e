import { RaftlogError } from '../../lib/index.js';
import { CoordinatorClient, type CoordinatorCall } from './coordinator-client.js';
import { errorFromDetail, toRaftlogError } from './errors.js';
import type { GroupMetadata } from './group-membership.js';
import type { TransactionalAck } from './lease-settler.js';
import type { PartitionOffset } from './offset-tracker.js';
import type { ProducerIdentity } from './producer-identity.js';
import type { RaftlogClient } from './raftlog-client.js';
import type { RetryOptions } from './retry-policy.js';
import { TransactionState } from './transaction-state.js';

export interface TransactionSettings {
  readonly transactionalId: string;
  /** The coordinator aborts a transaction open longer than this; 0 = the node's default. */
  readonly transactionTimeoutMs: number;
  /** Per coordinator call, retries included. */
  readonly callTimeoutMs: number;
}

export const transactionalIdCharsMax = 255;
/** The proto field is uint32; more than a day is surely a mistake. */
export const transactionTimeoutMsMax = 86_400_000;

/**
 * The coordinator side of a transactional producer: InitProducer with the transactional id,
 * AddPartitionsToTxn once per partition before its first batch, AddOffsetsToTxn and
 * TxnOffsetCommit, EndTxn. The state machine (TransactionState) decides what is allowed.
 */
export class TransactionManager {
  readonly state: TransactionState;
  private readonly coordinator: CoordinatorClient;
  private producer: { producerId: number; epoch: number } | undefined;
  private readonly registrations = new Map<string, Promise<void>>();

  constructor(
    client: Pick<RaftlogClient, 'broker' | 'addresses'>,
    private readonly settings: TransactionSettings,
    retry: RetryOptions,
    private readonly identity: ProducerIdentity,
  ) {
    checkSettings(settings);
    this.state = new TransactionState(settings.transactionalId);
    this.coordinator = new CoordinatorClient(
      client,
      { kind: 'transaction', key: settings.transactionalId },
      retry,
    );
  }

  /** Bumps the epoch of the transactional id: fences older instances and ends what they left open. */
  async init(): Promise<void> {
    this.state.check('init');
    const r = await this.call((b, timeoutMs) =>
      b.initProducer(
        {
          transactionalId: this.settings.transactionalId,
          transactionTimeoutMs: this.settings.transactionTimeoutMs,
          producerId: -1n,
          producerEpoch: -1,
        },
        { timeoutMs },
      ),
    );
    this.producer = { producerId: Number(r.producerId), epoch: r.producerEpoch };
    this.identity.adopt(this.producer);
    this.registrations.clear();
    this.state.initialized();
  }

  begin(): void {
    this.state.enter('begin', 'in-transaction');
  }

  /** Registers the partition in the open transaction, once, before its first batch is sent. */
  async beforeBatch(topic: string, partition: number): Promise<void> {
    const key = `${topic}/${partition}`;
    if (this.state.addPartition(key)) {
      const registering = this.registerPartition(topic, partition);
      this.registrations.set(key, registering);
      registering.catch(() => this.state.dropPartition(key));
    }
    await this.registrations.get(key);
  }

  /**
   * Registers the partitions of queue acks in the open transaction (as a batch would) and says
   * whom the acks belong to.
   */
  async beforeAcks(partitions: readonly { topic: string; partition: number }[]): Promise<TransactionalAck> {
    this.state.check('send');
    await Promise.all(partitions.map((p) => this.beforeBatch(p.topic, p.partition)));
    const id = this.requireProducer();
    return {
      transactionalId: this.settings.transactionalId,
      producerId: id.producerId,
      producerEpoch: id.epoch,
    };
  }

  /** An ack of the open transaction failed (its lease is gone): the transaction can only be aborted. */
  ackFailed(error: RaftlogError): void {
    this.state.failed(error);
  }

  /** A batch of the open transaction finally failed: the transaction can only be aborted now. */
  batchFailed(error: RaftlogError): void {
    this.state.failed(error, { sequenceBroken: true });
  }

  async sendOffsets(offsets: readonly PartitionOffset[], group: GroupMetadata): Promise<void> {
    this.state.check('sendOffsets');
    try {
      if (this.state.addGroup(group.groupId)) await this.addGroup(group.groupId);
      await this.commitOffsets(offsets, group);
    } catch (thrown) {
      const error = toRaftlogError(thrown);
      this.state.failed(error);
      throw error;
    }
  }

  /** Waits for every batch (`flush`), then EndTxn(commit); resolves once the markers are written. */
  async commit(flush: () => Promise<void>): Promise<void> {
    this.state.enter('commit', 'committing');
    await flush();
    // A batch that failed while flushing made the transaction abortable: say so, and why.
    if (this.state.phase !== 'committing') this.state.check('commit');
    await this.end(true);
    this.state.ended();
  }

  async abort(flush: () => Promise<void>): Promise<void> {
    this.state.enter('abort', 'aborting');
    await flush();
    await this.end(false);
    if (this.state.needsReinit()) {
      this.state.ended();
      await this.init();
    }
    this.state.ended();
  }

  private async end(commit: boolean): Promise<void> {
    if (!this.state.hasRegistered()) return;
    const id = this.requireProducer();
    try {
      await this.call((b, timeoutMs) =>
        b.endTxn(
          {
            transactionalId: this.settings.transactionalId,
            producerId: BigInt(id.producerId),
            producerEpoch: id.epoch,
            commit,
          },
          { timeoutMs },
        ),
      );
    } catch (thrown) {
      const error = toRaftlogError(thrown);
      this.state.failed(error);
      throw error;
    }
  }

  private async registerPartition(topic: string, partition: number): Promise<void> {
    const id = this.requireProducer();
    try {
      await this.call(async (b, timeoutMs) => {
        const r = await b.addPartitionsToTxn(
          {
            transactionalId: this.settings.transactionalId,
            producerId: BigInt(id.producerId),
            producerEpoch: id.epoch,
            partitions: [{ topic, partition }],
          },
          { timeoutMs },
        );
        for (const p of r.results) throwIfFailed(p.error, `${p.topic}/${p.partition}`);
      });
    } catch (thrown) {
      const error = toRaftlogError(thrown);
      this.state.failed(error);
      throw error;
    }
  }

  private async addGroup(groupId: string): Promise<void> {
    const id = this.requireProducer();
    await this.call((b, timeoutMs) =>
      b.addOffsetsToTxn(
        {
          transactionalId: this.settings.transactionalId,
          producerId: BigInt(id.producerId),
          producerEpoch: id.epoch,
          groupId,
        },
        { timeoutMs },
      ),
    );
  }

  private async commitOffsets(offsets: readonly PartitionOffset[], group: GroupMetadata): Promise<void> {
    const id = this.requireProducer();
    await this.call(async (b, timeoutMs) => {
      const r = await b.txnOffsetCommit(
        {
          transactionalId: this.settings.transactionalId,
          producerId: BigInt(id.producerId),
          producerEpoch: id.epoch,
          groupId: group.groupId,
          generationId: group.generationId,
          memberId: group.memberId,
          offsets: offsets.map((o) => ({
            topic: o.topic,
            partition: o.partition,
            offset: BigInt(o.offset),
            metadata: '',
          })),
        },
        { timeoutMs },
      );
      for (const p of r.results) throwIfFailed(p.error, `offsets of ${p.topic}/${p.partition}`);
    });
  }

  private call<T>(fn: CoordinatorCall<T>): Promise<T> {
    return this.coordinator.call(fn, { timeoutMs: this.settings.callTimeoutMs });
  }

  private requireProducer(): { producerId: number; epoch: number } {
    if (this.producer === undefined) {
      throw new RaftlogError('INVALID_TXN_STATE', 'call initTransactions() first');
    }
    return this.producer;
  }
}

function throwIfFailed(detail: Parameters<typeof errorFromDetail>[0], what: string): void {
  const error = errorFromDetail(detail);
  if (error !== undefined) throw new RaftlogError(error.code, `${what}: ${error.message}`, { cause: error });
}

function checkSettings(s: TransactionSettings): void {
  if (s.transactionalId.length === 0 || s.transactionalId.length > transactionalIdCharsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `transactionalId must have 1..${transactionalIdCharsMax} characters`,
    );
  }
  const t = s.transactionTimeoutMs;
  if (!Number.isSafeInteger(t) || t < 0 || t > transactionTimeoutMsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `transactionTimeoutMs must be in [0, ${transactionTimeoutMsMax}], got ${t}`,
    );
  }
}
