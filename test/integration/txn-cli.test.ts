import { describe, expect, it } from 'vitest';
import { cliJson as cli, sleep, startCluster } from './harness/index.js';
import { RawTxnProducer } from './harness/txn.js';

const topic = 'watched';

describe('raftlog txn list|describe against 3 nodes', () => {
  it('shows an open transaction with its partitions and age, and its end', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 2, 3);
    const bootstrap = cluster.nodes.map((n) => n.address).join(',');
    const done = new RawTxnProducer(cluster, 'tx-done');
    await done.init();
    await done.addPartitions(topic, [1]);
    await done.produce(topic, 1, ['x']);
    await done.end(true);
    const open = new RawTxnProducer(cluster, 'tx-open');
    await open.init();
    const openedAt = Date.now();
    await open.addPartitions(topic, [0, 1]);
    await open.produce(topic, 0, ['y']);
    await sleep(300);

    const all = (await cli(bootstrap, 'txn', 'list')) as { transactionalId: string; state: string }[];
    expect(all.map((t) => [t.transactionalId, t.state])).toEqual([
      ['tx-done', 'complete-commit'],
      ['tx-open', 'ongoing'],
    ]);
    const hanging = await cli(bootstrap, 'txn', 'list', '--state', 'ongoing', '--min-age-ms', '250');
    const expected = {
      transactionalId: 'tx-open',
      producerId: open.producerId,
      epoch: open.epoch,
      state: 'ongoing',
      partitions: [
        { topic, partition: 0 },
        { topic, partition: 1 },
      ],
      groups: [],
      timeoutMs: 60_000,
    };
    expect(hanging).toEqual([expect.objectContaining(expected)]);
    const [listed] = hanging as { ageMs: number; startedAtMs: number }[];
    expect(listed?.ageMs).toBeGreaterThanOrEqual(250);
    expect(listed?.ageMs).toBeLessThan(Date.now() - openedAt + 1_000);
    expect(listed?.startedAtMs).toBeGreaterThanOrEqual(openedAt - 1_000);
    expect(await cli(bootstrap, 'txn', 'list', '--min-age-ms', '600000')).toEqual([]);

    const described = (await cli(bootstrap, 'txn', 'describe', 'tx-open')) as { ageMs: number };
    expect(described).toEqual(expect.objectContaining(expected));
    expect(described.ageMs).toBeGreaterThanOrEqual(250);

    await open.end(false);
    expect(await cli(bootstrap, 'txn', 'describe', 'tx-open')).toEqual(
      expect.objectContaining({ state: 'complete-abort', partitions: [], ageMs: 0, startedAtMs: 0 }),
    );
    await expect(cli(bootstrap, 'txn', 'describe', 'nobody')).rejects.toMatchObject({
      stderr: expect.stringContaining('unknown') as unknown,
    });
  }, 120_000);
});
