import { describe, expect, it } from 'vitest';
import { Producer, RaftlogClient } from '../../src/client/index.js';
import { sleep, startCluster, until, WorkerProcess } from './harness/index.js';

const topic = 'jobs';
const partitionCount = 3;
const total = 900;

interface WorkerEvent {
  readonly m: string;
  readonly t: number;
  readonly e: 'start' | 'got' | 'acked' | 'ack-failed';
  readonly v?: string;
  readonly d?: number;
}

/** A queue consumer in its own process (queue-worker.ts); its events land in `events`. */
class Worker extends WorkerProcess<WorkerEvent> {
  constructor(name: string, bootstrap: string, mode: 'ack' | 'hold', events: WorkerEvent[]) {
    super('queue-worker.ts', [bootstrap, topic, 'workers', name, mode], events);
  }
}

describe('competing queue consumers in their own processes, 3 nodes', () => {
  it('a SIGKILLed consumer’s leases come back after the visibility timeout; acked messages never do, across a leader kill', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, partitionCount, 3);
    for (let p = 0; p < partitionCount; p++) await cluster.waitForLeader(topic, p);
    const bootstrap = cluster.nodes.map((n) => n.address).join(',');
    const client = new RaftlogClient({ bootstrap });
    const producer = new Producer(client, { lingerMs: 5 });
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        producer.send({ topic, partition: i % partitionCount, value: `j${i}` }),
      ),
    );
    await producer.close();
    client.close();

    const events: WorkerEvent[] = [];
    const of = (e: WorkerEvent['e'], m?: string) =>
      events.filter((x) => x.e === e && (m === undefined || x.m === m));
    const acked = () => new Set(of('acked').map((x) => x.v));
    const workers: Worker[] = [];
    try {
      const holder = new Worker('holder', bootstrap, 'hold', events);
      workers.push(holder);
      await until('the holder leased some', () => of('got', 'holder').length >= 10);
      workers.push(new Worker('w1', bootstrap, 'ack', events), new Worker('w2', bootstrap, 'ack', events));
      await until('the others at work', () => acked().size >= 200);
      const held = new Set(of('got', 'holder').map((x) => x.v));
      await holder.stop('SIGKILL');

      // Kill the leader of partition 0 while the others work; restart it.
      const leader = await cluster.waitForLeader(topic, 0);
      await cluster.node(leader.leaderId).kill();
      await until('more acked after the leader kill', () => acked().size >= 500, 60_000);
      await cluster.node(leader.leaderId).start();
      await until('every message acked', () => acked().size === total, 90_000);
      // Some more time for any wrong redelivery to show.
      await sleep(4_000);

      // Nothing lost: what the killed consumer held came back and was acked by another one.
      expect(acked().size).toBe(total);
      for (const v of held) expect(acked().has(v)).toBe(true);
      const redelivered = of('got').filter((x) => held.has(x.v) && x.m !== 'holder');
      expect(redelivered.length).toBeGreaterThanOrEqual(held.size);
      expect(redelivered.every((x) => (x.d ?? 0) >= 2)).toBe(true);
      // An acked message is never delivered again: no `got` after its successful ack.
      const ackedAt = new Map<string, number>();
      for (const x of of('acked')) if (!ackedAt.has(x.v!)) ackedAt.set(x.v!, x.t);
      const after = of('got').filter((x) => x.t > (ackedAt.get(x.v!) ?? Number.POSITIVE_INFINITY));
      expect(after).toEqual([]);
      // Two successful acks of one message mean it was delivered twice while leased: never.
      expect(of('acked').length).toBe(total);
    } finally {
      await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    }
  });
});
