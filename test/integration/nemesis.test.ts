import { describe, expect, it } from 'vitest';
import { Prng } from '../../lib/index.js';
import { Producer, RaftlogClient } from '../../src/client/index.js';
import { sleep, startCluster, type TestCluster } from './harness/index.js';

const topic = 'nemesis';
const partitions = 3;
const long = process.env.RAFTLOG_LONG_TESTS === '1';
const durationMs = long ? 120_000 : 20_000;
const seed = Number(process.env.RAFTLOG_NEMESIS_SEED ?? Date.now() % 1_000_000);

interface Acked {
  readonly value: string;
  readonly offset: number;
}

/**
 * Crashes (SIGKILL), pauses (SIGSTOP) and leadership moves at random while an idempotent producer
 * writes; afterwards every acknowledged record must be stored once, at its acknowledged offset, in
 * send order, and nothing may be stored twice. The seed is printed so a failure can be replayed.
 */
describe('random faults under load, 3 nodes', () => {
  it(
    `loses and duplicates nothing acknowledged (seed ${seed})`,
    async () => {
      const cluster = await startCluster({ nodes: 3 });
      await cluster.createTopic(topic, partitions, 3);
      for (let p = 0; p < partitions; p++) await cluster.waitForLeader(topic, p);
      const client = new RaftlogClient({ bootstrap: cluster.nodes.map((n) => n.address) });
      const producer = new Producer(client, { lingerMs: 2, batchRecordsMax: 50, deliveryTimeoutMs: 60_000 });
      const acked: Acked[][] = Array.from({ length: partitions }, () => []);
      const failed: string[] = [];
      let running = true;
      const writing = (async () => {
        const pending: Promise<void>[] = [];
        for (let i = 0; running; i++) {
          const partition = i % partitions;
          const value = `v${i}`;
          pending.push(
            producer.send({ topic, partition, value }).then(
              (ack) => void acked[partition]!.push({ value, offset: ack.offset }),
              () => void failed.push(value),
            ),
          );
          if (pending.length >= 200) await Promise.all(pending.splice(0));
        }
        await Promise.all(pending);
      })();
      const faults = await runFaults(cluster, new Prng(seed), durationMs);
      running = false;
      await writing;
      await producer.close();
      client.close();
      for (const node of cluster.nodes) if (!node.running) await node.start();

      const total = acked.reduce((n, a) => n + a.length, 0);
      console.log(JSON.stringify({ test: 'nemesis', seed, faults, acked: total, failed: failed.length }));
      expect(total).toBeGreaterThan(0);
      for (let p = 0; p < partitions; p++) await verify(cluster, p, acked[p]!);
    },
    durationMs + 120_000,
  );
});

async function runFaults(cluster: TestCluster, prng: Prng, durationMs: number): Promise<string[]> {
  const done: string[] = [];
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    await sleep(500 + prng.intBetween(0, 1499));
    const node = prng.pick(cluster.nodes);
    const action = prng.intBetween(0, 2);
    if (action === 0) {
      await node.kill('SIGKILL');
      await sleep(200 + prng.intBetween(0, 1499));
      await node.start();
      done.push(`kill ${node.id}`);
    } else if (action === 1 && node.pid !== undefined) {
      process.kill(node.pid, 'SIGSTOP');
      await sleep(500 + prng.intBetween(0, 1999));
      process.kill(node.pid, 'SIGCONT');
      done.push(`pause ${node.id}`);
    } else {
      const p = prng.intBetween(0, partitions - 1);
      await cluster.transferLeadership(topic, p, node.id).catch(() => undefined);
      done.push(`move ${p} to ${node.id}`);
    }
  }
  return done;
}

async function verify(cluster: TestCluster, partition: number, acked: readonly Acked[]): Promise<void> {
  const read = await cluster.readPartition(topic, partition, { timeoutMs: 60_000 });
  const values = read.map((r) => r.value);
  expect(new Set(values).size, `partition ${partition} stores a record twice`).toBe(values.length);
  const at = new Map(read.map((r) => [r.value, Number(r.offset)]));
  let previous = -1;
  for (const a of acked) {
    expect(at.get(a.value), `acknowledged ${a.value} in partition ${partition}`).toBe(a.offset);
    expect(a.offset, `acknowledged ${a.value} out of send order`).toBeGreaterThan(previous);
    previous = a.offset;
  }
}
