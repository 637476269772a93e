import { describe, expect, it } from 'vitest';
import { isRetriable, nodeId } from '../../lib/index.js';
import { applyControllerCommand, initialControllerState } from './apply-controller-command.js';
import { producerEpochMax, type ControllerCommand, type ControllerResult } from './controller-types.js';
import { applyAll, lastResult, registerNodes } from './test-helpers.js';
import { defaultTopicConfig } from './topic-config.js';
import { offsetKey, withCommittedOffsets } from './group-offsets.js';

const createTopic = (name: string, partitions = 3, replicationFactor = 3): ControllerCommand => ({
  type: 'create-topic',
  name,
  partitions,
  replicationFactor,
  config: {},
});

function expectRejected(result: ControllerResult, code: string): void {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.code).toBe(code);
}

describe('topics', () => {
  it('creates a topic with defaults, placement and fresh group ids', () => {
    const { state, results } = applyAll([...registerNodes(3), createTopic('orders', 4)]);
    const result = lastResult(results);
    expect(result.ok).toBe(true);
    const topic = state.topics.get('orders')!;
    expect(topic.config).toEqual(defaultTopicConfig);
    expect(topic.createdAtMs).toBe(1_000_000 + 4 * 1000);
    expect(topic.partitions.map((p) => p.groupId)).toEqual([1, 2, 3, 4]);
    expect(topic.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    for (const p of topic.partitions) expect(new Set(p.replicas).size).toBe(3);
    expect(state.nextGroupId).toBe(5);
  });

  it('rejects a duplicate, a bad name, a bad count and too few live nodes', () => {
    const base = applyAll([...registerNodes(3), createTopic('orders')]).state;
    const cases: [ControllerCommand, string][] = [
      [createTopic('orders'), 'TOPIC_ALREADY_EXISTS'],
      [createTopic('bad/name'), 'INVALID_TOPIC_NAME'],
      [createTopic('.'), 'INVALID_TOPIC_NAME'],
      [createTopic('..'), 'INVALID_TOPIC_NAME'],
      [createTopic(''), 'INVALID_TOPIC_NAME'],
      [createTopic('x'.repeat(250)), 'INVALID_TOPIC_NAME'],
      [createTopic('ok', 0), 'INVALID_ARGUMENT'],
      [createTopic('ok', 1.5), 'INVALID_ARGUMENT'],
      [createTopic('ok', 1, 0), 'INVALID_ARGUMENT'],
      [createTopic('ok', 1, 4), 'NOT_ENOUGH_REPLICAS'],
      [
        { type: 'create-topic', name: 'ok', partitions: 1, replicationFactor: 1, config: { retentionMs: 5 } },
        'INVALID_ARGUMENT',
      ],
    ];
    for (const [command, code] of cases) {
      const { state, result } = applyControllerCommand(base, command, { index: 100, timestampMs: 1 });
      expectRejected(result, code);
      expect(state.topics).toBe(base.topics);
      expect(state.nextGroupId).toBe(base.nextGroupId);
      expect(state.appliedIndex).toBe(100);
    }
  });

  it('accepts names of 249 characters made of the allowed set', () => {
    const name = 'a.b_c-D9'.repeat(31) + 'x';
    expect(name.length).toBe(249);
    const { results } = applyAll([...registerNodes(1), createTopic(name, 1, 1)]);
    expect(lastResult(results).ok).toBe(true);
  });

  it('takes compact,delete, min.insync.replicas and the compaction times; refuses them out of bounds', () => {
    const config = {
      cleanupPolicy: 'compact,delete',
      minInsyncReplicas: 2,
      deleteRetentionMs: 0,
      minCompactionLagMs: 60_000,
    } as const;
    const { state, results } = applyAll([
      ...registerNodes(3),
      createTopic('a', 1),
      { type: 'update-topic-config', name: 'a', config },
      { type: 'update-topic-config', name: 'a', config: { minInsyncReplicas: 0 } },
      { type: 'update-topic-config', name: 'a', config: { deleteRetentionMs: -1 } },
      { type: 'update-topic-config', name: 'a', config: { minCompactionLagMs: -5 } },
    ]);
    expect(results.slice(-4).map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'ok',
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
    ]);
    expect(state.topics.get('a')!.config).toEqual({ ...defaultTopicConfig, ...config });
  });

  it('refuses a min.insync.replicas above the replication factor, on create and on update', () => {
    const { results } = applyAll([
      ...registerNodes(3),
      { ...createTopic('a', 1, 2), config: { minInsyncReplicas: 3 } } as ControllerCommand,
      { ...createTopic('b', 1, 3), config: { minInsyncReplicas: 3 } } as ControllerCommand,
      { type: 'update-topic-config', name: 'b', config: { minInsyncReplicas: 4 } },
    ]);
    expect(results.slice(-3).map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'INVALID_ARGUMENT',
      'ok',
      'INVALID_ARGUMENT',
    ]);
  });

  it('takes the queue settings; refuses them out of bounds or dead-lettering into the topic itself', () => {
    const config = {
      queueVisibilityTimeoutMs: 1_000,
      queueMaxDeliveries: 1000,
      queueDeadLetterTopic: 'a.dlq',
      queueMessageTtlMs: 60_000,
      queueDeadLetterExpired: true,
      queueOrderedByKey: true,
    } as const;
    const hours12 = 12 * 60 * 60 * 1000;
    const bad = [
      { queueVisibilityTimeoutMs: 999 },
      { queueVisibilityTimeoutMs: hours12 + 1 },
      { queueMaxDeliveries: -1 },
      { queueMaxDeliveries: 1001 },
      { queueMessageTtlMs: -1 },
      { queueDeadLetterTopic: 'a' },
      { queueDeadLetterTopic: 'bad name' },
      { queueDeadLetterTopic: '..' },
    ];
    const { state, results } = applyAll([
      ...registerNodes(3),
      createTopic('a', 1),
      { type: 'update-topic-config', name: 'a', config },
      ...bad.map((c) => ({ type: 'update-topic-config', name: 'a', config: c }) as const),
      { type: 'update-topic-config', name: 'a', config: { queueVisibilityTimeoutMs: hours12 } },
    ]);
    const codes = results.slice(-(bad.length + 2)).map((r) => (r.ok ? 'ok' : r.code));
    expect(codes).toEqual(['ok', ...bad.map(() => 'INVALID_ARGUMENT'), 'ok']);
    const expected = { ...defaultTopicConfig, ...config, queueVisibilityTimeoutMs: hours12 };
    expect(state.topics.get('a')!.config).toEqual(expected);
  });

  it('defaults the queue settings and refuses a new topic dead-lettering into itself', () => {
    const { state, results } = applyAll([
      ...registerNodes(1),
      createTopic('b', 1, 1),
      {
        type: 'create-topic',
        name: 'c',
        partitions: 1,
        replicationFactor: 1,
        config: { queueDeadLetterTopic: 'c' },
      },
      {
        type: 'create-topic',
        name: 'd',
        partitions: 1,
        replicationFactor: 1,
        config: { queueDeadLetterTopic: 'c' },
      },
    ]);
    expect(results.slice(-3).map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'INVALID_ARGUMENT', 'ok']);
    expect(state.topics.get('b')!.config).toMatchObject({
      queueVisibilityTimeoutMs: 30_000,
      queueMaxDeliveries: 0,
      queueDeadLetterTopic: '',
      queueMessageTtlMs: 0,
      queueDeadLetterExpired: false,
      queueOrderedByKey: false,
    });
    expect(state.topics.has('c')).toBe(false);
    expect(state.topics.get('d')!.config.queueDeadLetterTopic).toBe('c');
  });

  it('names a refused setting as users write it, the Kafka-style name and the proto field', () => {
    const refusal = (config: Record<string, unknown>): string => {
      const result = lastResult(
        applyAll([
          ...registerNodes(1),
          { type: 'create-topic', name: 'ok', partitions: 1, replicationFactor: 1, config },
        ]).results,
      );
      return result.ok ? 'accepted' : result.message;
    };
    expect(refusal({ retentionMs: 5 })).toMatch(/^retention\.ms \(retention_ms\) must be an integer/);
    expect(refusal({ maxMessageBytes: 1 })).toMatch(/^max\.message\.bytes \(max_message_bytes\) must/);
    expect(refusal({ cleanupPolicy: 'x' })).toMatch(/^cleanup\.policy \(cleanup_policy\) must be one of/);
  });

  it('forgets the committed offsets of a deleted topic, so a topic of the same name starts afresh', () => {
    const created = applyAll([...registerNodes(3), createTopic('a', 2), createTopic('b', 1)]).state;
    const at = (topic: string, offset: number) => ({ topic, partition: 0, offset, metadata: '' });
    let groupOffsets = withCommittedOffsets(created.groupOffsets, 'g', [at('a', 15), at('b', 7)], 1);
    groupOffsets = withCommittedOffsets(groupOffsets, 'h', [at('a', 3)], 1);
    const { state } = applyAll([{ type: 'delete-topic', name: 'a' }, createTopic('a', 1)], {
      ...created,
      groupOffsets,
    });
    expect([...(state.groupOffsets.get('g')?.keys() ?? [])]).toEqual([offsetKey('b', 0)]);
    expect(state.groupOffsets.has('h')).toBe(false);
  });

  it('updates config within bounds, grows partitions, deletes and never reuses group ids', () => {
    let { state, results } = applyAll([
      ...registerNodes(3),
      createTopic('a', 2),
      { type: 'update-topic-config', name: 'a', config: { cleanupPolicy: 'compact', retentionBytes: -1 } },
      { type: 'add-partitions', name: 'a', partitions: 3 },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const a = state.topics.get('a')!;
    expect(a.config.cleanupPolicy).toBe('compact');
    expect(a.config.retentionMs).toBe(defaultTopicConfig.retentionMs);
    expect(a.partitions.map((p) => p.groupId)).toEqual([1, 2, 3]);

    ({ state, results } = applyAll(
      [
        { type: 'update-topic-config', name: 'a', config: { maxMessageBytes: 1 } },
        { type: 'add-partitions', name: 'a', partitions: 3 },
        { type: 'delete-topic', name: 'a' },
        { type: 'delete-topic', name: 'a' },
        createTopic('a', 1),
      ],
      state,
    ));
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
      'ok',
      'TOPIC_NOT_FOUND',
      'ok',
    ]);
    expect(results[2]).toMatchObject({ ok: true, output: { type: 'topic-deleted', groupIds: [1, 2, 3] } });
    expect(state.topics.get('a')!.partitions[0]!.groupId).toBe(4);
  });

  it('places only on live nodes', () => {
    const { state } = applyAll([
      ...registerNodes(4),
      { type: 'set-node-alive', nodeId: 2, alive: false },
      createTopic('t', 6, 3),
    ]);
    for (const p of state.topics.get('t')!.partitions) expect(p.replicas).not.toContain(2);
    expect(state.nodes.get(nodeId(2))!.alive).toBe(false);
  });
});

describe('nodes', () => {
  it('registers, re-registers with a new address, and refuses to forget a node holding replicas', () => {
    const { state, results } = applyAll([
      ...registerNodes(2),
      { type: 'register-node', nodeId: 1, address: '10.0.0.1:7000' },
      { type: 'register-node', nodeId: 0, address: 'x:1' },
      createTopic('t', 1, 2),
      { type: 'unregister-node', nodeId: 1 },
      { type: 'set-node-alive', nodeId: 9, alive: true },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'ok',
      'ok',
      'ok',
      'INVALID_ARGUMENT',
      'ok',
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
    ]);
    expect(state.nodes.get(nodeId(1))!.address).toBe('10.0.0.1:7000');
    expect(state.nodes.get(nodeId(1))!.registeredAtMs).toBe(1_001_000);
  });
});

describe('reassignment', () => {
  it('records the target, refuses a second move, and completes only the current target', () => {
    let { state, results } = applyAll([
      ...registerNodes(4),
      createTopic('t', 1, 3),
      { type: 'add-replica', topic: 't', partition: 0, nodeId: 4 },
    ]);
    const before = state.topics.get('t')!.partitions[0]!;
    expect(lastResult(results).ok).toBe(true);
    expect(before.replicas).toHaveLength(3);
    expect(before.targetReplicas).toEqual([...before.replicas, 4]);

    ({ state, results } = applyAll(
      [
        { type: 'remove-replica', topic: 't', partition: 0, nodeId: before.replicas[0]! },
        { type: 'complete-reassignment', topic: 't', partition: 0, replicas: [...before.replicas] },
        { type: 'complete-reassignment', topic: 't', partition: 0, replicas: [4, ...before.replicas] },
        { type: 'complete-reassignment', topic: 't', partition: 0, replicas: [4, ...before.replicas] },
        { type: 'remove-replica', topic: 't', partition: 0, nodeId: before.replicas[0]! },
        { type: 'add-replica', topic: 't', partition: 7, nodeId: 1 },
        { type: 'add-replica', topic: 'nope', partition: 0, nodeId: 1 },
      ],
      state,
    ));
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'REASSIGNMENT_IN_PROGRESS',
      'INVALID_ARGUMENT',
      'ok',
      'INVALID_ARGUMENT',
      'ok',
      'PARTITION_NOT_FOUND',
      'TOPIC_NOT_FOUND',
    ]);
    const after = state.topics.get('t')!.partitions[0]!;
    expect(after.replicas).toEqual([...before.replicas, 4]);
    expect(after.targetReplicas).toEqual([...before.replicas.slice(1), 4]);
    // The group's first configuration stays what it was created with, whatever moves follow.
    expect(after.bootstrapReplicas).toEqual(before.replicas);
  });

  it('refuses a move of a moving partition as retriable, and takes the same request once the move completes', () => {
    const first = { type: 'reassign-partition', topic: 't', partition: 0, replicas: [4, 2, 3] } as const;
    const second = { type: 'reassign-partition', topic: 't', partition: 0, replicas: [1, 4, 3] } as const;
    let { state, results } = applyAll([...registerNodes(4), createTopic('t', 1, 3), first, first, second]);
    // The first move sent again (a retry) is answered as recorded.
    expect(results.slice(-3, -1).map((r) => r.ok)).toEqual([true, true]);
    const refused = lastResult(results);
    expectRejected(refused, 'REASSIGNMENT_IN_PROGRESS');
    expect(isRetriable('REASSIGNMENT_IN_PROGRESS')).toBe(true);
    if (!refused.ok) expect(refused.message).toMatch(/already moving to \[4, 2, 3\]/);
    ({ state, results } = applyAll(
      [{ type: 'complete-reassignment', topic: 't', partition: 0, replicas: [4, 2, 3] }, second],
      state,
    ));
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(state.topics.get('t')!.partitions[0]!.targetReplicas).toEqual([1, 4, 3]);
  });

  it('refuses to remove the last replica or add a dead node', () => {
    const { results } = applyAll([
      ...registerNodes(2),
      createTopic('t', 1, 1),
      { type: 'set-node-alive', nodeId: 2, alive: false },
      { type: 'remove-replica', topic: 't', partition: 0, nodeId: 1 },
      { type: 'add-replica', topic: 't', partition: 0, nodeId: 2 },
    ]);
    expect(results.slice(-2).map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
    ]);
  });
});

describe('producer ids', () => {
  it('hands out disjoint, monotonic blocks, also interleaved with transactional ids', () => {
    const { state, results } = applyAll([
      { type: 'allocate-producer-ids', count: 1000 },
      { type: 'allocate-producer-ids', count: 1000 },
      { type: 'init-transactional-id', transactionalId: 'tx', transactionTimeoutMs: 60_000 },
      { type: 'allocate-producer-ids', count: 10 },
      { type: 'allocate-producer-ids', count: 0 },
      { type: 'allocate-producer-ids', count: 1_000_000 },
    ]);
    expect(results.map((r) => (r.ok ? r.output : r.code))).toEqual([
      { type: 'producer-ids', firstProducerId: 0, count: 1000 },
      { type: 'producer-ids', firstProducerId: 1000, count: 1000 },
      { type: 'producer-epoch', producerId: 2000, epoch: 0 },
      { type: 'producer-ids', firstProducerId: 2001, count: 10 },
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
    ]);
    expect(state.nextProducerId).toBe(2011);
  });
});

describe('transactional ids', () => {
  it('bumps the epoch on every re-init and keeps the producer id', () => {
    const init: ControllerCommand = {
      type: 'init-transactional-id',
      transactionalId: 'tx',
      transactionTimeoutMs: 60_000,
    };
    const { state, results } = applyAll([init, init, init]);
    expect(
      results.map((r) =>
        r.ok && r.output.type === 'producer-epoch' ? [r.output.producerId, r.output.epoch] : r,
      ),
    ).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    expect(state.transactionalIds.get('tx')).toMatchObject({
      producerId: 0,
      epoch: 2,
      transactionTimeoutMs: 60_000,
    });
  });

  it('moves to a new producer id when the epoch would overflow int16', () => {
    const { state: start } = applyAll([
      { type: 'init-transactional-id', transactionalId: 'tx', transactionTimeoutMs: 60_000 },
    ]);
    const txnIds = new Map(start.transactionalIds);
    txnIds.set('tx', { ...txnIds.get('tx')!, epoch: producerEpochMax });
    const { results } = applyAll(
      [{ type: 'init-transactional-id', transactionalId: 'tx', transactionTimeoutMs: 60_000 }],
      { ...start, transactionalIds: txnIds },
    );
    expect(lastResult(results)).toEqual({
      ok: true,
      output: { type: 'producer-epoch', producerId: 1, epoch: 0 },
    });
  });

  it('validates ids and timeouts, and expires idle ids', () => {
    const { state, results } = applyAll([
      { type: 'init-transactional-id', transactionalId: '', transactionTimeoutMs: 60_000 },
      { type: 'init-transactional-id', transactionalId: 'a', transactionTimeoutMs: 10 },
      { type: 'init-transactional-id', transactionalId: 'old', transactionTimeoutMs: 60_000 },
      { type: 'init-transactional-id', transactionalId: 'new', transactionTimeoutMs: 60_000 },
      { type: 'expire-transactional-ids', idleMsMin: 1500 },
    ]);
    expect(results.map((r) => (r.ok ? r.output.type : r.code))).toEqual([
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
      'producer-epoch',
      'producer-epoch',
      'expired',
    ]);
    expect([...state.transactionalIds.keys()]).toEqual(['new']);
  });
});

describe('apply context', () => {
  it('asserts that indexes only grow', () => {
    const state = initialControllerState();
    const next = applyControllerCommand(
      state,
      { type: 'allocate-producer-ids', count: 1 },
      { index: 5, timestampMs: 0 },
    );
    expect(() =>
      applyControllerCommand(
        next.state,
        { type: 'allocate-producer-ids', count: 1 },
        { index: 5, timestampMs: 0 },
      ),
    ).toThrow(/applied after/);
  });
});
