import { describe, expect, it } from 'vitest';
import { Producer, RaftlogClient } from '../../src/client/index.js';
import { sleep, startCluster, until, WorkerProcess, type TestCluster } from './harness/index.js';

const topic = 'work';
const partitionCount = 6;
const total = 5_000;

interface WorkerEvent {
  readonly m: string;
  readonly t: number;
  readonly e: 'start' | 'assigned' | 'revoked' | 'lost' | 'rec' | 'closed';
  readonly p?: number | number[];
  readonly v?: string;
  readonly o?: number;
}

/** A group member in its own process (group-worker.ts); its events land in `events`. */
class Worker extends WorkerProcess<WorkerEvent> {
  constructor(
    readonly name: string,
    bootstrap: string,
    group: string,
    delayMs: number,
    events: WorkerEvent[],
  ) {
    super('group-worker.ts', [bootstrap, group, topic, name, String(delayMs)], events);
  }
}

/** A 3-node cluster whose topic holds `total` records spread evenly over its partitions. */
async function clusterWithRecords(): Promise<{ cluster: TestCluster; bootstrap: string }> {
  const cluster = await startCluster({ nodes: 3 });
  await cluster.createTopic(topic, partitionCount, 3);
  for (let p = 0; p < partitionCount; p++) await cluster.waitForLeader(topic, p);
  const bootstrap = cluster.nodes.map((n) => n.address).join(',');
  const client = new RaftlogClient({ bootstrap });
  const producer = new Producer(client, { lingerMs: 5 });
  await Promise.all(
    Array.from({ length: total }, (_, i) =>
      producer.send({ topic, partition: i % partitionCount, value: `r${i}` }),
    ),
  );
  await producer.close();
  client.close();
  return { cluster, bootstrap };
}

describe('a consumer group of real member processes, 3 nodes', () => {
  it('loses no record through joins, a clean leave and a SIGKILL, and a clean member never duplicates', async () => {
    const { bootstrap } = await clusterWithRecords();

    const events: WorkerEvent[] = [];
    const processed = () => events.filter((e) => e.e === 'rec');
    const distinct = () => new Set(processed().map((e) => e.v)).size;
    const by = (m: string) => processed().filter((e) => e.m === m).length;
    const workers: Worker[] = [];
    // 10 ms a record (about 100 a second each): the records must outlast the joins, and on a loaded
    // machine a member process may take several seconds to start (at 3 ms, m1 and m2 once emptied
    // the topic before m3 got to work).
    const start = (name: string) => {
      const w = new Worker(name, bootstrap, 'workers', 10, events);
      workers.push(w);
      return w;
    };
    try {
      const m1 = start('m1');
      await until('m1 at work', () => by('m1') >= 400);
      const m2 = start('m2');
      await until('m2 at work', () => by('m2') >= 200);
      const m3 = start('m3');
      await until('m3 at work', () => by('m3') >= 200);
      const leftAt = Date.now();
      await m2.stop('SIGTERM');
      const m3Before = by('m3');
      await until('m3 takes some of what m2 had', () => by('m3') >= m3Before + 300);
      await m3.stop('SIGKILL');
      await until('every record processed', () => distinct() === total, 120_000);
      await m1.stop('SIGTERM');

      // No record lost.
      expect(distinct()).toBe(total);
      // A record processed twice involves the member that was killed (it processed but never committed).
      const processors = new Map<string, string[]>();
      for (const e of processed()) processors.set(e.v!, [...(processors.get(e.v!) ?? []), e.m]);
      const duplicates = [...processors].filter(([, ms]) => ms.length > 1);
      const cleanDuplicates = duplicates.filter(([, ms]) => ms.filter((m) => m !== 'm3').length > 1);
      expect(cleanDuplicates).toEqual([]);
      // While others joined, m1 gave partitions away but never lost one it kept (revoked, then back).
      const m1Moves = events.filter(
        (e) => e.m === 'm1' && e.t < leftAt && (e.e === 'revoked' || e.e === 'assigned'),
      );
      const revokedOnce = new Set<number>();
      for (const e of m1Moves) {
        const ps = e.p as number[];
        if (e.e === 'revoked') ps.forEach((p) => revokedOnce.add(p));
        else expect(ps.filter((p) => revokedOnce.has(p))).toEqual([]);
      }
      expect(revokedOnce.size).toBe(partitionCount - 2);
      // A joining member has its fair share within the session timeout of asking for it.
      const rebalanceMs = ['m2', 'm3'].map((m) => {
        const mine = events.filter((e) => e.m === m);
        const started = mine.find((e) => e.e === 'start')!.t;
        let owned = 0;
        const full = mine.find((e) => e.e === 'assigned' && (owned += (e.p as number[]).length) >= 2);
        return full === undefined ? Number.POSITIVE_INFINITY : full.t - started;
      });
      expect(Math.max(...rebalanceMs)).toBeLessThan(3_000);
      // Meanwhile m1 went on processing the partitions it kept: no pause while m3 joined.
      const m3Start = events.find((e) => e.m === 'm3' && e.e === 'start')!.t;
      const m3Full = m3Start + rebalanceMs[1]!;
      const m1Times = processed()
        .filter((e) => e.m === 'm1' && e.t >= m3Start && e.t <= m3Full)
        .map((e) => e.t);
      const m1PauseMs = Math.max(
        ...[m3Start, ...m1Times, m3Full].map((t, i, all) => (i === 0 ? 0 : t - all[i - 1]!)),
      );
      expect(m1PauseMs).toBeLessThan(500);
      console.log(
        JSON.stringify({
          test: 'consumer-group',
          processed: processed().length,
          duplicates: duplicates.length,
          byMember: Object.fromEntries(['m1', 'm2', 'm3'].map((m) => [m, by(m)])),
          rebalanceMs,
          m1PauseMs,
        }),
      );
    } finally {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    }
  }, 240_000);
  it('two members ride out a SIGKILL of the coordinator (controller leader) without losing or repeating a record', async () => {
    const { cluster, bootstrap } = await clusterWithRecords();
    const events: WorkerEvent[] = [];
    const processed = () => events.filter((e) => e.e === 'rec');
    const workers = ['a', 'b'].map((name) => new Worker(name, bootstrap, 'riders', 3, events));
    try {
      await until('both at work', () => ['a', 'b'].every((m) => processed().some((e) => e.m === m)));
      await until('a third of the records', () => processed().length >= total / 3);
      const coordinator = (await cluster.clusterStatus()).controller?.leaderId ?? 0;
      expect(coordinator).not.toBe(0);
      await cluster.node(coordinator).kill('SIGKILL');
      await sleep(1_000);
      await cluster.node(coordinator).start();
      await until(
        'every record processed',
        () => new Set(processed().map((e) => e.v)).size === total,
        120_000,
      );
      await Promise.all(workers.map((w) => w.stop('SIGTERM')));
      const values = processed().map((e) => e.v);
      expect(values.length - new Set(values).size).toBe(0);
      const lost = events.filter((e) => e.e === 'lost');
      expect(lost).toEqual([]);
      console.log(
        JSON.stringify({ test: 'consumer-group-coordinator-kill', coordinator, processed: values.length }),
      );
    } finally {
      await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    }
  }, 240_000);
});
