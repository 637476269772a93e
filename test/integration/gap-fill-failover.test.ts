import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PartitionWriter, sleep, startCluster, verifyPartition, type TestNode } from './harness/index.js';

const topic = 'gap-fill';
const records = 30_000;

async function waitForLine(node: TestNode, line: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!readFileSync(node.logFile, 'utf8').includes(line)) {
    if (Date.now() > deadline)
      throw new Error(`node ${node.id} did not log "${line}" within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe('gap fill after a snapshot install, 3 nodes', () => {
  it('a filling replica votes, and finishes its fill from another replica when the leader dies', async () => {
    // Snapshots every few dozen entries, so the returning follower gets a snapshot; small fill
    // requests, so the fill is still running when the leader is killed.
    const cluster = await startCluster({
      nodes: 3,
      env: {
        RAFTLOG_SNAPSHOT_ENTRIES_MIN: '40',
        RAFTLOG_COMPACTION_TRAIL_ENTRIES: '5',
        RAFTLOG_GAP_FILL_BYTES_MAX: '1024',
      },
    });
    await cluster.createTopic(topic, 1, 3);
    const leader = await cluster.waitForLeader(topic, 0);
    const filling = cluster.nodes.find((n) => n.id !== leader.leaderId)!;

    await filling.stop();
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 20 });
    await writer.write(records);
    await filling.start();
    await waitForLine(filling, 'filling record data skipped by a snapshot', 30_000);
    await cluster.node(leader.leaderId).kill();
    const killedAt = Date.now();
    expect(
      readFileSync(filling.logFile, 'utf8'),
      'the fill ended before the leader was killed',
    ).not.toContain('record data filled');

    // The two survivors elect a leader only if the filling replica votes.
    const next = await cluster.waitForLeader(topic, 0, { notNode: leader.leaderId, timeoutMs: 20_000 });
    const electedMs = Date.now() - killedAt;
    await writer.write(1_000);
    await waitForLine(filling, 'record data filled', 60_000);
    console.log(JSON.stringify({ test: 'gap-fill-failover', electedMs, newLeader: next.leaderId }));

    await cluster.transferLeadership(topic, 0, filling.id);
    const read = await cluster.readPartition(topic, 0, { fromNode: filling.id, timeoutMs: 60_000 });
    expect(verifyPartition(writer.ledger, read).acked).toBe(records + 1_000);
  }, 180_000);
});
