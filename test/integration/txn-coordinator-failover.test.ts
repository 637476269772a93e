import { describe, expect, it } from 'vitest';
import { TransactionState } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { sleep, startCluster } from './harness/index.js';
import type { AdminClient } from './harness/rpc.js';
import { RawTxnProducer, readCommitted } from './harness/txn.js';

const topic = 'spread';
const partitions = [0, 1, 2];
const batches = 5;
const perBatch = 20;

async function waitForState(admin: AdminClient, state: TransactionState): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const described = await admin.describeTransactions({ transactionalIds: ['tx-spread'] });
    if (described.transactions[0]?.state === state) return;
    if (Date.now() > deadline) throw new Error(`tx-spread never reached state ${state}`);
    await sleep(2);
  }
}

describe('a commit across 3 partition leaders while the controller leader is SIGKILLed, 3 nodes', () => {
  it('ends with a commit marker on every partition and each record visible exactly once', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, partitions.length, 3);
    for (const p of partitions) await cluster.transferLeadership(topic, p, p + 1);
    const status = await cluster.clusterStatus();
    const controllerId = status.controller?.leaderId ?? 0;
    expect(controllerId).toBeGreaterThan(0);
    const controllerAddress = cluster.addressOf(controllerId) ?? '';

    // First, undisturbed commits over the three leaders: how long EndTxn takes (markers included).
    const expected = new Map<number, string[]>(partitions.map((p) => [p, []]));
    const warm = new RawTxnProducer(cluster, 'tx-warm', 60_000, controllerAddress);
    await warm.init();
    const endMs: number[] = [];
    for (let t = 0; t < 5; t++) {
      await warm.addPartitions(topic, partitions);
      for (const p of partitions) {
        await warm.produce(topic, p, [`warm-${t}-p${p}`]);
        expected.get(p)?.push(`warm-${t}-p${p}`);
      }
      const started = Date.now();
      await warm.end(true);
      endMs.push(Date.now() - started);
    }
    console.log(`EndTxn over 3 partition leaders: ${JSON.stringify(endMs)} ms`);

    // The coordinator calls go to the controller leader itself, so the kill cuts EndTxn mid-flight.
    const producer = new RawTxnProducer(cluster, 'tx-spread', 60_000, controllerAddress);
    await producer.init();
    await producer.addPartitions(topic, partitions);
    for (const p of partitions) {
      const values = expected.get(p) ?? [];
      for (let b = 0; b < batches; b++) {
        const batch = Array.from({ length: perBatch }, (_, i) => `p${p}-b${b}-r${i}`);
        await producer.produce(topic, p, batch);
        values.push(...batch);
      }
    }

    // One partition leader other than the controller leader pauses, so its marker cannot be written
    // yet; the controller leader is killed as soon as the commit decision is durable. Only the next
    // controller leader (elected once the paused node is back) can finish the commit.
    const paused = cluster.node([1, 2, 3].find((id) => id !== controllerId) ?? 0);
    const third = cluster.node([1, 2, 3].find((id) => id !== controllerId && id !== paused.id) ?? 0);
    process.kill(paused.pid ?? 0, 'SIGSTOP');
    let ending: Promise<void>;
    try {
      ending = producer.end(true);
      ending.catch(() => {});
      await waitForState(cluster.admin(third.address), TransactionState.PREPARE_COMMIT);
      await cluster.node(controllerId).kill('SIGKILL');
    } finally {
      process.kill(paused.pid ?? 0, 'SIGCONT');
    }
    const killedAt = Date.now();
    await ending;
    const committedMs = Date.now() - killedAt;
    console.log(`EndTxn confirmed ${committedMs} ms after the controller leader was killed`);

    for (const p of partitions) {
      const read = await readCommitted(cluster, topic, p);
      expect(read.values).toEqual(expected.get(p));
      expect(read.commitMarkers).toBeGreaterThanOrEqual(6);
      expect(read.abortMarkers).toBe(0);
      expect(read.lastStableOffset).toBe(read.highWatermark);
    }
    const survivor = cluster.liveNodes()[0]?.address ?? '';
    const [described] = (
      await cluster.admin(survivor).describeTransactions({ transactionalIds: ['tx-spread'] })
    ).transactions;
    expect(described?.state).toBe(TransactionState.COMPLETE_COMMIT);
  }, 120_000);
});
