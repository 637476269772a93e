import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium, runChromium } from '../../chaos/report/index.js';
import { freePortRange, PartitionWriter, repoRoot, startCluster } from './harness/index.js';

const chromium = findChromium();
const skipped = chromium === undefined ? ' — SKIPPED: no Chromium (apt-get install chromium)' : '';
if (chromium === undefined) console.warn(`web-console.test.ts${skipped}`);

const topic = 'console-demo';
const partitions = 3;
/** Kept after the run (test-results/ is ignored by git). */
const screenshot = join(repoRoot, 'test-results', 'console.png');
// The page polls every second; virtual time lets it render a few polls without waiting for them.
const browserArgs = ['--virtual-time-budget=4000', '--window-size=1200,900', '--hide-scrollbars'];

describe.skipIf(chromium === undefined)(`the web console in headless Chromium${skipped}`, () => {
  it('shows the topic, every partition and its leader and in-sync set, from a real 3-node cluster', async () => {
    const consoleBase = await freePortRange(3);
    const consoleUrl = (id: number): string => `http://127.0.0.1:${consoleBase + id - 1}/`;
    const cluster = await startCluster({
      nodes: 3,
      nodeEnv: (id) => ({ RAFTLOG_CONSOLE_LISTEN: `127.0.0.1:${consoleBase + id - 1}` }),
    });
    await cluster.createTopic(topic, partitions, 3);
    for (let p = 0; p < partitions; p++) {
      await new PartitionWriter(cluster, topic, p, { batchRecords: 10 }).write(30);
    }
    // The page must show every replica in sync: wait for each node, not only the first.
    for (const id of [1, 2, 3]) await cluster.waitInSync(topic, id);
    const leaders = await Promise.all(
      Array.from({ length: partitions }, async (_, p) => (await cluster.waitForLeader(topic, p)).leaderId),
    );

    const dom = await render(chromium as string, ['--dump-dom', consoleUrl(2)]);
    const rows = [...dom.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) =>
      [...(m[1] ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]),
    );
    for (let p = 0; p < partitions; p++) {
      const row = rows.find((r) => r[0] === topic && r[1] === String(p));
      expect(row, `a row for ${topic}/${p} in:\n${dom}`).toBeDefined();
      expect(row?.[2]).toBe(String(leaders[p]));
      expect(row?.[4]).toBe('1,2,3');
      expect(row?.[5]).toBe('1,2,3');
      expect(row?.[6]).toBe('30');
    }
    expect(dom).toMatch(/served by node 2 · controller leader [123]/);
    expect(rows.filter((r) => r[2] === 'yes')).toHaveLength(3);

    // The data the page turns into rates: what this node appended as leader.
    const leaderOf0 = leaders[0] ?? 1;
    const data = (await (await fetch(`${consoleUrl(leaderOf0)}api/console`)).json()) as {
      totals: { produceRecords: number };
    };
    expect(data.totals.produceRecords).toBe(30 * leaders.filter((l) => l === leaderOf0).length);

    await mkdir(join(repoRoot, 'test-results'), { recursive: true });
    await render(chromium as string, [`--screenshot=${screenshot}`, consoleUrl(1)]);
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
  }, 120_000);
});

async function render(binary: string, args: readonly string[]): Promise<string> {
  const run = await runChromium(binary, [...browserArgs, ...args], 60_000);
  if (run.code !== 0) throw new Error(`chromium exited ${String(run.code)}: ${run.stderr}`);
  return run.stdout;
}
