import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { startCluster } from './harness/index.js';

const topic = 'moving';

describe('a decoded record stream whose leadership moves away, 3 nodes', () => {
  it('ends with NOT_LEADER naming the new leader, transfer after transfer', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 1, 3);
    for (let round = 0; round < 3; round++) {
      const leader = await cluster.waitForLeader(topic, 0);
      const target = (leader.leaderId % 3) + 1;
      const address = cluster.addressOf(leader.leaderId) ?? '';
      const stream = cluster
        .broker(address)
        .fetchRecordsStream({ topic, partition: 0, offset: 0n, heartbeatIntervalMs: 100 });
      const ended = (async () => {
        for await (const _ of stream) {
          /* heartbeats until the leadership moves */
        }
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      await cluster.transferLeadership(topic, 0, target);
      const error = await ended;
      expect(error).toBeInstanceOf(RaftlogError);
      expect(error).toMatchObject({ code: 'NOT_LEADER', leaderHint: cluster.addressOf(target) });
    }
  }, 60_000);
});
