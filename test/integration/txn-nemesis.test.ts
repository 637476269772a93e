import { describe, expect, it } from 'vitest';
import { Prng, RaftlogError } from '../../lib/index.js';
import { sleep, startCluster, type TestCluster } from './harness/index.js';
import { RawTxnProducer, readCommitted } from './harness/txn.js';

const topic = 'txn-nemesis';
const partitions = [0, 1, 2];
const durationMs = process.env.RAFTLOG_LONG_TESTS === '1' ? 120_000 : 20_000;
const seed = Number(process.env.RAFTLOG_NEMESIS_SEED ?? Date.now() % 1_000_000);

type Outcome = 'committed' | 'aborted' | 'unknown';

interface Txn {
  readonly id: number;
  outcome: Outcome;
}

/**
 * Transactions over three partitions, committed or aborted at random, while nodes are SIGKILLed and
 * restarted, paused, and leaderships (the controller's too) move. Afterwards read_committed must show
 * every committed transaction's records exactly once, no aborted one's, and a transaction whose
 * EndTxn outcome was never learned either on every partition or on none.
 */
describe('transactions under random faults, 3 nodes', () => {
  it(
    `are atomic and exactly once (seed ${seed})`,
    async () => {
      const cluster = await startCluster({ nodes: 3 });
      await cluster.createTopic(topic, partitions.length, 3);
      for (const p of partitions) await cluster.waitForLeader(topic, p);
      const prng = new Prng(seed);
      const txns: Txn[] = [];
      const failures: string[] = [];
      let running = true;
      const producing = (async () => {
        const producer = new RawTxnProducer(cluster, 'tx-nemesis');
        await producer.init();
        for (let id = 0; running; id++) {
          const txn: Txn = { id, outcome: 'aborted' };
          txns.push(txn);
          const commit = prng.intBetween(0, 4) > 0;
          let ending = false;
          try {
            await producer.addPartitions(topic, partitions);
            for (const p of partitions) await producer.produce(topic, p, values(id, p));
            ending = true;
            await producer.end(commit);
            txn.outcome = commit ? 'committed' : 'aborted';
          } catch (error) {
            if (!(error instanceof RaftlogError)) throw error;
            failures.push(error.code);
            // Whatever is open is aborted by the next init; a commit decided before the failure is finished first.
            txn.outcome = ending && commit ? 'unknown' : 'aborted';
            await producer.init();
          }
        }
      })();
      const faults = await runFaults(cluster, prng, durationMs);
      running = false;
      await producing;
      for (const node of cluster.nodes) if (!node.running) await node.start();

      const reads = await Promise.all(partitions.map((p) => readCommitted(cluster, topic, p, 60_000)));
      const seen = reads.map((r) => new Set(r.values));
      for (const [p, read] of reads.entries()) {
        expect(new Set(read.values).size, `partition ${p} shows a record twice`).toBe(read.values.length);
        expect(read.lastStableOffset).toBe(read.highWatermark);
      }
      const counts = { committed: 0, aborted: 0, unknown: 0 };
      for (const txn of txns) {
        counts[txn.outcome]++;
        const present = partitions.map((p) => values(txn.id, p).every((v) => seen[p]?.has(v)));
        const absent = partitions.map((p) => values(txn.id, p).every((v) => !seen[p]?.has(v)));
        const what = `transaction ${txn.id} (${txn.outcome})`;
        if (txn.outcome === 'committed') expect(present, what).toEqual([true, true, true]);
        else if (txn.outcome === 'aborted') expect(absent, what).toEqual([true, true, true]);
        else expect(present.every(Boolean) || absent.every(Boolean), `${what} is partly visible`).toBe(true);
      }
      // Committed transactions appear in the order they were made, on every partition.
      for (const [p, read] of reads.entries()) {
        const order = read.values.map((v) => Number(/^t(\d+)-/.exec(v)?.[1]));
        expect(order, `partition ${p} out of order`).toEqual([...order].sort((a, b) => a - b));
      }
      console.log(JSON.stringify({ test: 'txn-nemesis', seed, faults, ...counts, failures }));
      expect(counts.committed).toBeGreaterThan(0);
    },
    durationMs + 180_000,
  );
});

function values(txn: number, partition: number): string[] {
  return Array.from({ length: 5 }, (_, i) => `t${txn}-p${partition}-r${i}`);
}

async function runFaults(cluster: TestCluster, prng: Prng, durationMs: number): Promise<string[]> {
  const done: string[] = [];
  const end = Date.now() + durationMs;
  while (Date.now() < end) {
    await sleep(500 + prng.intBetween(0, 1499));
    const node = prng.pick(cluster.nodes);
    const action = prng.intBetween(0, 3);
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
    } else if (action === 2) {
      const p = prng.intBetween(0, partitions.length - 1);
      await cluster.transferLeadership(topic, p, node.id).catch(() => undefined);
      done.push(`move ${p} to ${node.id}`);
    } else {
      const admin = cluster.admin(cluster.liveNodes()[0]?.address ?? '');
      await admin
        .transferLeadership({ controller: true, targetNodeId: node.id }, { timeoutMs: 10_000 })
        .catch(() => undefined);
      done.push(`move controller to ${node.id}`);
    }
  }
  return done;
}
