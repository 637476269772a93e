import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Producer, RaftlogClient } from '../../src/client/index.js';
import { repoRoot, startCluster } from './harness/index.js';

const run = promisify(execFile);
const topic = 'lines';
const total = 300;

describe('raftlog consume --group, 3 nodes', () => {
  it('a second run resumes right after what the first run printed', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 3, 3);
    for (let p = 0; p < 3; p++) await cluster.waitForLeader(topic, p);
    const bootstrap = cluster.nodes.map((n) => n.address).join(',');
    const client = new RaftlogClient({ bootstrap });
    const producer = new Producer(client);
    await Promise.all(
      Array.from({ length: total }, (_, i) => producer.send({ topic, partition: i % 3, value: `v${i}` })),
    );
    await producer.close();
    client.close();

    const cli = async (...args: string[]) => {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), '--bootstrap', bootstrap, '--json', ...args],
        { cwd: repoRoot, timeout: 60_000 },
      );
      return stdout;
    };
    const consume = async (...args: string[]) => {
      const stdout = await cli('consume', topic, '--group', 'readers', ...args);
      return stdout
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { partition: number; offset: number; value: string });
    };
    const first = await consume('--max', '70');
    expect(first).toHaveLength(70);
    const second = await consume('--timeout-ms', '3000');
    const key = (r: { partition: number; offset: number }) => `${r.partition}@${r.offset}`;
    const firstKeys = new Set(first.map(key));
    expect(second.filter((r) => firstKeys.has(key(r)))).toEqual([]);
    expect(new Set([...first, ...second].map((r) => r.value)).size).toBe(total);
    expect(first.length + second.length).toBe(total);
    // Each partition of the second run starts right after the last offset the first printed there.
    for (let p = 0; p < 3; p++) {
      const last = Math.max(-1, ...first.filter((r) => r.partition === p).map((r) => r.offset));
      const next = Math.min(...second.filter((r) => r.partition === p).map((r) => r.offset));
      expect(next).toBe(last + 1);
    }
    // Nothing is left: a third run prints nothing.
    expect(await consume('--timeout-ms', '2000')).toEqual([]);

    // The group is empty and has no lag; reset to earliest (dry run first), and everything is read again.
    const listed = JSON.parse(await cli('group', 'list')) as { group: string }[];
    expect(listed.map((g) => g.group)).toContain('readers');
    const described = JSON.parse(await cli('group', 'describe', 'readers')) as Record<string, unknown>;
    expect(Object.keys(described)).toEqual(['group', 'state', 'members', 'partitions']);
    expect(described).toMatchObject({ group: 'readers', members: [] });
    expect(described['partitions']).toEqual(
      [0, 1, 2].map((partition) => ({ topic, partition, committed: 100, end: 100, lag: 0 })),
    );
    const dry = JSON.parse(
      await cli('group', 'reset-offsets', 'readers', '--topic', topic, '--to', 'earliest', '--dry-run'),
    ) as { offsets: { previous: number; offset: number }[] };
    expect(dry.offsets.map((o) => [o.previous, o.offset])).toEqual([
      [100, 0],
      [100, 0],
      [100, 0],
    ]);
    expect(await consume('--timeout-ms', '2000')).toEqual([]);
    await cli('group', 'reset-offsets', 'readers', '--topic', topic, '--to', 'earliest');
    expect(await consume('--timeout-ms', '3000')).toHaveLength(total);
  }, 180_000);
});
