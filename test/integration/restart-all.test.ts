import { describe, it } from 'vitest';
import { PartitionWriter, startCluster, verifyPartition } from './harness/index.js';

const topic = 'restart-all';

describe('whole-cluster crash, 3 nodes', () => {
  it('keeps every acknowledged record after all nodes are SIGKILLed and restarted', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 3, 3);
    const writers = [0, 1, 2].map((p) => new PartitionWriter(cluster, topic, p, { batchRecords: 100 }));
    await Promise.all(writers.map((w) => w.write(2_000)));

    await Promise.all(cluster.nodes.map((n) => n.kill('SIGKILL')));
    await cluster.startAll();

    for (const w of writers)
      verifyPartition(w.ledger, await cluster.readPartition(topic, w.ledger.partition));
    // The restarted cluster also takes new writes after the old ones.
    await Promise.all(writers.map((w) => w.write(500)));
    for (const w of writers)
      verifyPartition(w.ledger, await cluster.readPartition(topic, w.ledger.partition));
  }, 90_000);
});
