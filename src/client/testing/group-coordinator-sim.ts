/* eslint-disable @typescript-eslint/require-await -- the simulator answers at once, like the test doubles */
import { encodeRecordBatch, RaftlogError, RecordBatchView } from '../../../lib/index.js';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { partitionKey } from '../assignment-diff.js';
import type { TopicPartitionRef } from '../types.js';

interface SimMember {
  readonly instanceId: string;
  owned: Set<string>;
  target: Set<string>;
}

const utf8 = new TextEncoder();

export function toRef(key: string): TopicPartitionRef {
  const at = key.lastIndexOf('/');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/**
 * A simulator of one topic's partitions and one group's coordinator, following the rules of issue
 * #10's design: sticky balanced targets, owned sets reported by SyncGroup, a partition handed out
 * only once its owner released it, commits only by the owner. Serves records (value `p<partition>-
 * <offset>`) in batches of `batchRecords` so consumers can be driven end to end in one process.
 */
export class GroupCoordinatorSim {
  readonly members = new Map<string, SimMember>();
  readonly committed = new Map<string, number>();
  readonly commits: { memberId: string; key: string; offset: number }[] = [];
  generation = 0;
  /** Records below this are gone (retention). */
  logStart = 0;
  private nextId = 1;
  private readonly partitions: string[];

  constructor(
    readonly topic: string,
    readonly partitionCount: number,
    readonly recordsPerPartition: number,
    private readonly batchRecords = 5,
  ) {
    this.partitions = [...Array(partitionCount).keys()].map((p) => `${topic}/${p}`);
  }

  join(memberId: string, instanceId: string): { generationId: number; memberId: string } {
    if (instanceId !== '') {
      const known = [...this.members].find(([, m]) => m.instanceId === instanceId);
      if (known !== undefined) {
        known[1].owned = new Set();
        return { generationId: this.generation, memberId: known[0] };
      }
    }
    if (memberId !== '') {
      if (!this.members.has(memberId)) throw new RaftlogError('UNKNOWN_MEMBER_ID', memberId);
      return { generationId: this.generation, memberId };
    }
    const id = `m${this.nextId++}`;
    this.members.set(id, { instanceId, owned: new Set(), target: new Set() });
    this.retarget();
    return { generationId: this.generation, memberId: id };
  }

  sync(generation: number, memberId: string, owned: readonly string[]): string[] {
    const m = this.member(memberId);
    if (generation !== this.generation) throw new RaftlogError('ILLEGAL_GENERATION', `${generation}`);
    m.owned = new Set(owned.filter((k) => m.target.has(k) || m.owned.has(k)));
    const answer = this.answer(memberId);
    for (const k of answer) m.owned.add(k);
    return answer;
  }

  heartbeat(generation: number, memberId: string): void {
    const m = this.member(memberId);
    const answer = this.answer(memberId);
    const settled = answer.length === m.owned.size && answer.every((k) => m.owned.has(k));
    if (generation !== this.generation || !settled) throw new RaftlogError('REBALANCE_IN_PROGRESS', 'rejoin');
  }

  remove(memberId: string): void {
    this.members.delete(memberId);
    this.retarget();
  }

  commit(memberId: string, offsets: readonly { key: string; offset: number }[]): void {
    const m = this.member(memberId);
    for (const o of offsets) {
      if (!m.owned.has(o.key))
        throw new RaftlogError('UNKNOWN_MEMBER_ID', `${memberId} does not own ${o.key}`);
    }
    for (const o of offsets) {
      this.committed.set(o.key, o.offset);
      this.commits.push({ memberId, ...o });
    }
  }

  /** The Broker calls a consumer makes, answered from this simulator. */
  client() {
    const broker = {
      findCoordinator: async () => ({ nodeId: 1, address: 'sim:1' }),
      joinGroup: async (r: { memberId: string; groupInstanceId: string }) => ({
        ...this.join(r.memberId, r.groupInstanceId),
        members: [...this.members.keys()],
        assignor: 3,
      }),
      syncGroup: async (r: { generationId: number; memberId: string; owned: TopicPartitionRef[] }) => ({
        assignment: this.sync(r.generationId, r.memberId, r.owned.map(partitionKey)).map(toRef),
      }),
      heartbeat: async (r: { generationId: number; memberId: string }) => {
        this.heartbeat(r.generationId, r.memberId);
        return {};
      },
      leaveGroup: async (r: { memberId: string }) => {
        this.remove(r.memberId);
        return {};
      },
      commitOffsets: async (r: { memberId: string; offsets: (TopicPartitionRef & { offset: bigint })[] }) => {
        this.commit(
          r.memberId,
          r.offsets.map((o) => ({ key: partitionKey(o), offset: Number(o.offset) })),
        );
        return { results: [] };
      },
      fetchOffsets: async (r: { partitions: TopicPartitionRef[] }) => ({
        offsets: r.partitions.map((tp) => ({
          ...tp,
          offset: BigInt(this.committed.get(partitionKey(tp)) ?? -1),
        })),
      }),
      listOffsets: async (r: { partitions: { spec: number }[] }) => ({
        // OffsetSpec: 1 earliest, 2 latest.
        offsets: [{ offset: BigInt(r.partitions[0]?.spec === 2 ? this.recordsPerPartition : this.logStart) }],
      }),
      fetchStream: (
        r: { partitions: { partition: number; offset: bigint }[] },
        o?: { signal?: AbortSignal },
      ) => this.stream(r.partitions[0]!.partition, Number(r.partitions[0]!.offset), o?.signal),
    };
    return {
      broker: () => broker as never,
      addresses: () => ['sim:1'],
      partitionCount: async () => this.partitionCount,
      leaderAddress: async () => 'sim:1',
      noteError: () => undefined,
    };
  }

  private async *stream(partition: number, from: number, signal: AbortSignal | undefined) {
    if (from < this.logStart) {
      const error = {
        code: ErrorCode.OFFSET_OUT_OF_RANGE,
        message: `${from} < ${this.logStart}`,
        leaderHint: '',
      };
      yield {
        partitions: [{ topic: this.topic, partition, records: new Uint8Array(0), nextOffset: 0n, error }],
      };
      return;
    }
    for (
      let base = from - (from % this.batchRecords);
      base < this.recordsPerPartition;
      base += this.batchRecords
    ) {
      if (signal?.aborted === true) return;
      const values = [...Array(this.batchRecords).keys()].map((i) =>
        utf8.encode(`p${partition}-${base + i}`),
      );
      const bytes = encodeRecordBatch({ records: values.map((value) => ({ value })), timestamp: 1 });
      yield {
        partitions: [
          {
            topic: this.topic,
            partition,
            records: new RecordBatchView(bytes).withBaseOffset(base, { inPlace: true }).bytes,
            nextOffset: BigInt(base + this.batchRecords),
            abortedTransactions: [],
          },
        ],
      };
    }
    // Then silent, like a partition nobody writes to, until the reader goes away.
    if (signal?.aborted !== true) {
      await new Promise<void>((resolve) =>
        signal?.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
  }

  private member(id: string): SimMember {
    const m = this.members.get(id);
    if (m === undefined) throw new RaftlogError('UNKNOWN_MEMBER_ID', id);
    return m;
  }

  private answer(memberId: string): string[] {
    const others = new Set<string>();
    for (const [id, o] of this.members) if (id !== memberId) for (const k of o.owned) others.add(k);
    return [...this.member(memberId).target].filter((k) => !others.has(k));
  }

  private retarget(): void {
    const ids = [...this.members.keys()].sort();
    if (ids.length === 0) return;
    const floor = Math.floor(this.partitions.length / ids.length);
    let ceilings = this.partitions.length % ids.length;
    const free = new Set(this.partitions);
    const next = new Map<string, Set<string>>();
    for (const id of ids) {
      const had = this.members.get(id)!.target;
      const quota = floor + (ceilings > 0 && had.size > floor ? 1 : 0);
      if (quota > floor) ceilings--;
      const kept = [...had].filter((k) => free.has(k)).slice(0, quota);
      kept.forEach((k) => free.delete(k));
      next.set(id, new Set(kept));
    }
    for (const k of [...free].sort()) {
      const least = ids.reduce((a, b) => (next.get(b)!.size < next.get(a)!.size ? b : a));
      next.get(least)!.add(k);
    }
    let changed = false;
    for (const id of ids) {
      const m = this.members.get(id)!;
      const t = next.get(id)!;
      if (t.size !== m.target.size || [...t].some((k) => !m.target.has(k))) changed = true;
      m.target = t;
    }
    if (changed) this.generation++;
  }
}
