import { describe, expect, it } from 'vitest';
import { startCluster } from './harness/index.js';
import { RawTxnProducer, readCommitted } from './harness/txn.js';

const topic = 'frozen';
const partitions = [0, 1, 2];

describe('a commit while a partition leader is frozen (SIGSTOP), 3 nodes', () => {
  it('ends once another replica leads that partition, not after the frozen call times out', async () => {
    const cluster = await startCluster({ nodes: 3 });
    try {
      await cluster.createTopic(topic, partitions.length, 3);
      for (const p of partitions) await cluster.transferLeadership(topic, p, p + 1);
      const controllerId = (await cluster.clusterStatus()).controller?.leaderId ?? 0;
      expect(controllerId).toBeGreaterThan(0);
      const controllerAddress = cluster.addressOf(controllerId) ?? '';
      const producer = new RawTxnProducer(cluster, 'tx-frozen', 60_000, controllerAddress);
      await producer.init();
      await producer.addPartitions(topic, partitions);
      for (const p of partitions) await producer.produce(topic, p, [`a-p${p}`, `b-p${p}`]);

      // A partition leader that is not the coordinator stops answering, its connections still open.
      const frozen = cluster.node(partitions.map((p) => p + 1).find((id) => id !== controllerId) ?? 0);
      process.kill(frozen.pid ?? 0, 'SIGSTOP');
      let endMs: number;
      try {
        const started = Date.now();
        await producer.end(true);
        endMs = Date.now() - started;
      } finally {
        process.kill(frozen.pid ?? 0, 'SIGCONT');
      }
      console.log(`EndTxn with partition leader ${frozen.id} frozen: ${endMs} ms`);
      // An election takes about a second here; a marker call to the frozen node used to wait 15 s.
      expect(endMs).toBeLessThan(8_000);

      for (const p of partitions) {
        const read = await readCommitted(cluster, topic, p);
        expect(read.values).toEqual([`a-p${p}`, `b-p${p}`]);
        expect(read.commitMarkers).toBeGreaterThanOrEqual(1);
        expect(read.abortMarkers).toBe(0);
        expect(read.lastStableOffset).toBe(read.highWatermark);
      }
    } finally {
      await cluster.stopAll();
    }
  }, 120_000);
});
