import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import type { LeasedMessage, LeaseRef } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { cliJson, sleep, startCluster } from './harness/index.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();
const topic = 'jobs';

const ref = (m: LeasedMessage): LeaseRef =>
  ({ topic, partition: m.message!.partition, offset: m.message!.offset, leaseId: m.leaseId }) as LeaseRef;
const valueOf = (m: LeasedMessage): string => text.decode(m.message!.record!.value);

describe('deleting queue groups on a real node', () => {
  it('makes room for new groups, forgets the deleted one and ends the long polls waiting on it', async () => {
    const cluster = await startCluster({ nodes: 1 });
    await cluster.createTopic(topic, 1, 1);
    const broker = cluster.broker(cluster.node(1).address);
    await broker.produceRecords({
      topic,
      partition: 0,
      records: ['a', 'b', 'c'].map((v) => ({ value: utf8.encode(v) })),
    });
    const lease = (queue: string, maxMessages = 1, waitMs = 0) =>
      broker.lease({ queue, topic, maxMessages, visibilityTimeoutMs: 60_000, waitMs });
    const failure = (call: Promise<unknown>) =>
      call.then(
        () => undefined,
        (e: unknown) => RaftlogError.from(e),
      );
    const remove = (queue: string) => broker.deleteQueueGroup({ queue, topic });

    // 64 groups: g0 holds two leases, g2 every message (so a long poll on it waits).
    const leased = new Map<string, LeasedMessage[]>();
    for (let i = 0; i < 64; i++) {
      const queue = `g${i}`;
      leased.set(queue, (await lease(queue, i === 0 ? 2 : i === 2 ? 3 : 1)).messages);
    }
    const [first, second] = leased.get('g0')!;
    await broker.ack({ queue: 'g0', leases: [ref(first!)] });

    const listed = async () => (await broker.listQueueGroups({ topic })).partitions[0]?.queues;
    const names = [...leased.keys()].sort();
    expect(await listed()).toEqual(names);

    const refused = await failure(lease('extra'));
    expect(refused?.code).toBe('RESOURCE_EXHAUSTED');
    expect(refused?.message).toContain('DeleteQueueGroup');

    const polling = lease('g2', 1, 20_000);
    await sleep(500);
    const startedAt = Date.now();
    const deleted = await remove('g2');
    expect(deleted.partitions).toHaveLength(1);
    expect(deleted.partitions[0]).toMatchObject({ partition: 0 });
    expect(deleted.partitions[0]?.error).toBeUndefined();
    expect((await polling).messages).toEqual([]);
    expect(Date.now() - startedAt).toBeLessThan(5_000);

    expect((await remove('g0')).partitions[0]?.error).toBeUndefined();
    // Deleted: its leases are unknown, its state is gone, and deleting it again names the reason.
    const stale = await broker.ack({ queue: 'g0', leases: [ref(second!)] });
    expect(stale.results[0]?.error?.code).toBe(ErrorCode.UNKNOWN_LEASE);
    const again = await remove('g0');
    expect(again.partitions[0]?.error).toMatchObject({
      code: ErrorCode.QUEUE_GROUP_NOT_FOUND,
      retriable: false,
    });
    expect(await listed()).toEqual(names.filter((n) => n !== 'g0' && n !== 'g2'));
    const stats = await broker.queueStats({ queue: 'g0', topic });
    expect(stats.partitions[0]).toMatchObject({ depth: 3n, inFlight: 0n, ackFloor: 0n });

    // The freed slots take new groups; a group made again under the old name starts at the log start.
    expect((await lease('extra')).messages.map(valueOf)).toEqual(['a']);
    const viaCli = await cliJson(
      cluster.nodes.map((n) => n.address).join(','),
      'queue',
      'delete-group',
      topic,
      '--queue',
      'g1',
    );
    expect(viaCli).toEqual({ topic, queue: 'g1', deleted: 1, partitions: [{ partition: 0, ok: true }] });
    const remade = (await lease('g0', 3)).messages;
    expect(remade.map(valueOf)).toEqual(['a', 'b', 'c']);
    expect(remade.map((m) => m.deliveryCount)).toEqual([1, 1, 1]);
    // The deleted group's lease ids are below every new one: they settle nothing.
    const old = await broker.ack({ queue: 'g0', leases: [ref(second!)] });
    expect(old.results[0]?.error?.code).toBe(ErrorCode.LEASE_EXPIRED);
  });

  it('lists every partition’s groups at its leader; the CLI gathers them from every leader', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 3, 3);
    const leaders = await Promise.all([0, 1, 2].map((p) => cluster.waitForLeader(topic, p)));
    // One group per partition, and 'all' on every partition.
    for (const [partition, leader] of leaders.entries()) {
      const broker = cluster.broker(leader.address);
      await broker.produceRecords({ topic, partition, records: [{ value: utf8.encode('x') }] });
      for (const queue of [`only-${partition}`, 'all'])
        await broker.lease({
          queue,
          topic,
          partitions: [partition],
          maxMessages: 1,
          visibilityTimeoutMs: 60_000,
        });
    }
    const leader0 = leaders[0]!;
    const answer = await cluster.broker(leader0.address).listQueueGroups({ topic });
    for (const [partition, p] of answer.partitions.entries()) {
      expect(p.partition).toBe(partition);
      if (leaders[partition]!.leaderId === leader0.leaderId) {
        expect(p.error).toBeUndefined();
        expect(p.queues).toEqual(['all', `only-${partition}`]);
      } else {
        expect(p.error).toMatchObject({ code: ErrorCode.NOT_LEADER, retriable: true });
        expect(p.queues).toEqual([]);
      }
    }
    const refused = await cluster
      .broker(leader0.address)
      .listQueueGroups({ topic, partitions: [0, 7] })
      .then((r) => r.partitions[1]?.error?.code);
    expect(refused).toBe(ErrorCode.PARTITION_NOT_FOUND);

    const bootstrap = cluster.nodes.map((n) => n.address).join(',');
    expect(await cliJson(bootstrap, 'queue', 'list-groups', topic)).toEqual({
      topic,
      groups: [
        { queue: 'all', partitions: [0, 1, 2] },
        { queue: 'only-0', partitions: [0] },
        { queue: 'only-1', partitions: [1] },
        { queue: 'only-2', partitions: [2] },
      ],
      failed: [],
    });
    await cliJson(bootstrap, 'queue', 'delete-group', topic, '--queue', 'all');
    const after = (await cliJson(bootstrap, 'queue', 'list-groups', topic)) as {
      groups: { queue: string }[];
    };
    expect(after.groups.map((g) => g.queue)).toEqual(['only-0', 'only-1', 'only-2']);
  });
});
