import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PartitionWriter, startCluster, verifyPartition } from './harness/index.js';

const topic = 'catch-up';
// The long run writes enough for the leader to truncate its log, so the follower needs a snapshot.
const records = process.env.RAFTLOG_LONG_TESTS === '1' ? 100_000 : 20_000;

describe('follower catch-up, 3 nodes', () => {
  it(
    `brings a follower stopped during ${records} writes back in sync`,
    async () => {
      // Snapshots every few dozen entries, so the leader truncates its log long before the follower returns.
      const cluster = await startCluster({
        nodes: 3,
        env: { RAFTLOG_SNAPSHOT_ENTRIES_MIN: '40', RAFTLOG_COMPACTION_TRAIL_ENTRIES: '5' },
      });
      await cluster.createTopic(topic, 1, 3);
      const leader = await cluster.waitForLeader(topic, 0);
      const follower = cluster.nodes.find((n) => n.id !== leader.leaderId)!;

      await follower.stop();
      const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 100 });
      await writer.write(records);
      await follower.start();
      await cluster.waitInSync(topic, follower.id, 90_000);

      await cluster.transferLeadership(topic, 0, follower.id);
      const read = await cluster.readPartition(topic, 0, { fromNode: follower.id, timeoutMs: 60_000 });
      const summary = verifyPartition(writer.ledger, read);
      expect(summary.acked).toBe(records);
      // The follower came back through a snapshot install and fetched the record data it skipped.
      const log = readFileSync(join(cluster.dir, `node-${follower.id}.log`), 'utf8');
      expect(log).toContain('record data filled');
    },
    process.env.RAFTLOG_LONG_TESTS === '1' ? 300_000 : 120_000,
  );
});
