import { RaftlogError } from '../../lib/index.js';
import type { LeasedMessage } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { delay } from './delay.js';
import { toRaftlogError, withoutHint } from './errors.js';
import type { RaftlogClient } from './raftlog-client.js';
import { decideRetry, type RetryOptions } from './retry-policy.js';

export type LeaseFetchClient = Pick<
  RaftlogClient,
  'leaderAddress' | 'noteError' | 'broker' | 'partitionCount'
>;

export interface LeaseFetchSettings {
  readonly topic: string;
  readonly queue: string;
  readonly consumerId: string;
  readonly visibilityTimeoutMs: number;
  readonly waitMs: number;
  readonly requestTimeoutMs: number;
  readonly retry: RetryOptions;
}

/**
 * Leases from every partition leader of a topic, one Lease call per leader carrying the partitions
 * it leads. A round returns as soon as some leader answered with messages; calls still waiting
 * (long polls) stay open and their messages are kept for the next round, so a quiet leader never
 * delays a busy one and no leader ever has two calls open. Holds at most one call's messages per leader.
 */
export class LeaseFetcher {
  private readonly outstanding = new Map<string, Promise<void>>();
  private readonly ready: LeasedMessage[] = [];
  private errors: RaftlogError[] = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly client: LeaseFetchClient,
    private readonly settings: LeaseFetchSettings,
    /** Messages a call brought back after close(): released at once. */
    private readonly orphaned: (messages: LeasedMessage[]) => void,
  ) {}

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /** Messages from one round over the leaders (at most `max` per call); [] when every leader had none. */
  async round(max: number): Promise<LeasedMessage[]> {
    const deadlineMs = Date.now() + this.settings.waitMs + this.settings.requestTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (this.ready.length > 0 || this.closed) return this.ready.splice(0);
      const leaders = await this.leaders();
      for (const [address, partitions] of leaders) {
        if (!this.outstanding.has(address)) this.start(address, partitions, max);
      }
      while (this.outstanding.size > 0 && this.ready.length === 0) {
        await Promise.race(this.outstanding.values());
      }
      await this.graceForOthers();
      if (this.ready.length > 0 || this.closed) return this.ready.splice(0);
      const errors = this.errors.splice(0);
      if (errors.length === 0 && leaders.size > 0) return [];
      const error = errors.find((e) => !e.retriable) ?? errors[0] ?? noLeader(this.settings.topic);
      const decision = decideRetry(error, attempt, Date.now(), deadlineMs, this.settings.retry);
      if (!decision.retry) throw error;
      await delay(decision.delayMs, this.abort.signal).catch(() => undefined);
    }
  }

  /** Leaders that answer right after the first one still make this round, as a short poll would. */
  private async graceForOthers(): Promise<void> {
    if (this.outstanding.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, roundGraceMs)));
    await Promise.race([Promise.all(this.outstanding.values()), grace]);
    clearTimeout(timer);
  }

  /**
   * Stops leasing and waits for the open calls (at most wait_ms): cancelling one could lose the
   * messages it had just leased until their leases end, so they are waited for and given back.
   */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.outstanding.values());
    this.orphaned(this.ready.splice(0));
  }

  private async leaders(): Promise<Map<string, number[]>> {
    const { topic } = this.settings;
    const leaders = new Map<string, number[]>();
    let count = 0;
    try {
      count = await this.client.partitionCount(topic);
    } catch (thrown) {
      const error = toRaftlogError(thrown);
      if (!error.retriable) throw error;
      this.errors.push(error);
    }
    for (let p = 0; p < count; p++) {
      try {
        const address = await this.client.leaderAddress(topic, p);
        leaders.set(address, [...(leaders.get(address) ?? []), p]);
      } catch (thrown) {
        this.errors.push(toRaftlogError(thrown));
      }
    }
    return leaders;
  }

  private start(address: string, partitions: number[], max: number): void {
    const s = this.settings;
    const call = this.client
      .broker(address)
      .lease(
        {
          queue: s.queue,
          topic: s.topic,
          partitions,
          consumerId: s.consumerId,
          maxMessages: max,
          visibilityTimeoutMs: s.visibilityTimeoutMs,
          waitMs: s.waitMs,
        },
        { timeoutMs: s.waitMs + s.requestTimeoutMs },
      )
      .then(
        (r) => {
          if (this.closed) this.orphaned(r.messages);
          else this.ready.push(...r.messages);
        },
        (thrown: unknown) => this.failed(toRaftlogError(thrown), partitions),
      )
      .finally(() => this.outstanding.delete(address));
    this.outstanding.set(address, call);
  }

  private failed(error: RaftlogError, partitions: readonly number[]): void {
    if (this.closed) return;
    const plain = partitions.length === 1 ? error : withoutHint(error);
    for (const p of partitions) this.client.noteError(this.settings.topic, p, plain);
    this.errors.push(error);
  }
}

const roundGraceMs = 20;

function noLeader(topic: string): RaftlogError {
  return new RaftlogError('LEADER_NOT_AVAILABLE', `no partition of ${topic} has a known leader`);
}
