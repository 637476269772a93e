import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFailed, onTestFinished } from 'vitest';
import { encodeRecordBatch } from '../../lib/index.js';
import { Acks } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { describeExit, peersArg, spawnNode } from '../../src/local/index.js';
import {
  freePortRange,
  PartitionWriter,
  sleep,
  TestCluster,
  TestNode,
  tsxLauncher,
  verifyPartition,
} from './harness/index.js';

const topic = 'skew';
const minute = 60_000;
/** Node 1 runs a minute ahead, node 2 a minute behind, node 3 on time. */
const offsets = [minute, -minute, 0] as const;
const utf8 = new TextEncoder();

/** A 3-node cluster whose nodes each get their own RAFTLOG_CLOCK_OFFSET_MS; stopped when the test ends. */
async function startSkewedCluster(): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'raftlog-it-'));
  const base = await freePortRange(2 * offsets.length);
  const layout = offsets.map((_, i) => ({
    id: i + 1,
    address: `127.0.0.1:${base + i}`,
    peerAddress: `127.0.0.1:${base + offsets.length + i}`,
  }));
  const peers = peersArg(layout);
  const nodes = layout.map(
    (n, i) =>
      new TestNode(
        {
          ...n,
          peers,
          dataDir: join(dir, `node-${n.id}`),
          logFile: join(dir, `node-${n.id}.log`),
          env: { RAFTLOG_CLOCK_OFFSET_MS: String(offsets[i]) },
          launcher: tsxLauncher,
        },
        30_000,
      ),
  );
  const cluster = new TestCluster(dir, nodes);
  onTestFailed(() => console.error(`cluster files kept in ${dir}\n${cluster.logTails()}`));
  onTestFinished(async ({ task }) => {
    await cluster.stopAll();
    if (task.result?.state === 'pass') await rm(dir, { recursive: true, force: true });
  });
  await cluster.startAll();
  return cluster;
}

/** The `time` of every JSON line the node logged (pino stamps them with the process's Date.now). */
function logTimes(node: TestNode): number[] {
  return readFileSync(node.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { time: number }).time);
}

/**
 * Produces one record to `partition` on the node that leads it and returns the append time the
 * leader stamped, with the window of this process's clock in which it must have been taken.
 */
async function stampedAppend(cluster: TestCluster, partition: number, leaderAddress: string) {
  const batch = encodeRecordBatch({
    records: [{ value: utf8.encode(`stamp-${partition}`) }],
    timestamp: Date.now(),
  });
  const before = Date.now();
  const response = await cluster
    .broker(leaderAddress)
    .produce({ topic, partition, batch, acks: Acks.QUORUM }, { timeoutMs: 10_000 });
  const after = Date.now();
  return { appendTimeMs: Number(response.logAppendTimeMs), baseOffset: response.baseOffset, before, after };
}

describe('wall clocks a minute apart (RAFTLOG_CLOCK_OFFSET_MS)', () => {
  it('elect leaders, acknowledge and read back writes; each leader stamps appends with its own clock', async () => {
    const startedAt = Date.now();
    const cluster = await startSkewedCluster();
    await cluster.createTopic(topic, offsets.length, 3);
    const stamps: bigint[] = [];
    for (const [p, offset] of offsets.entries()) {
      const leader = await cluster.transferLeadership(topic, p, p + 1);
      const stamp = await stampedAppend(cluster, p, leader.address);
      expect(stamp.appendTimeMs, `append time on node ${p + 1}`).toBeGreaterThanOrEqual(
        stamp.before + offset,
      );
      expect(stamp.appendTimeMs, `append time on node ${p + 1}`).toBeLessThanOrEqual(stamp.after + offset);
      stamps.push(stamp.baseOffset);
    }

    // Failover from the node a minute ahead to one on time or behind, under writes.
    const writers = offsets.map((_, p) => new PartitionWriter(cluster, topic, p, { batchRecords: 20 }));
    await Promise.all(writers.map((w) => w.write(200)));
    await cluster.node(1).kill();
    await writers[0]!.write(200);
    await cluster.node(1).start();
    await cluster.waitInSync(topic, 1);

    for (const [p, writer] of writers.entries()) {
      const read = await cluster.readPartition(topic, p, { timeoutMs: 30_000 });
      expect(read[0], `the stamped record of partition ${p}`).toEqual({
        offset: stamps[p],
        value: `stamp-${p}`,
      });
      verifyPartition(writer.ledger, read.slice(1));
    }
    const readAt = Date.now();
    for (const [i, offset] of offsets.entries()) {
      const times = logTimes(cluster.nodes[i]!);
      expect(times.length).toBeGreaterThan(0);
      expect(Math.min(...times), `node ${i + 1} log times`).toBeGreaterThanOrEqual(startedAt + offset);
      expect(Math.max(...times), `node ${i + 1} log times`).toBeLessThanOrEqual(readAt + offset);
    }
    expect(readFileSync(cluster.node(1).logFile, 'utf8')).toMatch(
      /"clockOffsetMs":60000,"msg":"wall clock offset injected"/,
    );
  }, 90_000);

  it('a node given a bad offset refuses to start and says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raftlog-it-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const port = await freePortRange(2);
    const node = { id: 1, address: `127.0.0.1:${port}`, peerAddress: `127.0.0.1:${port + 1}` };
    const spawned = spawnNode({
      ...node,
      peers: peersArg([node]),
      dataDir: join(dir, 'node-1'),
      logFile: join(dir, 'node-1.log'),
      env: { RAFTLOG_CLOCK_OFFSET_MS: '90000000' },
      launcher: tsxLauncher,
    });
    onTestFinished(() => void (spawned.exit === undefined && spawned.child.kill('SIGKILL')));
    const exit = await Promise.race([
      spawned.exited,
      sleep(30_000).then(() => {
        throw new Error('the node did not exit: it should have refused to start');
      }),
    ]);
    expect(describeExit(exit)).toBe('code 1');
    expect(readFileSync(join(dir, 'node-1.log'), 'utf8')).toMatch(
      /raftlog: INVALID_ARGUMENT: RAFTLOG_CLOCK_OFFSET_MS must be an integer number of milliseconds between -86400000 and 86400000, got "90000000"/,
    );
  }, 40_000);
});
