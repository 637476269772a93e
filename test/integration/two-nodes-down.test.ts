import { describe, it } from 'vitest';
import { PartitionWriter, startCluster, verifyPartition, type TestCluster } from './harness/index.js';

const topic = 'five-nodes';
const partitions = [0, 1];

describe('5 nodes with 2 down', () => {
  it('keeps serving writes and reads with any two nodes down', async () => {
    const cluster = await startCluster({ nodes: 5 });
    await cluster.createTopic(topic, partitions.length, 5);
    const writers = partitions.map((p) => new PartitionWriter(cluster, topic, p, { batchRecords: 100 }));
    await Promise.all(writers.map((w) => w.write(500)));

    for (const down of await combinations(cluster)) {
      await Promise.all(down.map((id) => cluster.node(id).kill('SIGKILL')));
      await Promise.all(writers.map((w) => w.write(500)));
      for (const w of writers)
        verifyPartition(w.ledger, await cluster.readPartition(topic, w.ledger.partition));
      await Promise.all(down.map((id) => cluster.node(id).start()));
      for (const id of down) await cluster.waitInSync(topic, id);
    }
  }, 120_000);
});

/** Both current partition leaders (or one leader and a follower), then two fixed pairs. */
async function combinations(cluster: TestCluster): Promise<number[][]> {
  const leaders = await Promise.all(partitions.map((p) => cluster.waitForLeader(topic, p)));
  const first = [...new Set(leaders.map((l) => l.leaderId))];
  if (first.length < 2) first.push(first[0] === 1 ? 2 : 1);
  return [first, [1, 2], [4, 5]];
}
