import { toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { createClient } from '../../rpc/index.js';
import {
  BrokerService,
  LeaseResponseSchema,
  type LeasedMessage,
  type LeaseRef,
} from '../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { sleep, startCluster, type TestCluster } from './harness/index.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();
const topic = 'jobs';
const dlq = 'jobs-dlq';

async function onLeader<T>(
  cluster: TestCluster,
  partition: number,
  call: (address: string) => Promise<T>,
  of = topic,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const leader = await cluster.waitForLeader(of, partition, { timeoutMs: 20_000 });
    try {
      return await call(leader.address);
    } catch (error) {
      const code = RaftlogError.from(error).code;
      if (attempt >= 10 || !['NOT_LEADER', 'LEADER_NOT_AVAILABLE', 'TIMEOUT', 'UNAVAILABLE'].includes(code))
        throw error;
    }
  }
}

const fetchDeadLetters = (cluster: TestCluster) =>
  onLeader(
    cluster,
    0,
    (a) => cluster.broker(a).fetchRecords({ topic: dlq, partition: 0, offset: 0n, maxWaitMs: 5_000 }),
    dlq,
  );

const ref = (m: LeasedMessage): LeaseRef =>
  ({ topic, partition: m.message!.partition, offset: m.message!.offset, leaseId: m.leaseId }) as LeaseRef;
const valueOf = (m: LeasedMessage): string => text.decode(m.message!.record!.value);

describe('queue consumption on real nodes', () => {
  it('leases, acks, nacks, dead-letters after max deliveries, and keeps acks across a leader kill', async () => {
    const cluster = await startCluster({ nodes: 3 });
    const admin = cluster.admin(cluster.node(1).address);
    // The dead-letter topic does not exist yet: the first dead letter makes it.
    await cluster.createTopic('warm-up', 1, 3);
    await admin.createTopic({
      name: topic,
      partitions: 1,
      replicationFactor: 3,
      config: { queueMaxDeliveries: 2, queueDeadLetterTopic: dlq, queueVisibilityTimeoutMs: 60_000 },
    });
    await cluster.waitForLeader(topic, 0);
    const values = Array.from({ length: 10 }, (_, i) => `job-${i}`);
    await onLeader(cluster, 0, (a) =>
      cluster
        .broker(a)
        .produceRecords({ topic, partition: 0, records: values.map((v) => ({ value: utf8.encode(v) })) }),
    );
    const lease = (max: number, visibilityTimeoutMs = 0, waitMs = 0) =>
      onLeader(cluster, 0, (a) =>
        cluster.broker(a).lease({ queue: 'workers', topic, maxMessages: max, visibilityTimeoutMs, waitMs }),
      );

    const first = await lease(4);
    expect(first.messages.map(valueOf)).toEqual(values.slice(0, 4));
    expect(first.messages.every((m) => m.deliveryCount === 1)).toBe(true);
    // Two competing consumers never get the same message.
    const second = await lease(4);
    expect(second.messages.map(valueOf)).toEqual(values.slice(4, 8));

    const acked = await onLeader(cluster, 0, (a) =>
      cluster.broker(a).ack({ queue: 'workers', leases: first.messages.slice(0, 3).map(ref) }),
    );
    expect(acked.results.map((r) => r.error?.code ?? 0)).toEqual([0, 0, 0]);
    // job-3 is nacked: it comes back at once with its delivery count.
    const poison = first.messages[3]!;
    await onLeader(cluster, 0, (a) =>
      cluster.broker(a).nack({ queue: 'workers', leases: [ref(poison)], error: 'cannot parse' }),
    );
    const again = await lease(10);
    expect(again.messages.map((m) => [valueOf(m), m.deliveryCount])).toEqual([
      ['job-3', 2],
      ['job-8', 1],
      ['job-9', 1],
    ]);
    // A stale token is refused: job-3 was leased again.
    const stale = await onLeader(cluster, 0, (a) =>
      cluster.broker(a).ack({ queue: 'workers', leases: [ref(poison)] }),
    );
    expect(stale.results[0]?.error?.code).toBe(ErrorCode.LEASE_EXPIRED);

    // Kill the leader: acks stay acked, leases stay leased.
    const leader = await cluster.waitForLeader(topic, 0);
    await cluster.node(leader.leaderId).kill();
    const after = await lease(10);
    expect(after.messages).toEqual([]);

    // job-3 nacked a second time: past max deliveries it moves to the dead-letter topic.
    const poisonAgain = again.messages[0]!;
    await onLeader(cluster, 0, (a) =>
      cluster.broker(a).nack({ queue: 'workers', leases: [ref(poisonAgain)], error: 'still cannot parse' }),
    );
    expect((await lease(10)).messages).toEqual([]);
    // The move to the dead-letter topic is a write of its own, which may wait out an election there
    // (the killed node may have led it): wait for it rather than for one fetch's 5 s.
    let dead = await fetchDeadLetters(cluster);
    for (let tries = 1; dead.records.length === 0 && tries < 6; tries++)
      dead = await fetchDeadLetters(cluster);
    expect(dead.records.map((r) => text.decode(r.record!.value))).toEqual(['job-3']);
    const headers = Object.fromEntries(
      dead.records[0]!.record!.headers.map((h) => [h.key, text.decode(h.value)]),
    );
    expect(headers).toMatchObject({
      'raftlog-dlq-origin-topic': topic,
      'raftlog-dlq-origin-partition': '0',
      'raftlog-dlq-origin-offset': '3',
      'raftlog-dlq-delivery-count': '2',
      'raftlog-dlq-reason': 'max-deliveries',
      'raftlog-dlq-last-error': 'still cannot parse',
    });
    const stats = await onLeader(cluster, 0, (a) =>
      cluster.broker(a).queueStats({ queue: 'workers', topic }),
    );
    expect(stats.partitions[0]).toMatchObject({
      depth: 6n,
      inFlight: 6n,
      deadLettered: 1n,
      ackFloor: 4n,
      highWatermark: 10n,
    });
  });

  it('keeps per-key order, delays a message until its deliver-at time, and expires messages past their TTL', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(dlq, 1, 3);
    const admin = cluster.admin(cluster.node(1).address);
    await admin.createTopic({
      name: topic,
      partitions: 1,
      replicationFactor: 3,
      config: {
        queueOrderedByKey: true,
        queueMessageTtlMs: 60_000n,
        queueDeadLetterTopic: dlq,
        queueDeadLetterExpired: true,
      },
    });
    await cluster.waitForLeader(topic, 0);
    const now = Date.now();
    const rec = (key: string, value: string, extra: { deliverAt?: number; timestampMs?: number } = {}) => ({
      key: utf8.encode(key),
      value: utf8.encode(value),
      ...(extra.timestampMs === undefined ? {} : { timestampMs: BigInt(extra.timestampMs) }),
      headers:
        extra.deliverAt === undefined
          ? []
          : [{ key: 'raftlog-deliver-at-ms', value: utf8.encode(String(extra.deliverAt)) }],
    });
    await onLeader(cluster, 0, (a) =>
      cluster.broker(a).produceRecords({
        topic,
        partition: 0,
        records: [
          rec('a', 'a1'),
          rec('a', 'a2'),
          rec('b', 'b1'),
          rec('c', 'c-late', { deliverAt: now + 1_500 }),
          rec('d', 'd-old', { timestampMs: now - 120_000 }),
          rec('b', 'b2'),
        ],
      }),
    );
    const lease = (waitMs = 0) =>
      onLeader(cluster, 0, (a) =>
        cluster
          .broker(a)
          .lease({ queue: 'fifo', topic, maxMessages: 10, visibilityTimeoutMs: 30_000, waitMs }),
      );
    // One message per key in flight; c waits for its time; d expired and went to the dead-letter topic.
    const first = await lease();
    expect(first.messages.map(valueOf)).toEqual(['a1', 'b1']);
    expect((await lease()).messages).toEqual([]);
    await onLeader(cluster, 0, (a) =>
      cluster.broker(a).ack({ queue: 'fifo', leases: first.messages.map(ref) }),
    );
    expect((await lease()).messages.map(valueOf)).toEqual(['a2', 'b2']);
    const late = await lease(5_000);
    expect(late.messages.map(valueOf)).toEqual(['c-late']);
    expect(Date.now()).toBeGreaterThanOrEqual(now + 1_500);
    // The move to the dead-letter topic is a write of its own, which may wait out an election there
    // (the killed node may have led it): wait for it rather than for one fetch's 5 s.
    let dead = await fetchDeadLetters(cluster);
    for (let tries = 1; dead.records.length === 0 && tries < 6; tries++)
      dead = await fetchDeadLetters(cluster);
    expect(dead.records.map((r) => text.decode(r.record!.value))).toEqual(['d-old']);
    const reason = dead.records[0]!.record!.headers.find((h) => h.key === 'raftlog-dlq-reason');
    expect(text.decode(reason?.value)).toBe('expired');
  });

  it('keeps a long poll waiting after it moved a message to the dead-letter topic', async () => {
    const cluster = await startCluster({ nodes: 1 });
    await cluster.createTopic(dlq, 1, 1);
    const broker = cluster.broker(cluster.node(1).address);
    await cluster.admin(cluster.node(1).address).createTopic({
      name: topic,
      partitions: 1,
      replicationFactor: 1,
      config: { queueMaxDeliveries: 1, queueDeadLetterTopic: dlq },
    });
    await cluster.waitForLeader(topic, 0);
    const produce = (value: string) =>
      broker.produceRecords({ topic, partition: 0, records: [{ value: utf8.encode(value) }] });
    await produce('poison');
    const lease = (waitMs: number) => broker.lease({ queue: 'workers', topic, maxMessages: 10, waitMs });
    const [poison] = (await lease(0)).messages;
    await broker.nack({ queue: 'workers', leases: [ref(poison!)], error: 'cannot parse' });
    // The next lease dead-letters the poison message, then waits on: the fresh one comes with it.
    const polling = lease(10_000);
    await sleep(1_000);
    await produce('fresh');
    expect((await polling).messages.map(valueOf)).toEqual(['fresh']);
    const dead = await fetchDeadLetters(cluster);
    expect(dead.records.map((r) => text.decode(r.record!.value))).toEqual(['poison']);
  });

  it('ends a long poll when its topic is deleted, rather than when its wait runs out', async () => {
    const cluster = await startCluster({ nodes: 1 });
    await cluster.createTopic(topic, 1, 1);
    const broker = cluster.broker(cluster.node(1).address);
    const startedAt = Date.now();
    const polling = broker.lease({ queue: 'workers', topic, maxMessages: 1, waitMs: 20_000 }).then(
      () => 'answered',
      (e: unknown) => RaftlogError.from(e).code,
    );
    await sleep(1_000);
    await cluster.admin(cluster.node(1).address).deleteTopic({ name: topic });
    expect(await polling).toBe('TOPIC_NOT_FOUND');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it('bounds one lease over many partitions by bytes in all, and the rest comes with later leases', async () => {
    const cluster = await startCluster({ nodes: 1 });
    const name = 'big-jobs';
    await cluster.createTopic(name, 3, 1);
    const value = new Uint8Array(300 * 1024);
    // gRPC clients accept answers of 4 MiB unless configured otherwise: a lease must fit.
    const defaults = createClient(BrokerService, cluster.node(1).address, {
      receiveMessageBytesMax: 4 * 1024 * 1024,
    });
    const broker = cluster.broker(cluster.node(1).address);
    for (let partition = 0; partition < 3; partition++) {
      await cluster.waitForLeader(name, partition);
      // 12 records of 300 KiB per partition, 3 per call (under the topic's 1 MiB batch limit).
      for (let call = 0; call < 4; call++) {
        const records = [0, 1, 2].map((i) => ({ key: utf8.encode(`${partition}-${call * 3 + i}`), value }));
        await broker.produceRecords({ topic: name, partition, records });
      }
    }
    const seen = new Set<string>();
    for (let round = 0; round < 10 && seen.size < 36; round++) {
      const answer = await defaults.lease({ queue: 'q', topic: name, maxMessages: 1_000 });
      expect(toBinary(LeaseResponseSchema, answer).length).toBeLessThanOrEqual(4 * 1024 * 1024);
      const { messages } = answer;
      for (const m of messages) {
        const key = text.decode(m.message!.record!.key);
        expect(seen.has(key), key).toBe(false);
        seen.add(key);
      }
    }
    defaults.close();
    expect(seen.size).toBe(36);
  });
});
