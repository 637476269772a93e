import type { QueuePartitionStats as WireStats } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { delay } from './delay.js';
import { toRaftlogError, withoutHint } from './errors.js';
import type { RaftlogClient } from './raftlog-client.js';
import { decideRetry, defaultRetryOptions } from './retry-policy.js';

/** A queue group's state on one partition, as its leader has applied it. */
export interface QueuePartitionStats {
  readonly partition: number;
  /** Not yet acked, dead-lettered or dropped: visible, in flight and delayed together. */
  readonly depth: number;
  readonly inFlight: number;
  readonly delayed: number;
  /** Of the oldest message not yet acked, by append time; 0 when none. */
  readonly oldestAgeMs: number;
  readonly deadLettered: number;
  /** Every offset below it is done. */
  readonly ackFloor: number;
  readonly highWatermark: number;
}

export type QueueStatsClient = Pick<
  RaftlogClient,
  'leaderAddress' | 'noteError' | 'broker' | 'partitionCount'
>;

/** Asks each partition leader for its partitions (only a leader knows), in partition order. */
export async function queueStats(
  client: QueueStatsClient,
  topic: string,
  queue: string,
  timeoutMs = 30_000,
): Promise<QueuePartitionStats[]> {
  const deadlineMs = Date.now() + timeoutMs;
  const found = new Map<number, QueuePartitionStats>();
  let pending = [...Array(await client.partitionCount(topic)).keys()];
  for (let attempt = 0; pending.length > 0; attempt++) {
    try {
      await statsRound(client, topic, queue, pending, found);
    } catch (thrown) {
      const error = toRaftlogError(thrown);
      const decision = decideRetry(error, attempt, Date.now(), deadlineMs, defaultRetryOptions);
      if (!decision.retry) throw error;
      await delay(decision.delayMs);
    }
    pending = pending.filter((p) => !found.has(p));
  }
  return [...found.values()].sort((a, b) => a.partition - b.partition);
}

async function statsRound(
  client: QueueStatsClient,
  topic: string,
  queue: string,
  partitions: readonly number[],
  found: Map<number, QueuePartitionStats>,
): Promise<void> {
  const groups = await partitionsByLeader(client, topic, partitions);
  const failures: unknown[] = [];
  await Promise.all(
    [...groups].map(async ([address, ps]) => {
      try {
        const r = await client
          .broker(address)
          .queueStats({ queue, topic, partitions: ps }, { timeoutMs: 10_000 });
        for (const s of r.partitions) found.set(s.partition, fromWire(s));
      } catch (thrown) {
        const error = toRaftlogError(thrown);
        for (const p of ps) client.noteError(topic, p, ps.length === 1 ? error : withoutHint(error));
        failures.push(error);
      }
    }),
  );
  if (failures.length > 0) throw failures[0];
}

/** The partitions grouped by the address of their leader, as the client knows it. */
export async function partitionsByLeader(
  client: Pick<RaftlogClient, 'leaderAddress'>,
  topic: string,
  partitions: readonly number[],
): Promise<Map<string, number[]>> {
  const groups = new Map<string, number[]>();
  for (const p of partitions) {
    const address = await client.leaderAddress(topic, p);
    groups.set(address, [...(groups.get(address) ?? []), p]);
  }
  return groups;
}

function fromWire(s: WireStats): QueuePartitionStats {
  return {
    partition: s.partition,
    depth: Number(s.depth),
    inFlight: Number(s.inFlight),
    delayed: Number(s.delayed),
    oldestAgeMs: Number(s.oldestAgeMs),
    deadLettered: Number(s.deadLettered),
    ackFloor: Number(s.ackFloor),
    highWatermark: Number(s.highWatermark),
  };
}
