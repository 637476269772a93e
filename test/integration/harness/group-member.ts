import { RaftlogError, type ErrorCode } from '../../../lib/index.js';
import type { Assignor } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { sleep, type ClusterAccess } from './rpc.js';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface GroupMemberOptions {
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly instanceId?: string;
  readonly clientId?: string;
  /** Unset asks for the default (range), which reassigns by member id order on every join. */
  readonly assignor?: Assignor;
  /** The node this member sends its calls to (any node forwards group calls to the coordinator). */
  readonly viaNode: number;
}

/** Codes that say "try the same call again shortly", possibly at another node. */
const transientCodes: ReadonlySet<ErrorCode> = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'UNAVAILABLE',
  'NOT_LEADER',
  'TIMEOUT',
  'PROPOSAL_DROPPED',
]);
const callTimeoutMs = 5_000;
const retryForMs = 20_000;

const key = (p: TopicPartition): string => `${p.topic}/${p.partition}`;
const minus = (a: readonly TopicPartition[], b: readonly TopicPartition[]): TopicPartition[] => {
  const keys = new Set(b.map(key));
  return a.filter((p) => !keys.has(key(p)));
};
const sorted = (a: readonly TopicPartition[]): TopicPartition[] =>
  [...a].sort((x, y) => (x.topic === y.topic ? x.partition - y.partition : x.topic < y.topic ? -1 : 1));

/**
 * A consumer-group member speaking raw gRPC, following the client loop of the design: on
 * REBALANCE_IN_PROGRESS it rejoins with its member id, syncs what it owns, releases what it must
 * (and syncs again), then takes what it was given. It records every partition it revoked and gained.
 */
export class RawGroupMember {
  memberId = '';
  generation = -1;
  owned: TopicPartition[] = [];
  readonly revoked: TopicPartition[] = [];
  readonly gained: TopicPartition[] = [];
  viaNode: number;
  /** When the last call to the coordinator started (the latest the member can have been seen alive). */
  lastCallAt = 0;

  constructor(
    private readonly cluster: ClusterAccess,
    readonly groupId: string,
    private readonly options: GroupMemberOptions,
  ) {
    this.viaNode = options.viaNode;
  }

  async join(): Promise<void> {
    const r = await this.call((b) =>
      b.joinGroup(
        {
          groupId: this.groupId,
          memberId: this.memberId,
          clientId: this.options.clientId ?? 'it',
          sessionTimeoutMs: this.options.sessionTimeoutMs,
          topics: [...this.options.topics],
          groupInstanceId: this.options.instanceId ?? '',
          ...(this.options.assignor === undefined ? {} : { assignor: this.options.assignor }),
        },
        { timeoutMs: callTimeoutMs },
      ),
    );
    this.memberId = r.memberId;
    this.generation = r.generationId;
  }

  async sync(owned: readonly TopicPartition[]): Promise<TopicPartition[]> {
    const r = await this.call((b) =>
      b.syncGroup(
        { groupId: this.groupId, generationId: this.generation, memberId: this.memberId, owned: [...owned] },
        { timeoutMs: callTimeoutMs },
      ),
    );
    return sorted(r.assignment.map((p) => ({ topic: p.topic, partition: p.partition })));
  }

  /** 'OK' or the error code the coordinator answered. */
  async heartbeat(): Promise<'OK' | ErrorCode> {
    try {
      await this.call((b) =>
        b.heartbeat(
          { groupId: this.groupId, generationId: this.generation, memberId: this.memberId },
          { timeoutMs: callTimeoutMs },
        ),
      );
      return 'OK';
    } catch (error) {
      if (error instanceof RaftlogError) return error.code;
      throw error;
    }
  }

  /** One round of the client loop after REBALANCE_IN_PROGRESS. */
  async rebalance(): Promise<void> {
    await this.join();
    const given = await this.sync(this.owned);
    const release = minus(this.owned, given);
    if (release.length > 0) {
      this.revoked.push(...release);
      this.owned = minus(this.owned, release);
      await this.sync(this.owned);
    }
    const take = minus(given, this.owned);
    this.gained.push(...take);
    this.owned = sorted([...this.owned, ...take]);
  }

  /** Heartbeats and rebalances until a heartbeat answers OK; returns how many rounds it took. */
  async settle(roundsMax = 10): Promise<number> {
    for (let round = 0; round < roundsMax; round++) {
      const answer = await this.heartbeat();
      if (answer === 'OK') return round;
      if (answer !== 'REBALANCE_IN_PROGRESS') throw new Error(`member ${this.memberId}: heartbeat ${answer}`);
      await this.rebalance();
    }
    throw new Error(`member ${this.memberId} did not settle in ${roundsMax} rounds`);
  }

  async commit(offsets: readonly (TopicPartition & { offset: number })[]): Promise<void> {
    await this.call((b) =>
      b.commitOffsets(
        {
          groupId: this.groupId,
          generationId: this.generation,
          memberId: this.memberId,
          offsets: offsets.map((o) => ({ ...o, offset: BigInt(o.offset) })),
        },
        { timeoutMs: callTimeoutMs },
      ),
    );
  }

  async leave(): Promise<void> {
    await this.call((b) =>
      b.leaveGroup({ groupId: this.groupId, memberId: this.memberId }, { timeoutMs: callTimeoutMs }),
    );
  }

  /** Retries transient failures, moving to the next running node after each. */
  private async call<T>(fn: (broker: ReturnType<ClusterAccess['broker']>) => Promise<T>): Promise<T> {
    const deadline = Date.now() + retryForMs;
    for (;;) {
      const address = this.cluster.addressOf(this.viaNode);
      try {
        if (address === undefined || !this.cluster.isRunning(this.viaNode)) {
          throw new RaftlogError('UNAVAILABLE', `node ${this.viaNode} is down`);
        }
        this.lastCallAt = Date.now();
        return await fn(this.cluster.broker(address));
      } catch (error) {
        if (!(error instanceof RaftlogError) || !transientCodes.has(error.code) || Date.now() > deadline)
          throw error;
        const live = this.cluster.liveNodes().map((n) => n.id);
        this.viaNode = live[(live.indexOf(this.viaNode) + 1) % live.length] ?? this.viaNode;
        await sleep(100, this.cluster.signal);
      }
    }
  }
}

/** Lets every member settle, round after round, until all heartbeat OK in one pass. */
export async function settleAll(members: readonly RawGroupMember[], passesMax = 10): Promise<void> {
  for (let pass = 0; pass < passesMax; pass++) {
    let rounds = 0;
    for (const m of members) rounds += await m.settle();
    if (rounds === 0) return;
  }
  throw new Error(`members did not settle in ${passesMax} passes`);
}
