import { RaftlogError } from '../../../lib/index.js';
import { withRetry, type AcksMode } from '../../client/index.js';
import type { CliSession } from '../cli-context.js';
import type { BenchSender, BenchSubscription, BenchTarget } from './bench-target.js';

export interface RaftlogTargetOptions {
  /** Used as is when set; else each `prepare` creates a fresh topic. */
  readonly topic?: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly acks: AcksMode;
  readonly idempotence: boolean;
  /** The name a table shows. */
  readonly name?: string;
}

/** raftlog through the TypeScript client of one CLI session. */
export class RaftlogTarget implements BenchTarget {
  readonly name: string;
  private topic = '';
  private fresh = 0;

  constructor(
    private readonly session: CliSession,
    private readonly options: RaftlogTargetOptions,
  ) {
    this.name = options.name ?? `raftlog acks=${options.acks}, ${options.partitions} partition(s)`;
  }

  get currentTopic(): string {
    return this.topic;
  }

  async prepare(): Promise<void> {
    this.fresh++;
    this.topic =
      this.options.topic ?? `bench-${process.pid}-${performance.timeOrigin.toFixed(0)}-${this.fresh}`;
    await ensureTopic(this.session, this.topic, this.options);
  }

  sender(options: { oneAtATime: boolean }): Promise<BenchSender> {
    const producer = this.session.producer({
      acks: this.options.acks,
      // One record in flight gains nothing from waiting for more.
      lingerMs: options.oneAtATime ? 0 : 5,
      idempotence: this.options.idempotence,
    });
    const topic = this.topic;
    return Promise.resolve({
      send: (value) => producer.send({ topic, value }),
      close: () => producer.close(),
    });
  }

  async subscribe(onValue: (value: Uint8Array) => void): Promise<BenchSubscription> {
    const consumer = this.session.consumer({ from: 'earliest' });
    await consumer.assignTopic(this.topic, 'earliest');
    const stopping = new AbortController();
    const reading = (async () => {
      for await (const record of consumer) {
        if (stopping.signal.aborted) break;
        onValue(record.value ?? new Uint8Array(0));
      }
    })();
    return {
      stop: async () => {
        stopping.abort();
        await consumer.close();
        await reading.catch(() => undefined);
      },
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const createTopicRetryMs = 30_000;

/** Creates the topic unless it exists (a second bench on the same topic appends to it). */
export async function ensureTopic(
  session: Pick<CliSession, 'admin'>,
  topic: string,
  o: { partitions: number; replicas: number },
): Promise<void> {
  try {
    await session.admin.describeTopic(topic);
  } catch (error) {
    if (!(error instanceof RaftlogError) || error.code !== 'TOPIC_NOT_FOUND') throw error;
    await createTopicRetrying(session, topic, o);
  }
}

/**
 * Creates the topic, trying retriable refusals again for a while: right after a start or a restart
 * the controller may not count every node alive yet (NOT_ENOUGH_REPLICAS), and a bench should not
 * fail on that. A topic found made (a lost answer, or another bench) counts as created.
 */
export async function createTopicRetrying(
  session: Pick<CliSession, 'admin'>,
  topic: string,
  o: { partitions: number; replicas: number },
): Promise<void> {
  const create = (): Promise<void> =>
    session.admin.createTopic({ name: topic, partitions: o.partitions, replicas: o.replicas }).then(
      () => undefined,
      (e: unknown) => {
        if (!(e instanceof RaftlogError) || e.code !== 'TOPIC_ALREADY_EXISTS') throw e;
      },
    );
  await withRetry(create, { deadlineMs: Date.now() + createTopicRetryMs });
}
