import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Producer, RaftlogClient } from '../../src/client/index.js';
import { repoRoot, startCluster } from './harness/index.js';

const run = promisify(execFile);
const topic = 'jobs';
const total = 20;

interface Received {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  deliveryCount: number;
  receipt: string;
}

interface Stats {
  partitions: { partition: number; depth: number; inFlight: number; delayed: number }[];
  total: { depth: number; inFlight: number; delayed: number; deadLettered: number };
}

describe('raftlog queue, 3 nodes', () => {
  it('receives, acks and nacks by receipt; stats follow', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 3, 3);
    for (let p = 0; p < 3; p++) await cluster.waitForLeader(topic, p);
    const bootstrap = cluster.nodes.map((n) => n.address).join(',');
    const client = new RaftlogClient({ bootstrap });
    const producer = new Producer(client);
    await Promise.all(
      Array.from({ length: total }, (_, i) => producer.send({ topic, partition: i % 3, value: `job${i}` })),
    );
    await producer.close();
    client.close();

    const cli = async (...args: string[]) => {
      const r = await run(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), '--bootstrap', bootstrap, '--json', ...args],
        { cwd: repoRoot, timeout: 60_000 },
      ).catch((e: { code: number; stdout: string; stderr: string }) => e);
      return { code: 'code' in r && typeof r.code === 'number' ? r.code : 0, stdout: r.stdout };
    };
    const lines = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as unknown);
    const stats = async () => JSON.parse((await cli('queue', 'stats', topic)).stdout) as Stats;

    expect((await stats()).total).toMatchObject({ depth: total, inFlight: 0 });

    const received = lines(
      (await cli('queue', 'receive', topic, '--max', '5', '--visibility-ms', '60000')).stdout,
    ) as Received[];
    expect(received).toHaveLength(5);
    for (const m of received) {
      expect(Object.keys(m)).toEqual(['partition', 'offset', 'key', 'value', 'deliveryCount', 'receipt']);
      expect(m).toMatchObject({ key: null, deliveryCount: 1 });
    }
    expect((await stats()).total).toMatchObject({ depth: total, inFlight: 5 });

    const [a, b, c] = received;
    const acked = await cli('queue', 'ack', topic, a!.receipt, b!.receipt, c!.receipt);
    expect(acked.code).toBe(0);
    expect(lines(acked.stdout)).toEqual([a, b, c].map((m) => ({ receipt: m!.receipt, ok: true })));
    // Acking again is fine; a made-up lease is not.
    const again = await cli('queue', 'ack', topic, a!.receipt, `${topic}:0:19:999999`);
    expect(again.code).toBe(1);
    expect(lines(again.stdout)).toMatchObject([{ ok: true }, { ok: false }]);
    expect((await stats()).total).toMatchObject({ depth: total - 3, inFlight: 2 });

    const nacked = await cli(
      'queue',
      'nack',
      topic,
      received[3]!.receipt,
      '--delay-ms',
      '60000',
      '--error',
      'x',
    );
    expect(nacked.code).toBe(0);
    expect((await stats()).total).toMatchObject({ depth: total - 3, inFlight: 1, delayed: 1 });

    // Everything else visible comes out now: neither the acked, the delayed nor the leased one.
    const rest = lines(
      (await cli('queue', 'receive', topic, '--max', '100', '--wait-ms', '0', '--ack')).stdout,
    ) as Received[];
    const gone = new Set(received.slice(0, 5).map((m) => m.value));
    expect(rest.filter((m) => gone.has(m.value))).toEqual([]);
    expect(rest.length).toBeLessThanOrEqual(total - 5);
    const after = await stats();
    expect(after.total.depth).toBe(total - 3 - rest.length);
    expect(after.total.inFlight).toBe(1);
  }, 180_000);
});
