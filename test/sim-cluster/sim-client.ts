import { encodeRecordBatch, RecordBatchView, type NodeId, type Prng } from '../../lib/index.js';
import { BrokerViolation } from './broker-violation.js';
import type { ClientCalls } from './client-calls.js';
import type { ProcessClock } from './process-clock.js';
import type { ReplicaChecker } from './replica-checker.js';
import type { SimClusterStats } from './sim-cluster-stats.js';
import type { Trace } from './trace.js';

interface PartitionProducer {
  readonly topic: string;
  readonly partition: number;
  producerId: number;
  epoch: number;
  nextSequence: number;
  busy: boolean;
  /** Attempts at the current sequence: more than one means a retry. */
  attempts: number;
  /** Its topic was deleted: an answer still in flight is noted, nothing is retried. */
  stopped: boolean;
}

const produceTimeoutMs = 2_000;
/** The client's own wait between retries of one batch, uniform in [min, max]. */
const retryMsMin = 10;
const retryMsMax = 100;

const unrecoverable = new Set([
  'OUT_OF_ORDER_SEQUENCE',
  'UNKNOWN_PRODUCER_ID',
  'PRODUCER_FENCED',
  'CORRUPT_MESSAGE',
]);

/**
 * The simulated client workload: creates topics, runs one idempotent producer per partition (acks =
 * quorum, one batch in flight, the same sequence retried until acknowledged, as Kafka's idempotent
 * producer does) and consumer fetches from leaders, recording every outcome in the trace.
 */
export class SimClient {
  private readonly producers: PartitionProducer[] = [];
  private readonly topics = new Map<string, number>();
  private creating = false;
  private nextTopic = 0;

  constructor(
    private readonly prng: Prng,
    private readonly clock: ProcessClock,
    private readonly calls: ClientCalls,
    private readonly checker: ReplicaChecker,
    private readonly stats: SimClusterStats,
    private readonly trace: Trace,
    /** A check failed inside a client callback. */
    private readonly fail: (error: unknown) => void,
    /** The share of topics created with a retention of a few KiB. */
    private readonly retainedShare = 0.5,
  ) {}

  /** Topic name → partition count, for the checks. */
  get knownTopics(): ReadonlyMap<string, number> {
    return this.topics;
  }

  /** One client step: maybe create a topic, start produces that are due, maybe fetch. */
  step(topicsMax: number): void {
    if (!this.creating && this.topics.size < topicsMax && (this.topics.size === 0 || this.prng.chance(0.002)))
      this.createTopic();
    for (const p of this.producers) if (!p.busy && !p.stopped && this.prng.chance(0.2)) this.produce(p);
    if (this.prng.chance(0.02)) this.fetch();
  }

  /** Producers with an unacknowledged batch, for the end of a run. */
  get pendingProduces(): number {
    return this.producers.filter((p) => p.busy && !p.stopped).length;
  }

  /** The topic was deleted: its producers stop and the checks forget it. */
  forgetTopic(name: string): void {
    this.topics.delete(name);
    for (const p of this.producers) if (p.topic === name) p.stopped = true;
  }

  private createTopic(): void {
    const name = `t${this.nextTopic}`;
    const partitions = this.prng.intBetween(1, 3);
    // Half the topics keep only a few KiB, so retention moves their log start (and purges) while
    // replicas crash, restart and catch up.
    const config = this.prng.chance(this.retainedShare)
      ? { retentionBytes: this.prng.intBetween(1024, 4096) }
      : {};
    this.creating = true;
    const attempt = (): void => {
      void this.calls
        .call((api) =>
          api.createTopic({ name, partitions, replicationFactor: 3, config, validateOnly: false }),
        )
        .then((outcome) => {
          const ok = outcome.ok || outcome.error?.code === 'TOPIC_ALREADY_EXISTS';
          this.trace.add(
            `create ${name} ${JSON.stringify(config)} ${ok ? 'ok' : (outcome.error?.code ?? 'timeout')}`,
          );
          if (!ok) return void this.clock.after(this.prng.intBetween(50, 200), attempt);
          this.stats.topicsCreated++;
          this.creating = false;
          this.nextTopic++;
          this.topics.set(name, partitions);
          for (let partition = 0; partition < partitions; partition++) this.startProducer(name, partition);
        });
    };
    attempt();
  }

  private startProducer(topic: string, partition: number): void {
    const p: PartitionProducer = {
      topic,
      partition,
      producerId: -1,
      epoch: 0,
      nextSequence: 0,
      busy: true,
      attempts: 0,
      stopped: false,
    };
    this.producers.push(p);
    const attempt = (): void => {
      void this.calls
        .call((api) => api.initProducer({ transactionalId: '', transactionTimeoutMs: 0 }))
        .then((outcome) => {
          if (p.stopped) return;
          if (outcome.value === undefined)
            return void this.clock.after(this.prng.intBetween(50, 200), attempt);
          p.producerId = outcome.value.producerId;
          p.epoch = outcome.value.epoch;
          p.busy = false;
          this.trace.add(`producer ${topic}/${partition} id ${p.producerId}`);
        });
    };
    attempt();
  }

  private produce(p: PartitionProducer): void {
    p.busy = true;
    const sequence = p.nextSequence;
    const batch = encodeRecordBatch({
      records: [{ value: new TextEncoder().encode(`${p.producerId}:${sequence}`) }],
      timestamp: 1_700_000_000_000,
      producerId: p.producerId,
      producerEpoch: p.epoch,
      baseSequence: sequence,
    });
    const crc = new RecordBatchView(batch).crc;
    const name = `${p.topic}/${p.partition}`;
    this.stats.produces++;
    if (p.attempts > 0) this.stats.produceRetries++;
    p.attempts++;
    void this.calls
      .call(
        (api) =>
          api.produce({
            topic: p.topic,
            partition: p.partition,
            batch,
            acks: 'quorum',
            timeoutMs: produceTimeoutMs,
          }),
        this.leaderOf(p.topic, p.partition),
      )
      .then((outcome) => {
        const ack = outcome.value;
        if (p.stopped) p.busy = false;
        if (ack === undefined) {
          if (p.stopped) return;
          const code = outcome.error?.code ?? 'no answer';
          this.stats.produceErrors++;
          this.trace.add(`produce ${name} s${sequence} ${code}`);
          if (unrecoverable.has(code)) {
            this.fail(
              new BrokerViolation(
                'producer sequence continues',
                `${name} s${sequence} after s${sequence - 1} was acknowledged: ${code} (${outcome.error?.message ?? ''})`,
              ),
            );
            return;
          }
          this.clock.after(this.prng.intBetween(retryMsMin, retryMsMax), () => this.produce(p));
          return;
        }
        this.stats.acks++;
        if (ack.duplicate) this.stats.duplicatesAnswered++;
        this.trace.add(`ack ${name} s${sequence} @${ack.baseOffset}${ack.duplicate ? ' dup' : ''}`);
        try {
          this.checker.noteAck(name, ack.baseOffset, { producerId: p.producerId, sequence, crc });
        } catch (error) {
          this.fail(error);
        }
        p.nextSequence++;
        p.attempts = 0;
        p.busy = false;
      });
  }

  private fetch(): void {
    const topics = [...this.topics];
    if (topics.length === 0) return;
    const [topic, partitions] = this.prng.pick(topics);
    const partition = this.prng.intBetween(0, partitions - 1);
    this.stats.fetches++;
    void this.calls
      .call(
        (api) => api.fetch({ topic, partition, offset: 0, bytesMax: 64 * 1024, isolation: 'read-committed' }),
        this.leaderOf(topic, partition),
      )
      .then((outcome) =>
        this.trace.add(
          `fetch ${topic}/${partition} ${outcome.value?.highWatermark ?? outcome.error?.code ?? 'no answer'}`,
        ),
      );
  }

  /** The leader as some up node sees it, else any up node (a wrong guess answers NOT_LEADER). */
  leaderOf(topic: string, partition: number): NodeId | undefined {
    const up = this.calls.cluster.upNodes();
    if (up.length === 0) return undefined;
    const asked = this.prng.pick(up);
    try {
      const view = asked.api.describeTopic(topic).partitionViews.find((v) => v.partition === partition);
      if (view !== undefined && view.leaderId !== 0) return view.leaderId;
    } catch {
      // The topic is not known there yet: any node will do.
    }
    return asked.id;
  }
}
