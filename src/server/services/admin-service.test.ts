import { afterEach, describe, expect, it } from 'vitest';
import { RaftlogError } from '../../../lib/index.js';
import { CleanupPolicy } from '../../../proto/gen/raftlog/v1/topic_pb.js';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { OffsetSpec } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { batchOf, startServices, stopServices } from './testing/start-services.js';

afterEach(stopServices);

const codeOf = (call: Promise<unknown>): Promise<string> =>
  call.then(
    () => 'ok',
    (e: unknown) => (e instanceof RaftlogError ? e.code : String(e)),
  );

describe('AdminService', () => {
  it('creates, describes, lists, reconfigures, grows and deletes a topic', async () => {
    const { admin } = await startServices();
    const created = await admin.createTopic({
      name: 'orders',
      partitions: 3,
      config: { retentionMs: 60_000n, cleanupPolicy: CleanupPolicy.COMPACT },
    });
    expect(created.topic).toMatchObject({ name: 'orders', partitions: 3, createdAtMs: 1_000n });
    expect(created.topic!.config).toMatchObject({
      retentionMs: 60_000n,
      retentionBytes: -1n,
      cleanupPolicy: CleanupPolicy.COMPACT,
      maxMessageBytes: 1024 * 1024,
    });
    expect(created.topic!.partitionStatus.map((p) => [p.partition, p.leaderId, p.groupId])).toEqual([
      [0, 1, 1n],
      [1, 1, 2n],
      [2, 1, 3n],
    ]);
    await admin.createTopic({ name: '__internal', partitions: 1 });
    expect((await admin.listTopics({})).topics.map((t) => t.name)).toEqual(['orders', 't']);
    expect((await admin.listTopics({ includeInternal: true })).topics.map((t) => t.name)).toEqual([
      '__internal',
      'orders',
      't',
    ]);
    const updated = await admin.updateTopicConfig({ name: 'orders', config: { retentionBytes: 4096n } });
    expect(updated.config).toMatchObject({ retentionMs: 60_000n, retentionBytes: 4096n });
    await admin.createPartitions({ name: 'orders', partitions: 5 });
    expect((await admin.describeTopic({ name: 'orders' })).topic!.partitions).toBe(5);
    await admin.deleteTopic({ name: 'orders' });
    expect(await codeOf(admin.describeTopic({ name: 'orders' }))).toBe('TOPIC_NOT_FOUND');
  });

  it('refuses bad requests before they reach the controller', async () => {
    const { admin } = await startServices();
    const cases: [Promise<unknown>, string][] = [
      [admin.createTopic({ name: 'a b', partitions: 1 }), 'INVALID_TOPIC_NAME'],
      [admin.createTopic({ name: '..', partitions: 1 }), 'INVALID_TOPIC_NAME'],
      [admin.createTopic({ name: 'x', partitions: 0 }), 'INVALID_ARGUMENT'],
      [admin.createTopic({ name: 'x', partitions: 1, replicationFactor: 99 }), 'INVALID_ARGUMENT'],
      [admin.createTopic({ name: 'x', partitions: 1, config: { retentionMs: 5n } }), 'INVALID_ARGUMENT'],
      [admin.createTopic({ name: 'x', partitions: 1, config: { maxMessageBytes: 10 } }), 'INVALID_ARGUMENT'],
      [
        admin.createTopic({ name: 'x', partitions: 1, config: { queueMaxDeliveries: 1001 } }),
        'INVALID_ARGUMENT',
      ],
      [
        admin.createTopic({ name: 'x', partitions: 1, config: { queueDeadLetterTopic: 'x' } }),
        'INVALID_ARGUMENT',
      ],
      [
        admin.updateTopicConfig({ name: 't', config: { queueDeadLetterTopic: 'no spaces' } }),
        'INVALID_ARGUMENT',
      ],
      [
        admin.createTopic({ name: 'x', partitions: 1, config: { queueMessageTtlMs: -1n } }),
        'INVALID_ARGUMENT',
      ],
      [
        admin.createTopic({ name: 'x', partitions: 1, config: { cleanupPolicy: 9 as CleanupPolicy } }),
        'INVALID_ARGUMENT',
      ],
      [admin.createTopic({ name: 't', partitions: 1 }), 'TOPIC_ALREADY_EXISTS'],
      [admin.updateTopicConfig({ name: 't' }), 'INVALID_ARGUMENT'],
      [admin.createPartitions({ name: 't', partitions: 0 }), 'INVALID_ARGUMENT'],
      [admin.addReplica({ topic: 't', partition: 0, nodeId: 0 }), 'INVALID_ARGUMENT'],
      [admin.transferLeadership({ controller: true, topic: 't' }), 'INVALID_ARGUMENT'],
      [admin.addNode({ nodeId: 2, address: 'no-port' }), 'INVALID_ARGUMENT'],
      [admin.removeNode({ nodeId: 0 }), 'INVALID_ARGUMENT'],
      [admin.removeNode({ nodeId: 1 }), 'CLUSTER_TOO_SMALL'],
      [admin.reassignPartition({ topic: 't', partition: 0, replicas: [] }), 'INVALID_ARGUMENT'],
      [admin.reassignPartition({ topic: 't', partition: 0, replicas: [1, 0] }), 'INVALID_ARGUMENT'],
    ];
    const seen = await Promise.all(cases.map(([call]) => codeOf(call)));
    expect(seen).toEqual(cases.map(([, code]) => code));
  });

  it('carries the queue settings through create, update and describe', async () => {
    const { admin } = await startServices();
    const queue = {
      queueVisibilityTimeoutMs: 5_000,
      queueMaxDeliveries: 4,
      queueDeadLetterTopic: 'jobs.dlq',
      queueMessageTtlMs: 3_600_000n,
      queueDeadLetterExpired: true,
    };
    await admin.createTopic({ name: 'jobs', partitions: 1, config: queue });
    const updated = await admin.updateTopicConfig({ name: 'jobs', config: { queueOrderedByKey: true } });
    expect(updated.config).toMatchObject({ ...queue, queueOrderedByKey: true });
    const described = (await admin.describeTopic({ name: 'jobs' })).topic!.config;
    expect(described).toMatchObject({ ...queue, queueOrderedByKey: true, retentionMs: 604_800_000n });
    const plain = (await admin.describeTopic({ name: 't' })).topic!.config;
    expect(plain).toMatchObject({
      queueVisibilityTimeoutMs: 30_000,
      queueMaxDeliveries: 0,
      queueDeadLetterTopic: '',
      queueMessageTtlMs: 0n,
      queueDeadLetterExpired: false,
      queueOrderedByKey: false,
    });
  });

  it('maps cluster status, leadership transfer, replica and node changes', async () => {
    const { admin, api, address } = await startServices();
    const status = await admin.clusterStatus({});
    expect(status).toMatchObject({
      clusterId: 'memory-cluster',
      controller: { leaderId: 1, term: 3n, commitIndex: 42n, voters: [1] },
      nodes: [{ nodeId: 1, address, alive: true, statusChangedAtMs: 7n }],
    });
    expect(status.partitions).toHaveLength(2);
    expect((await admin.clusterStatus({ omitPartitions: true })).partitions).toHaveLength(0);
    expect(await admin.transferLeadership({ topic: 't', partition: 1, targetNodeId: 3 })).toMatchObject({
      leaderId: 3,
      term: 2n,
    });
    await admin.transferLeadership({ controller: true });
    await admin.addReplica({ topic: 't', partition: 0, nodeId: 2 });
    await admin.removeReplica({ topic: 't', partition: 0, nodeId: 2 });
    await admin.addNode({ nodeId: 4, address: 'node-4.raftlog:9091' });
    expect(await admin.removeNode({ nodeId: 4 })).toMatchObject({ replicasLeft: 0 });
    await admin.reassignPartition({ topic: 't', partition: 1, replicas: [1] });
    expect(await admin.rebalancePartitions({ dryRun: true })).toMatchObject({ moves: [] });
    expect(api.replicaChanges).toEqual([
      'add t/0 2',
      'remove t/0 2',
      'register 4 node-4.raftlog:9091',
      'decommission 4',
      'move t/1 1',
      'rebalance dryRun=true movesMax=0',
    ]);
  });
});

describe('Metadata and ListOffsets', () => {
  it('describes brokers and topics, with per-topic errors for missing and invalid names', async () => {
    const { broker, api, address } = await startServices();
    api.leaderElsewhere.set('t/1', '127.0.0.2:1');
    const all = await broker.metadata({});
    expect(all).toMatchObject({
      clusterId: 'memory-cluster',
      controllerId: 1,
      brokers: [{ nodeId: 1, address }],
    });
    expect(all.topics.map((t) => t.name)).toEqual(['t']);
    const some = await broker.metadata({ topics: ['missing', 't', 'bad name', 't'] });
    expect(some.topics.map((t) => [t.name, t.error?.code ?? 0])).toEqual([
      ['missing', ErrorCode.TOPIC_NOT_FOUND],
      ['t', 0],
      ['bad name', ErrorCode.INVALID_TOPIC_NAME],
    ]);
    const partitions = some.topics[1]!.partitions;
    expect(partitions[0]).toMatchObject({
      partition: 0,
      leaderId: 1,
      leaderTerm: 1n,
      replicas: [1],
      inSyncReplicas: [1],
    });
    expect(partitions[1]!.error).toMatchObject({ code: ErrorCode.LEADER_NOT_AVAILABLE, retriable: true });
  });

  it('looks up offsets, reporting a failed lookup in its own entry', async () => {
    const { broker } = await startServices();
    await broker.produce({ topic: 't', partition: 0, batch: batchOf('a', 'b') });
    const { offsets } = await broker.listOffsets({
      partitions: [
        { topic: 't', partition: 0, spec: OffsetSpec.EARLIEST },
        { topic: 't', partition: 1 },
        { topic: 'missing', partition: 0, spec: OffsetSpec.LATEST },
        { topic: 't', partition: 0, spec: OffsetSpec.TIMESTAMP, timestampMs: 500n },
      ],
    });
    expect(offsets.map((o) => [o.topic, o.partition, o.offset, o.error?.code ?? 0])).toEqual([
      ['t', 0, 0n, 0],
      ['t', 1, 0n, 0],
      ['missing', 0, -1n, ErrorCode.TOPIC_NOT_FOUND],
      ['t', 0, 0n, 0],
    ]);
    const malformed = [
      { partitions: [] },
      { partitions: [{ topic: 't', spec: OffsetSpec.TIMESTAMP, timestampMs: -5n }] },
      { partitions: [{ topic: 't', spec: 8 }] },
    ];
    for (const request of malformed)
      expect(await codeOf(broker.listOffsets(request))).toBe('INVALID_ARGUMENT');
  });
});
