import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { PartitionWriter, sleep, startCluster } from './harness/index.js';

describe('topic deletion, 3 nodes', () => {
  it('deletes the topic everywhere, including on a node that was down at the time', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic('doomed', 2, 3);
    await cluster.createTopic('kept', 1, 3);
    for (const topic of ['doomed', 'kept']) await cluster.waitForLeader(topic, 0);
    await new PartitionWriter(cluster, 'doomed', 0, { batchRecords: 50 }).write(500);
    const kept = new PartitionWriter(cluster, 'kept', 0, { batchRecords: 50 });
    await kept.write(500);

    const absent = cluster.nodes[2]!;
    await absent.stop();
    // The stopped node may have led the controller a moment ago: retriable answers are retried, as
    // the client library does.
    for (let attempt = 0; ; attempt++) {
      try {
        await cluster.admin(cluster.nodes[0]!.address).deleteTopic({ name: 'doomed' });
        break;
      } catch (error) {
        if (!(error instanceof RaftlogError) || !error.retriable || attempt > 50) throw error;
        await sleep(200);
      }
    }
    // The call returned once node 0's controller replica applied the deletion; another node shows it
    // once its own replica applied it too (metadata on other nodes lags by a message, as in Kafka).
    const describeElsewhere = () =>
      cluster.admin(cluster.nodes[1]!.address).describeTopic({ name: 'doomed' });
    for (const until = Date.now() + 5_000; Date.now() < until; await sleep(50)) {
      if (
        await describeElsewhere().then(
          () => false,
          () => true,
        )
      )
        break;
    }
    await expect(describeElsewhere()).rejects.toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    await absent.start();

    const deadline = Date.now() + 30_000;
    const deletions = (): number =>
      (readFileSync(absent.logFile, 'utf8').match(/no longer assigned here/g) ?? []).length;
    while (deletions() < 2 && Date.now() < deadline) await sleep(200);
    expect(deletions()).toBe(2);
    // The kept topic is untouched on the node that cleaned up.
    await cluster.waitInSync('kept', absent.id);
    await cluster.transferLeadership('kept', 0, absent.id);
    const read = await cluster.readPartition('kept', 0, { fromNode: absent.id });
    expect(read).toHaveLength(500);
  }, 120_000);
});
