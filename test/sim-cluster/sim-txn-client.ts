import {
  encodeRecordBatch,
  isRetriable,
  type NodeId,
  type Prng,
  type RaftlogError,
} from '../../lib/index.js';
import type { NodeApi } from '../../cluster/node/index.js';
import { BrokerViolation } from './broker-violation.js';
import type { CallOutcome, ClientCalls } from './client-calls.js';
import type { ProcessClock } from './process-clock.js';
import type { SimClusterStats } from './sim-cluster-stats.js';
import type { Trace } from './trace.js';
import { txnBatchKey, type TxnChecker, type TxnRecord } from './txn-checker.js';

interface TxnProducer {
  readonly id: string;
  readonly timeoutMs: number;
  producerId: number;
  epoch: number;
  /** `${topic}/${partition}` → next sequence at this producer id and epoch. */
  sequences: Map<string, number>;
  count: number;
}

interface TxnPartition {
  readonly topic: string;
  readonly partition: number;
}

/** How a step of a transaction went: on, or over for a reason the end must handle. */
type StepResult = { readonly ok: true } | { readonly ok: false; readonly code: string };

/** What the workload needs of the idempotent client: the live topics and where their leaders are. */
export interface TxnTopics {
  readonly knownTopics: ReadonlyMap<string, number>;
  leaderOf(topic: string, partition: number): NodeId | undefined;
}

const transactionalIds = 3;
/** Each id draws its transaction timeout from these: short enough that the coordinator's aborts happen. */
const timeoutsMs = [2_000, 5_000, 10_000];
const produceTimeoutMs = 2_000;
const retryMsMin = 20;
const retryMsMax = 150;

/**
 * The transactional workload: a few transactional ids, each InitProducer, then transactions of 1–3
 * partitions with 1–3 batches each, committed or aborted at random, as Kafka's producer runs them:
 * a call without an answer is retried (EndTxn with the same decision), a batch that cannot be
 * acknowledged makes the transaction abortable and the producer bumps its epoch after the abort,
 * PRODUCER_FENCED (the coordinator timed the transaction out) means a new InitProducer. Now and then
 * a producer stalls past its timeout, or abandons its transaction and starts over.
 */
export class SimTxnClient {
  private readonly producers: TxnProducer[] = [];
  private stopping = false;
  private active = 0;

  constructor(
    private readonly prng: Prng,
    private readonly clock: ProcessClock,
    private readonly calls: ClientCalls,
    private readonly topics: TxnTopics,
    private readonly checker: TxnChecker,
    private readonly stats: SimClusterStats,
    private readonly trace: Trace,
    private readonly fail: (error: unknown) => void,
  ) {}

  /** Starts the producers once a topic exists. */
  step(): void {
    if (this.producers.length > 0 || this.topics.knownTopics.size === 0) return;
    for (let i = 0; i < transactionalIds; i++) {
      const p: TxnProducer = {
        id: `tx${i}`,
        timeoutMs: this.prng.pick(timeoutsMs),
        producerId: -1,
        epoch: -1,
        sequences: new Map(),
        count: 0,
      };
      this.producers.push(p);
      void this.run(p).catch((e: unknown) => this.fail(e));
    }
  }

  /** No new transactions: each producer ends the one it is in and stops. */
  stop(): void {
    this.stopping = true;
  }

  /** Producers still initializing or inside a transaction. */
  get pending(): number {
    return this.active;
  }

  private async run(p: TxnProducer): Promise<void> {
    this.active++;
    await this.init(p);
    this.active--;
    while (!this.stopping) {
      await this.clock.sleep(this.prng.intBetween(20, 300));
      if (this.stopping) return;
      this.active++;
      await this.transaction(p);
      this.active--;
    }
  }

  /** InitProducer until it answers: bumps the epoch, fencing what this id did before. */
  private async init(p: TxnProducer): Promise<void> {
    for (;;) {
      const outcome = await this.calls.call((api) =>
        api.initProducer({ transactionalId: p.id, transactionTimeoutMs: p.timeoutMs }),
      );
      if (outcome.value !== undefined) {
        p.producerId = outcome.value.producerId;
        p.epoch = outcome.value.epoch;
        p.sequences = new Map();
        this.trace.add(`txn init ${p.id} ${p.producerId}/${p.epoch} timeout ${p.timeoutMs}`);
        return;
      }
      this.trace.add(`txn init ${p.id} ${codeOf(outcome)}`);
      await this.pause();
    }
  }

  private async transaction(p: TxnProducer): Promise<void> {
    const chosen = this.choosePartitions();
    if (chosen.length === 0) return;
    const record = this.checker.begin(`${p.id}#${p.count++} ${p.producerId}/${p.epoch}`);
    const deadline = this.clock.now() + p.timeoutMs;
    const added = await this.add(p, chosen, deadline);
    if (!added.ok) return this.afterFailure(p, record, added.code, added.code !== 'PRODUCER_FENCED');
    if (this.prng.chance(0.03)) await this.stall(p, record);
    const produced = await Promise.all(chosen.map((t) => this.produceAll(p, record, t, deadline)));
    const failed = produced.find((r) => !r.ok);
    if (failed !== undefined && !failed.ok) return this.afterFailure(p, record, failed.code, true);
    if (this.prng.chance(0.03)) {
      // The producer died mid-transaction: its successor's InitProducer aborts what it left open.
      this.trace.add(`txn ${record.name} abandoned`);
      await this.init(p);
      return this.decide(record, 'aborted', 'abandoned, aborted by the next InitProducer');
    }
    if (this.prng.chance(0.03)) await this.stall(p, record);
    await this.end(p, record, this.prng.chance(0.7));
  }

  /**
   * A step failed: PRODUCER_FENCED means the coordinator aborted the transaction (its timeout) or a
   * newer instance did; anything else makes it abortable, and its sequences are broken, so the
   * producer aborts and bumps its epoch (KIP-360).
   */
  private async afterFailure(p: TxnProducer, record: TxnRecord, code: string, abort: boolean): Promise<void> {
    if (abort) {
      const ended = await this.end(p, record, false, code);
      if (!ended) return; // fenced or unknown: end already re-initialized
    } else this.decide(record, 'aborted', `fenced: ${code}`);
    await this.init(p);
  }

  /** EndTxn until it answers, with the same decision; true when the producer may go on as it is. */
  private async end(p: TxnProducer, record: TxnRecord, commit: boolean, why = ''): Promise<boolean> {
    const what = commit ? 'commit' : `abort${why === '' ? '' : ` after ${why}`}`;
    for (;;) {
      const outcome = await this.calls.call((api) =>
        api.transactions.endTxn({ transactionalId: p.id, producerId: p.producerId, epoch: p.epoch, commit }),
      );
      if (outcome.ok) {
        this.decide(record, commit ? 'committed' : 'aborted', what);
        return true;
      }
      const code = codeOf(outcome);
      this.trace.add(`txn ${record.name} ${what}: ${code}`);
      if (code === 'PRODUCER_FENCED') {
        this.decide(record, 'aborted', `${what} fenced: timed out`);
        await this.init(p);
        return false;
      }
      if (outcome.error !== undefined && !isRetriable(outcome.error.code)) {
        this.decide(record, 'unknown', `${what}: ${code}`);
        await this.init(p);
        return false;
      }
      await this.pause();
    }
  }

  private decide(record: TxnRecord, fate: 'committed' | 'aborted' | 'unknown', how: string): void {
    this.trace.add(
      `txn ${record.name} ${fate} (${how}) ${record.batches.map((b) => `${b.partition}@${b.offset ?? '?'}`).join(' ')}`,
    );
    if (fate === 'committed') this.stats.txnsCommitted++;
    else if (fate === 'aborted') this.stats.txnsAborted++;
    else this.stats.txnsUnknown++;
    this.checker.noteFate(record, fate, how);
  }

  private async add(p: TxnProducer, chosen: TxnPartition[], deadline: number): Promise<StepResult> {
    for (;;) {
      const outcome = await this.calls.call((api) =>
        api.transactions.addPartitions({
          transactionalId: p.id,
          producerId: p.producerId,
          epoch: p.epoch,
          partitions: chosen,
        }),
      );
      const refused = outcome.value?.find((r) => r.error !== undefined)?.error;
      if (outcome.ok && refused === undefined) return { ok: true };
      const code = refused?.code ?? codeOf(outcome);
      this.trace.add(`txn add ${p.id} ${chosen.map(nameOf).join(' ')}: ${code}`);
      if (refused !== undefined) return { ok: false, code }; // a topic deleted meanwhile
      if (outcome.error !== undefined && !isRetriable(outcome.error.code)) return { ok: false, code };
      if (this.clock.now() >= deadline) return { ok: false, code: `timeout (${code})` };
      await this.pause();
    }
  }

  private async produceAll(
    p: TxnProducer,
    record: TxnRecord,
    t: TxnPartition,
    deadline: number,
  ): Promise<StepResult> {
    const batches = this.prng.intBetween(1, 3);
    for (let i = 0; i < batches; i++) {
      const result = await this.produce(p, record, t, deadline);
      if (!result.ok) return result;
    }
    return { ok: true };
  }

  /** One batch, the same sequence retried until acknowledged, refused, or past the transaction's timeout. */
  private async produce(
    p: TxnProducer,
    record: TxnRecord,
    t: TxnPartition,
    deadline: number,
  ): Promise<StepResult> {
    const name = nameOf(t);
    const sequence = p.sequences.get(name) ?? 0;
    const key = txnBatchKey(p.producerId, p.epoch, sequence);
    const batch = encodeRecordBatch({
      records: [{ value: new TextEncoder().encode(`${p.id}:${key}`) }],
      timestamp: 1_700_000_000_000,
      producerId: p.producerId,
      producerEpoch: p.epoch,
      baseSequence: sequence,
      transactional: true,
    });
    const noted = { partition: name, key } as { partition: string; key: string; offset?: number };
    this.checker.noteBatch(record, noted);
    for (;;) {
      this.stats.txnProduces++;
      const outcome = await this.calls.call(
        (api: NodeApi) =>
          api.produce({
            topic: t.topic,
            partition: t.partition,
            batch,
            acks: 'quorum',
            timeoutMs: produceTimeoutMs,
            transactionalId: p.id,
          }),
        this.topics.leaderOf(t.topic, t.partition),
      );
      if (outcome.value !== undefined) {
        noted.offset = outcome.value.baseOffset;
        p.sequences.set(name, sequence + 1);
        this.trace.add(`txn ack ${name} ${key} @${noted.offset}`);
        return { ok: true };
      }
      const code = codeOf(outcome);
      this.trace.add(`txn produce ${name} ${key}: ${code}`);
      if (sequence > 0 && (code === 'OUT_OF_ORDER_SEQUENCE' || code === 'UNKNOWN_PRODUCER_ID'))
        this.fail(
          new BrokerViolation(
            'producer sequence continues',
            `${name} transactional ${key} after sequence ${sequence - 1} was acknowledged: ${code} (${outcome.error?.message ?? ''})`,
          ),
        );
      if (outcome.error !== undefined && !isRetriable(outcome.error.code)) return { ok: false, code };
      if (this.clock.now() >= deadline) return { ok: false, code: `timeout (${code})` };
      await this.pause();
    }
  }

  /** 1–3 distinct partitions of the live topics. */
  private choosePartitions(): TxnPartition[] {
    const all: TxnPartition[] = [];
    for (const [topic, count] of this.topics.knownTopics)
      for (let partition = 0; partition < count; partition++) all.push({ topic, partition });
    const chosen: TxnPartition[] = [];
    const wanted = Math.min(all.length, this.prng.intBetween(1, 3));
    while (chosen.length < wanted) {
      const i = this.prng.intBetween(0, all.length - 1);
      chosen.push(...all.splice(i, 1));
    }
    return chosen;
  }

  /** The producer stops past its transaction's timeout: the coordinator aborts it and fences the epoch. */
  private stall(p: TxnProducer, record: TxnRecord): Promise<void> {
    this.trace.add(`txn ${record.name} stalls`);
    return this.clock.sleep(p.timeoutMs + this.prng.intBetween(100, 1_000));
  }

  private pause(): Promise<void> {
    return this.clock.sleep(this.prng.intBetween(retryMsMin, retryMsMax));
  }
}

function nameOf(t: TxnPartition): string {
  return `${t.topic}/${t.partition}`;
}

function codeOf(outcome: CallOutcome<unknown> | { error?: RaftlogError }): string {
  return outcome.error?.code ?? 'no answer';
}
