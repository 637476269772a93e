import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, RaftlogError } from '../../lib/index.js';
import { Acks } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { sleep, startCluster } from './harness/index.js';
import type { BrokerClient } from './harness/rpc.js';

const topic = 'acks';

describe('acks, 3 nodes', () => {
  it('reports what each acks level achieved, with the offsets the records got', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 1, 3);
    // A leadership move (a busy machine can cause one) answers NOT_LEADER and appends nothing: follow it.
    const produce = async (value: string, acks: Acks) => {
      for (let attempt = 0; ; attempt++) {
        const leader = await cluster.waitForLeader(topic, 0);
        try {
          return await send(cluster.broker(leader.address), value, acks);
        } catch (error) {
          const code = RaftlogError.from(error).code;
          if (attempt >= 5 || (code !== 'NOT_LEADER' && code !== 'LEADER_NOT_AVAILABLE')) throw error;
        }
      }
    };
    const send = (broker: BrokerClient, value: string, acks: Acks) =>
      broker.produce({
        topic,
        partition: 0,
        acks,
        batch: encodeRecordBatch({
          timestamp: Date.now(),
          records: [value, `${value}'`].map((v) => ({ key: null, value: new TextEncoder().encode(v) })),
        }),
      });

    const quorum = await produce('q', Acks.QUORUM);
    expect(quorum).toMatchObject({
      baseOffset: 0n,
      lastOffset: 1n,
      acksAchieved: Acks.QUORUM,
      replicasTotal: 3,
    });
    expect(quorum.replicasFsynced).toBeGreaterThanOrEqual(2);
    const leaderOnly = await Promise.all([produce('l1', Acks.LEADER), produce('l2', Acks.LEADER)]);
    expect(leaderOnly.map((r) => [r.baseOffset, r.lastOffset])).toEqual([
      [2n, 3n],
      [4n, 5n],
    ]);
    expect(leaderOnly.every((r) => r.acksAchieved >= Acks.LEADER && r.replicasFsynced >= 1)).toBe(true);
    const none = await produce('n', Acks.NONE);
    expect(none).toMatchObject({ baseOffset: -1n, acksAchieved: Acks.NONE });

    // acks=none answered before the commit: wait until the last batch is visible.
    let read = await cluster.readPartition(topic, 0, { timeoutMs: 20_000 });
    for (let i = 0; read.length < 8 && i < 100; i++) {
      await sleep(50);
      read = await cluster.readPartition(topic, 0, { timeoutMs: 20_000 });
    }
    expect(read.map((r) => [Number(r.offset), r.value])).toEqual([
      [0, 'q'],
      [1, "q'"],
      [2, 'l1'],
      [3, "l1'"],
      [4, 'l2'],
      [5, "l2'"],
      [6, 'n'],
      [7, "n'"],
    ]);
  }, 60_000);
});
