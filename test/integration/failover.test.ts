import { describe, expect, it } from 'vitest';
import { PartitionWriter, startCluster, verifyPartition, type TestCluster } from './harness/index.js';

const topic = 'failover';
const partitions = [0, 1, 2];
const failoverMsMax = 2_000;

describe('leader failover, 3 nodes', () => {
  it('replaces a SIGKILLed leader within 2 s and loses no acknowledged record', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 3, 3);
    const writers = partitions.map((p) => new PartitionWriter(cluster, topic, p, { batchRecords: 100 }));
    await Promise.all(writers.map((w) => w.write(Math.ceil(10_000 / writers.length))));

    const load = new AbortController();
    const writing = Promise.all(writers.map((w) => w.writeUntil(load.signal, 10)));
    const failovers: { partition: number; killed: number; ms: number }[] = [];
    try {
      for (const p of partitions) failovers.push(await killLeaderAndMeasure(cluster, writers[p]!, p));
    } finally {
      load.abort();
      await writing;
    }
    console.log(JSON.stringify({ test: 'failover', failoverMs: failovers }));

    for (const writer of writers) {
      verifyPartition(writer.ledger, await cluster.readPartition(topic, writer.ledger.partition));
    }
    for (const f of failovers) expect(f.ms, `partition ${f.partition}`).toBeLessThan(failoverMsMax);
  }, 120_000);
});

/** SIGKILLs the partition's leader, times the first write acknowledged after it, restarts the node. */
async function killLeaderAndMeasure(cluster: TestCluster, writer: PartitionWriter, partition: number) {
  const leader = await cluster.waitForLeader(topic, partition);
  const killedAt = Date.now();
  await cluster.node(leader.leaderId).kill('SIGKILL');
  const acked = await writer.firstAckSentAfter(killedAt, 15_000);
  const ms = acked.ackedAt - killedAt;
  await cluster.node(leader.leaderId).start();
  await cluster.waitInSync(topic, leader.leaderId);
  return { partition, killed: leader.leaderId, ms };
}
