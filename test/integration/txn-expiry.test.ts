import { describe, expect, it } from 'vitest';
import { sleep, startCluster } from './harness/index.js';
import { RawTxnProducer } from './harness/txn.js';

describe('transactional id expiry (RAFTLOG_TRANSACTIONAL_ID_EXPIRATION_MS=3000), 3 nodes', () => {
  it('forgets an idle id but keeps one whose transaction is open', async () => {
    const cluster = await startCluster({
      nodes: 3,
      env: { RAFTLOG_TRANSACTIONAL_ID_EXPIRATION_MS: '3000' },
    });
    await cluster.createTopic('kept', 1, 3);
    const idle = new RawTxnProducer(cluster, 'tx-idle');
    await idle.init();
    const open = new RawTxnProducer(cluster, 'tx-open');
    await open.init();
    await open.addPartitions('kept', [0]);
    const admin = cluster.admin(cluster.nodes[0]?.address ?? '');
    const ids = async () => (await admin.listTransactions({})).transactions.map((t) => t.transactionalId);
    // (tx-idle may already be gone on a slow machine: expiry checks every 3 s.)
    expect(await ids()).toContain('tx-open');
    const deadline = Date.now() + 20_000;
    while ((await ids()).includes('tx-idle') && Date.now() < deadline) await sleep(200);
    expect(await ids()).toEqual(['tx-open']);
    // The open transaction still ends normally.
    await open.produce('kept', 0, ['v']);
    await open.end(true);
  }, 90_000);
});
