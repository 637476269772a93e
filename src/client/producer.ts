import {
  encodeRecordBatch,
  RaftlogError,
  type ErrorCode,
  type RecordHeader,
  type RecordInput,
} from '../../lib/index.js';
import { Acks } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { BatchAccumulator, type PendingBatch } from './batch-accumulator.js';
import { ByteBudget } from './byte-budget.js';
import { toRaftlogError } from './errors.js';
import { Partitioner, type HashName } from './partitioner.js';
import { ProducerIdentity, type BatchIdentity } from './producer-identity.js';
import { StreamProduceTransport, UnaryProduceTransport, type ProduceTransport } from './produce-transport.js';
import type { RaftlogClient } from './raftlog-client.js';
import { defaultRetryOptions, type RetryOptions } from './retry-policy.js';
import { TransactionManager } from './transaction-manager.js';
import type { AcksMode, ProducerRecord, RecordAck } from './types.js';
import type { GroupMetadata } from './group-membership.js';
import type { PartitionOffset } from './offset-tracker.js';
import { withRetry } from './with-retry.js';
import { BatchTurns, type BatchTurn } from './batch-turns.js';
import { headersOf } from './deliver-at.js';
import { settleLeases } from './lease-settler.js';
import type { LeaseRef } from './queue-receipt.js';

export interface ProducerOptions {
  readonly lingerMs?: number;
  readonly batchBytesMax?: number;
  readonly batchRecordsMax?: number;
  readonly acks?: AcksMode;
  /** A record fails once this long has passed since its batch was opened, retries included. */
  readonly deliveryTimeoutMs?: number;
  /** Per attempt; also what the leader may wait for the requested durability. */
  readonly requestTimeoutMs?: number;
  /** Bytes of records held (queued or in flight) before send() waits. */
  readonly bufferBytesMax?: number;
  readonly retry?: Partial<RetryOptions>;
  /** 'stream' (default): one ProduceStream per leader; 'unary': one Produce call per batch. */
  readonly transport?: 'stream' | 'unary' | ProduceTransport;
  readonly hash?: HashName;
  /** Producer id and sequence numbers, so retries never append a batch twice (default true). */
  readonly idempotence?: boolean;
  /**
   * Makes the producer transactional: initTransactions(), then beginTransaction() … send() …
   * commitTransaction() or abortTransaction(), or transaction(fn). Requires idempotence.
   */
  readonly transactionalId?: string;
  /** The coordinator aborts a transaction open longer than this (0 or unset: the node's default). */
  readonly transactionTimeoutMs?: number;
  /**
   * Batches of one partition in flight at once (1–5; default 5 with idempotence, 1 without). The
   * sequence numbers keep a partition's records in send() order through retries, so with
   * idempotence several batches travel together; without it a retry could overtake a later batch.
   */
  readonly inFlightBatchesMax?: number;
}

/** What the callback of Producer.transaction() may do inside the transaction. */
export interface TransactionScope {
  send(record: ProducerRecord): Promise<RecordAck>;
  sendOffsets(offsets: readonly PartitionOffset[], group: GroupMetadata): Promise<void>;
}

interface QueuedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly input: RecordInput;
  readonly sizeBytes: number;
  readonly resolve: (ack: RecordAck) => void;
  readonly reject: (error: RaftlogError) => void;
}

/** What the producer needs from RaftlogClient (a fake in tests). */
export type ProducerClient = Pick<
  RaftlogClient,
  'partitionCount' | 'cachedPartitionCount' | 'leaderAddress' | 'noteError' | 'broker' | 'addresses'
>;

interface Admitted {
  readonly partition: number;
  readonly input: RecordInput;
  readonly sizeBytes: number;
}

/** The record as it will be batched, and its partition among `partitions`. */
function admission(record: ProducerRecord, partitions: number, partitioner: Partitioner): Admitted {
  const key = toBytes(record.key, 'key');
  const value = toBytes(record.value, 'value');
  const timestamp = record.timestampMs ?? Date.now();
  const headers = headersOf(record);
  if (headers !== undefined) checkHeaders(headers);
  // One shape per case rather than a spread: a record's input is built on the hot path.
  const input: RecordInput =
    headers === undefined ? { key, value, timestamp } : { key, value, timestamp, headers };
  const partition = partitioner.choose(record.topic, partitions, key, record.partition);
  return { partition, input, sizeBytes: recordBytes(input) };
}

const acksWire: Record<AcksMode, Acks> = { none: Acks.NONE, leader: Acks.LEADER, quorum: Acks.QUORUM };
const utf8 = new TextEncoder();
/**
 * Well under what a node proposes in one entry (the topic's maxMessageBytes, 1 MiB by default, less
 * about 1 KiB of Raft and frame fields): a batch near that limit would be refused as MESSAGE_TOO_LARGE.
 */
const batchBytesMaxDefault = 512 * 1024;
/** Framing, varints and attributes per record, roughly; only used for memory accounting. */
const recordOverheadBytes = 24;
/** Kafka's bound for an idempotent producer; a partition remembers far more batches than this. */
const inFlightBatchesMaxLimit = 5;

/**
 * Batches records per partition and sends each batch, encoded once, to the partition's leader.
 * With idempotence (the default) every batch carries the producer id and its sequence, so a retry
 * after a lost answer is recognized and never appended twice, and up to five batches of a partition
 * travel at once: a batch the partition refuses because an earlier one has not arrived yet
 * (OUT_OF_ORDER_SEQUENCE, or UNKNOWN_PRODUCER_ID before the first) is sent again once every earlier
 * batch is settled, so records land in send() order. Without idempotence one batch per partition is
 * in flight by default. Batches to different partitions of one leader share its stream.
 */
export class Producer {
  private readonly accumulator: BatchAccumulator<QueuedRecord>;
  private readonly budget: ByteBudget;
  private readonly partitioner: Partitioner;
  private readonly transport: ProduceTransport;
  private readonly acks: Acks;
  private readonly deliveryTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly retry: RetryOptions;
  private readonly turns = new BatchTurns();
  /** Per partition, the identity of the batch drained last (sequences are taken in drain order). */
  private readonly sequencing = new Map<string, Promise<BatchIdentity | undefined>>();
  private readonly inFlightBatchesMax: number;
  private readonly lingerTimers = new Map<string, NodeJS.Timeout>();
  private admission: Promise<void> = Promise.resolve();
  /** Records between send() and the end of admit(); while any is, later ones queue behind it. */
  private admitting = 0;
  private unsettled = 0;
  private idleWaiters: (() => void)[] = [];
  private flushing = 0;
  private closed = false;
  private readonly identity: ProducerIdentity | undefined;
  private readonly txn: TransactionManager | undefined;
  private readonly transactionalId: string | undefined;

  constructor(
    private readonly client: ProducerClient,
    options: ProducerOptions = {},
  ) {
    this.accumulator = new BatchAccumulator(
      {
        lingerMs: options.lingerMs ?? 5,
        batchBytesMax: options.batchBytesMax ?? batchBytesMaxDefault,
        batchRecordsMax: options.batchRecordsMax ?? 10_000,
      },
      (r) => r.sizeBytes,
    );
    this.budget = new ByteBudget(options.bufferBytesMax ?? 32 * 1024 * 1024);
    this.partitioner = new Partitioner(options.hash);
    this.transport = makeTransport(client, options.transport ?? 'stream');
    this.acks = acksWire[options.acks ?? 'quorum'];
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 30_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.retry = { ...defaultRetryOptions, ...options.retry };
    const transactional = options.transactionalId !== undefined;
    this.transactionalId = options.transactionalId;
    if (transactional && options.idempotence === false) {
      throw new RaftlogError('INVALID_ARGUMENT', 'a transactional producer needs idempotence');
    }
    this.identity =
      options.idempotence === false
        ? undefined
        : new ProducerIdentity(client, this.retry, this.requestTimeoutMs, !transactional);
    this.inFlightBatchesMax = inFlightBatches(options.inFlightBatchesMax, this.identity !== undefined);
    this.txn =
      options.transactionalId === undefined || this.identity === undefined
        ? undefined
        : new TransactionManager(
            client,
            {
              transactionalId: options.transactionalId,
              transactionTimeoutMs: options.transactionTimeoutMs ?? 0,
              callTimeoutMs: Math.max(30_000, this.deliveryTimeoutMs),
            },
            this.retry,
            this.identity,
          );
  }

  /**
   * Transactional producer: obtains the producer id and a new epoch for the transactional id, which
   * fences any older instance and ends the transaction it left open. Call once, before the first
   * transaction.
   */
  async initTransactions(): Promise<void> {
    await this.transactions().init();
  }

  beginTransaction(): void {
    this.transactions().begin();
  }

  /**
   * Adds a consumer group's offsets (next offset to read per partition) to the open transaction:
   * they are committed if and only if the transaction commits. `group` comes from
   * Consumer.groupMetadata(), so a consumer that lost its partitions cannot commit them.
   */
  async sendOffsetsToTransaction(offsets: readonly PartitionOffset[], group: GroupMetadata): Promise<void> {
    await this.transactions().sendOffsets(offsets, group);
  }

  /**
   * Acks leased queue messages inside the open transaction: they take effect if and only if it
   * commits (an abort makes them deliverable again), so a worker consumes its input and produces its
   * output atomically. Each message's partition is registered with the transaction first. A lease
   * that is gone (LEASE_EXPIRED, UNKNOWN_LEASE) rejects the call and leaves the transaction abortable.
   */
  async sendAcksToTransaction(queue: string, messages: readonly LeaseRef[]): Promise<void> {
    const txn = this.transactions();
    const ack = await txn.beforeAcks(distinctPartitions(messages));
    const refs = messages.map((m) => ({
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      leaseId: m.leaseId,
    }));
    const outcomes = await settleLeases(this.client, queue, { kind: 'ack', txn: ack }, refs, {
      deadlineMs: Date.now() + this.deliveryTimeoutMs,
      requestTimeoutMs: this.requestTimeoutMs,
      retry: this.retry,
    });
    const failed = outcomes.find((o) => !o.ok);
    if (failed !== undefined && !failed.ok) {
      txn.ackFailed(failed.error);
      throw failed.error;
    }
  }

  /** Delivers every batch of the transaction, then commits it; resolves once every partition has its marker. */
  async commitTransaction(): Promise<void> {
    await this.transactions().commit(() => this.flush());
  }

  /** Aborts the open transaction: read_committed consumers never see its records. */
  async abortTransaction(): Promise<void> {
    await this.transactions().abort(() => this.flush());
  }

  /**
   * Runs `fn` in a transaction: commits when it resolves, aborts (and rethrows) when it throws.
   * After PRODUCER_FENCED nothing is aborted: a newer instance owns the transactional id.
   */
  async transaction<T>(fn: (scope: TransactionScope) => Promise<T>): Promise<T> {
    const txn = this.transactions();
    if (txn.state.phase === 'uninitialized') await txn.init();
    txn.begin();
    let result: T;
    try {
      result = await fn({
        send: (record) => this.send(record),
        sendOffsets: (offsets, group) => this.sendOffsetsToTransaction(offsets, group),
      });
      await this.commitTransaction();
    } catch (error) {
      if (txn.state.phase !== 'fenced' && txn.state.phase !== 'ready') {
        await this.abortTransaction().catch(() => undefined);
      }
      throw error;
    }
    return result;
  }

  private transactions(): TransactionManager {
    if (this.txn === undefined) {
      throw new RaftlogError('INVALID_TXN_STATE', 'the producer is not transactional: set transactionalId');
    }
    return this.txn;
  }

  /**
   * Resolves with the record's partition and offset once the requested durability is reached. Not an
   * async function: a record admitted at once (the common case) gets its batch slot's promise with no
   * await and no suspended frame, a few hundred bytes less garbage per record.
   */
  send(record: ProducerRecord): Promise<RecordAck> {
    let admitted: Admitted | undefined;
    try {
      if (this.closed) throw new RaftlogError('CANCELLED', 'the producer is closed');
      this.txn?.state.check('send');
      admitted = this.admitNow(record);
    } catch (error) {
      // Whatever is not already ours is the record's fault (a value of the wrong type, say).
      return Promise.reject(RaftlogError.from(error, 'INVALID_ARGUMENT'));
    }
    this.unsettled++;
    return admitted === undefined ? this.admitThenQueue(record) : this.queue(record.topic, admitted);
  }

  private async admitThenQueue(record: ProducerRecord): Promise<RecordAck> {
    let admitted: Admitted;
    try {
      admitted = await this.admit(record);
    } catch (error) {
      this.settled(1);
      throw RaftlogError.from(error, 'INVALID_ARGUMENT');
    }
    return this.queue(record.topic, admitted);
  }

  /** Adds an admitted record to its partition's open batch; settles with the batch's outcome. */
  private queue(topic: string, { partition, input, sizeBytes }: Admitted): Promise<RecordAck> {
    return new Promise<RecordAck>((resolve, reject) => {
      const key = `${topic}/${partition}`;
      this.accumulator.append(key, { topic, partition, input, sizeBytes, resolve, reject }, Date.now());
      this.pump(key);
    });
  }

  /** Sends everything queued now, without waiting for linger, and waits for every outcome. */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      for (const key of this.accumulator.keys()) this.pump(key);
      while (this.unsettled > 0) {
        await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
        for (const key of this.accumulator.keys()) this.pump(key);
      }
    } finally {
      this.flushing--;
    }
  }

  /** Refuses new records, delivers the queued ones, then closes the streams. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    this.transport.close();
  }

  /**
   * Admission without waiting, the common case: no earlier record is still being admitted, the
   * partition count is in fresh cached metadata and the buffer has room. Otherwise undefined, and
   * admit() takes the record (and reports what is wrong with it).
   */
  private admitNow(record: ProducerRecord): Admitted | undefined {
    if (this.admitting > 0) return undefined;
    const count = this.client.cachedPartitionCount(record.topic);
    if (count === undefined) return undefined;
    const admitted = admission(record, count, this.partitioner);
    return this.budget.tryAcquire(admitted.sizeBytes) ? admitted : undefined;
  }

  /** Partition choice and buffer space, strictly in send() order so batches keep that order. */
  private async admit(record: ProducerRecord): Promise<Admitted> {
    const previous = this.admission;
    let done!: () => void;
    this.admission = new Promise((resolve) => (done = resolve));
    this.admitting++;
    try {
      await previous;
      const count = await withRetry(() => this.client.partitionCount(record.topic), {
        deadlineMs: Date.now() + this.deliveryTimeoutMs,
        retry: this.retry,
      });
      const admitted = admission(record, count, this.partitioner);
      await this.budget.acquire(admitted.sizeBytes);
      return admitted;
    } finally {
      this.admitting--;
      done();
    }
  }

  private pump(key: string): void {
    while (this.turns.count(key) < this.inFlightBatchesMax) {
      const batch = this.accumulator.drain(key, Date.now(), this.flushing > 0);
      if (batch === undefined) {
        this.armLinger(key);
        return;
      }
      const first = batch.items[0]!;
      this.partitioner.batchClosed(first.topic, first.partition);
      const turn = this.turns.enter(key);
      const identity = this.sequence(key, async () => {
        await this.txn?.beforeBatch(first.topic, first.partition);
        return this.identity?.forBatch(key, batch.items.length);
      });
      void this.deliver(batch, turn, identity).finally(() => {
        turn.leave();
        this.pump(key);
      });
    }
  }

  private armLinger(key: string): void {
    const readyAt = this.accumulator.readyAtMs(key);
    if (readyAt === undefined || this.lingerTimers.has(key)) return;
    const timer = setTimeout(
      () => {
        this.lingerTimers.delete(key);
        this.pump(key);
      },
      Math.max(0, readyAt - Date.now()),
    );
    this.lingerTimers.set(key, timer);
  }

  /**
   * The batch's producer id and sequence, taken in the order batches of a partition were drained
   * (after the transaction, if any, holds the partition), whatever order their sends then resolve in.
   */
  private sequence(
    key: string,
    take: () => Promise<BatchIdentity | undefined>,
  ): Promise<BatchIdentity | undefined> {
    const previous = this.sequencing.get(key) ?? Promise.resolve(undefined);
    const next = previous.catch(() => undefined).then(take);
    this.sequencing.set(key, next);
    const forget = (): void => {
      if (this.sequencing.get(key) === next) this.sequencing.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  private async deliver(
    batch: PendingBatch<QueuedRecord>,
    turn: BatchTurn,
    identity: Promise<BatchIdentity | undefined>,
  ): Promise<void> {
    const { topic, partition } = batch.items[0]!;
    const key = `${topic}/${partition}`;
    const records = batch.items.map((r) => r.input);
    let id: BatchIdentity | undefined;
    try {
      id = await identity;
      const transactional = this.txn !== undefined;
      const bytes = encodeRecordBatch({ records, ...id, transactional });
      await turn.mayStart();
      let attempt = await this.attempt(batch, bytes);
      let maybeStored = !attempt.ok && attempt.maybeStored;
      while (!attempt.ok && refusedOutOfTurn.has(attempt.error.code) && !turn.first) {
        // An earlier batch of this partition has not arrived (yet): try again once it is settled.
        turn.refusedOutOfTurn();
        await turn.earlierLeft();
        attempt = await this.attempt(batch, bytes);
        maybeStored ||= !attempt.ok && attempt.maybeStored;
      }
      if (!attempt.ok && attempt.error.code === 'UNKNOWN_PRODUCER_ID' && id !== undefined && !transactional) {
        // The partition no longer knows this producer (its state expired or was evicted). A batch
        // every attempt of which is known not to have been appended, alone in flight, is resent
        // under a fresh producer id, from sequence 0. One that may have been stored is failed rather
        // than risk a duplicate; so is one with later batches in flight, which would be sequenced
        // under the fresh id before it.
        if (maybeStored) throw unknownOutcome(attempt.error);
        if (this.turns.count(key) > 1) throw overtaken(attempt.error);
        const failed = id;
        id = await this.sequence(key, async () => {
          await this.identity?.reset(failed);
          return this.identity?.forBatch(key, batch.items.length);
        });
        attempt = await this.attempt(batch, encodeRecordBatch({ records, ...id }));
      }
      if (!attempt.ok) throw attempt.error;
      const { baseOffset } = attempt.result;
      // Acks of a partition resolve in send() order, as with one batch in flight (an earlier batch
      // whose answer was lost may be acknowledged by its retry after a later one).
      await turn.earlierLeft();
      batch.items.forEach((r, i) => r.resolve({ partition, offset: baseOffset + i }));
    } catch (error) {
      const e = toRaftlogError(error);
      // In a transaction the hole in the sequence is healed by the abort that must follow.
      if (this.txn !== undefined) this.txn.batchFailed(e);
      else if (id !== undefined) void this.identity?.reset(id);
      for (const r of batch.items) r.reject(e);
    } finally {
      this.budget.release(batch.sizeBytes);
      this.settled(batch.items.length);
    }
  }

  /** Sends one encoded batch with retries; says whether any failed attempt may have appended it. */
  private async attempt(
    batch: PendingBatch<QueuedRecord>,
    bytes: Uint8Array,
  ): Promise<
    | { readonly ok: true; readonly result: { readonly baseOffset: number } }
    | { readonly ok: false; readonly error: RaftlogError; readonly maybeStored: boolean }
  > {
    const { topic, partition } = batch.items[0]!;
    const deadlineMs = batch.createdAtMs + this.deliveryTimeoutMs;
    let maybeStored = false;
    let last: RaftlogError | undefined;
    try {
      const result = await withRetry(
        async () => {
          // Only the outcome of attempts before the last one matters: the last one's error is final.
          if (last !== undefined && !notAppended.has(last.code)) maybeStored = true;
          const address = await this.client.leaderAddress(topic, partition);
          const timeoutMs = Math.max(1, Math.min(this.requestTimeoutMs, deadlineMs - Date.now()));
          return this.transport.produce(address, {
            topic,
            partition,
            batch: bytes,
            acks: this.acks,
            timeoutMs,
            ...(this.transactionalId === undefined ? {} : { transactionalId: this.transactionalId }),
          });
        },
        {
          deadlineMs,
          retry: this.retry,
          onError: (e) => {
            last = e;
            this.client.noteError(topic, partition, e);
          },
        },
      );
      return { ok: true, result };
    } catch (error) {
      return { ok: false, error: toRaftlogError(error), maybeStored };
    }
  }

  private settled(records: number): void {
    this.unsettled -= records;
    if (this.unsettled === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/**
 * Answers that prove the batch was not appended by that attempt: the node refused it before proposing
 * (not the leader, no leader) or the partition had no state for the producer. Any other failure
 * (a timeout, a lost connection) leaves the outcome unknown.
 */
const notAppended: ReadonlySet<ErrorCode> = new Set([
  'NOT_LEADER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_PRODUCER_ID',
]);

/**
 * Answers that may only mean an earlier batch of the same partition, still in flight, has not been
 * appended yet: the first batch of a producer (sequence 0) or the one just before.
 */
const refusedOutOfTurn: ReadonlySet<ErrorCode> = new Set(['OUT_OF_ORDER_SEQUENCE', 'UNKNOWN_PRODUCER_ID']);

function overtaken(cause: RaftlogError): RaftlogError {
  return new RaftlogError(
    'UNKNOWN_PRODUCER_ID',
    `${cause.message}; later batches of the partition were in flight, so it is not resent under a new ` +
      'producer id (they would be appended before it)',
    { cause },
  );
}

function inFlightBatches(requested: number | undefined, idempotent: boolean): number {
  const n = requested ?? (idempotent ? inFlightBatchesMaxLimit : 1);
  if (!Number.isInteger(n) || n < 1 || n > inFlightBatchesMaxLimit) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `inFlightBatchesMax must be an integer from 1 to ${inFlightBatchesMaxLimit}, got ${n}`,
    );
  }
  return n;
}

function unknownOutcome(cause: RaftlogError): RaftlogError {
  return new RaftlogError(
    'UNKNOWN_PRODUCER_ID',
    `${cause.message}; an earlier attempt of this batch may have been stored, so it is not resent ` +
      'under a new producer id (that could store it twice)',
    { cause },
  );
}

function makeTransport(
  client: ProducerClient,
  choice: 'stream' | 'unary' | ProduceTransport,
): ProduceTransport {
  if (choice === 'stream') return new StreamProduceTransport(client);
  if (choice === 'unary') return new UnaryProduceTransport(client);
  return choice;
}

function distinctPartitions(refs: readonly LeaseRef[]): { topic: string; partition: number }[] {
  const byKey = new Map(
    refs.map((r) => [`${r.topic}/${r.partition}`, { topic: r.topic, partition: r.partition }]),
  );
  return [...byKey.values()];
}

/** Checked here, not left to the encoder: one bad record would fail every record of its batch. */
function toBytes(value: unknown, what: string): Uint8Array | null {
  if (typeof value === 'string') return utf8.encode(value);
  if (value instanceof Uint8Array) return value;
  // A value left out is a tombstone, as null is (what callers without type checks have relied on).
  if (value === null || value === undefined) return null;
  throw new RaftlogError(
    'INVALID_ARGUMENT',
    `a record's ${what} must be a string, a Uint8Array or null, got ${typeof value}`,
  );
}

function checkHeaders(headers: readonly RecordHeader[]): void {
  for (const h of headers) {
    if (typeof h.key !== 'string' || !(h.value === null || h.value instanceof Uint8Array)) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        'a record header needs a string key and a Uint8Array or null value',
      );
    }
  }
}

function recordBytes(input: RecordInput): number {
  let n = recordOverheadBytes + (input.key?.length ?? 0) + (input.value?.length ?? 0);
  for (const h of input.headers ?? []) n += h.key.length * 3 + (h.value?.length ?? 0) + 4;
  return n;
}
