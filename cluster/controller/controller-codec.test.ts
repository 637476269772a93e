import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NewerFormatError } from '../../lib/index.js';
import { applyControllerEntry } from './apply-controller-entry.js';
import { initialControllerState } from './apply-controller-command.js';
import {
  decodeControllerEntry,
  decodeControllerSnapshot,
  encodeControllerEntry,
  encodeControllerSnapshot,
} from './controller-codec.js';
import type { ControllerCommand, ControllerState } from './controller-types.js';
import { applyAll, registerNodes } from './test-helpers.js';
import { defaultTopicConfig } from './topic-config.js';

const commandArb: fc.Arbitrary<ControllerCommand> = fc.oneof(
  fc.record({
    type: fc.constant('register-node' as const),
    nodeId: fc.integer({ min: 0, max: 6 }),
    address: fc.constantFrom('a:1', 'b:2', ''),
  }),
  fc.record({
    type: fc.constant('set-node-alive' as const),
    nodeId: fc.integer({ min: 1, max: 6 }),
    alive: fc.boolean(),
  }),
  fc.record({ type: fc.constant('unregister-node' as const), nodeId: fc.integer({ min: 1, max: 6 }) }),
  fc.record({
    type: fc.constant('create-topic' as const),
    name: fc.constantFrom('a', 'b', 'c', 'bad name'),
    partitions: fc.integer({ min: 0, max: 6 }),
    replicationFactor: fc.integer({ min: 1, max: 4 }),
    config: fc.record({ retentionMs: fc.constantFrom(-1, 10, 60_000) }, { requiredKeys: [] }),
  }),
  fc.record({
    type: fc.constant('add-partitions' as const),
    name: fc.constantFrom('a', 'b'),
    partitions: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({ type: fc.constant('delete-topic' as const), name: fc.constantFrom('a', 'b', 'c') }),
  fc.record({
    type: fc.constantFrom('add-replica' as const, 'remove-replica' as const),
    topic: fc.constantFrom('a', 'b'),
    partition: fc.integer({ min: 0, max: 3 }),
    nodeId: fc.integer({ min: 1, max: 6 }),
  }),
  fc.record({
    type: fc.constant('complete-reassignment' as const),
    topic: fc.constantFrom('a', 'b'),
    partition: fc.integer({ min: 0, max: 3 }),
    replicas: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('allocate-producer-ids' as const),
    count: fc.integer({ min: 0, max: 2000 }),
  }),
  fc.record({
    type: fc.constant('init-transactional-id' as const),
    transactionalId: fc.constantFrom('x', 'y', 'z'),
    transactionTimeoutMs: fc.constantFrom(60_000, 5),
  }),
  fc.record({
    type: fc.constant('expire-transactional-ids' as const),
    idleMsMin: fc.integer({ min: 0, max: 5000 }),
  }),
  fc.record({
    type: fc.constant('raise-active-version' as const),
    version: fc.integer({ min: 0, max: 4 }),
  }),
);

function replay(commands: readonly ControllerCommand[], restoreAt: number): ControllerState {
  let state = initialControllerState();
  commands.forEach((command, i) => {
    if (i === restoreAt) state = decodeControllerSnapshot(encodeControllerSnapshot(state));
    const data = encodeControllerEntry({ timestampMs: 5000 + i * 700, command });
    state = applyControllerEntry(state, data, i + 1).state;
  });
  return state;
}

describe('controller codec', () => {
  it('round-trips entries and drops unknown fields', () => {
    const entry = {
      timestampMs: 123,
      command: {
        type: 'create-topic',
        name: 't',
        partitions: 2,
        replicationFactor: 1,
        config: { retentionMs: -1 },
      },
    } as const;
    expect(decodeControllerEntry(encodeControllerEntry(entry))).toEqual(entry);
    const extra = encodeControllerEntry({
      timestampMs: 1,
      command: { ...entry.command, sneaky: 1 } as ControllerCommand,
    });
    expect(decodeControllerEntry(extra).command).not.toHaveProperty('sneaky');
  });

  it('rejects garbage with CORRUPT_MESSAGE, and applying it changes nothing but the index', () => {
    const bad = [
      new Uint8Array([]),
      new Uint8Array([0, 123, 125]),
      new Uint8Array([1, 0xff, 0xfe]),
      new TextEncoder().encode('\x01{"timestampMs":1,"command":{"type":"delete-topic","name":7}}'),
      new TextEncoder().encode('\x01{"timestampMs":1e300,"command":{"type":"delete-topic","name":"a"}}'),
    ];
    const state = initialControllerState();
    for (const bytes of bad) {
      expect(() => decodeControllerEntry(bytes)).toThrow(
        expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
      );
      const out = applyControllerEntry(state, bytes, 3);
      expect(out.result).toMatchObject({ ok: false, code: 'CORRUPT_MESSAGE' });
      expect(out.state).toEqual({ ...state, appliedIndex: 3 });
    }
  });

  it('stops at an entry of a later version (format or command type) instead of skipping it', () => {
    const later = [
      new Uint8Array([2, 123, 125]),
      new TextEncoder().encode('\x01{"timestampMs":1,"command":{"type":"set-feature-level","level":2}}'),
    ];
    for (const bytes of later) {
      expect(() => applyControllerEntry(initialControllerState(), bytes, 3)).toThrow(NewerFormatError);
    }
    expect(() => decodeControllerSnapshot(new Uint8Array([3, 123, 125]))).toThrow(
      /controller snapshot of format version 3: written by a newer version/,
    );
  });

  it('round-trips a snapshot and rejects a corrupt one', () => {
    const { state } = applyAll([
      ...registerNodes(3),
      {
        type: 'create-topic',
        name: 't',
        partitions: 3,
        replicationFactor: 2,
        config: { cleanupPolicy: 'compact' },
      },
      { type: 'add-replica', topic: 't', partition: 1, nodeId: 3 },
      { type: 'init-transactional-id', transactionalId: 'tx', transactionTimeoutMs: 60_000 },
    ]);
    const bytes = encodeControllerSnapshot(state);
    expect(bytes[0]).toBe(1);
    const restored = decodeControllerSnapshot(bytes);
    expect(restored).toEqual(state);
    expect(encodeControllerSnapshot(restored)).toEqual(bytes);
    const json = new TextDecoder().decode(bytes.subarray(1)).replace('"groupId":1', '"groupId":-1');
    const corrupt = new Uint8Array([1, ...new TextEncoder().encode(json)]);
    expect(() => decodeControllerSnapshot(corrupt)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });

  it('reads a snapshot written before the compaction and min.insync settings, with their defaults', () => {
    const { state } = applyAll([
      ...registerNodes(3),
      { type: 'create-topic', name: 't', partitions: 1, replicationFactor: 3, config: {} },
    ]);
    const json = new TextDecoder()
      .decode(encodeControllerSnapshot(state).subarray(1))
      .replace(/,"minInsyncReplicas":1,"deleteRetentionMs":\d+,"minCompactionLagMs":0/, '');
    expect(json).not.toContain('minInsyncReplicas');
    const older = decodeControllerSnapshot(new Uint8Array([1, ...new TextEncoder().encode(json)]));
    expect(older).toEqual(state);
  });

  it('carries the queue settings in entries and snapshots; a bad one is corruption', () => {
    const config = {
      queueVisibilityTimeoutMs: 5_000,
      queueMaxDeliveries: 3,
      queueDeadLetterTopic: 'q.dlq',
      queueMessageTtlMs: 86_400_000,
      queueDeadLetterExpired: true,
      queueOrderedByKey: true,
    };
    const command = { type: 'create-topic', name: 'q', partitions: 1, replicationFactor: 3, config } as const;
    expect(decodeControllerEntry(encodeControllerEntry({ timestampMs: 9, command })).command).toEqual(
      command,
    );
    const { state } = applyAll([...registerNodes(3), command]);
    expect(state.topics.get('q')!.config).toMatchObject(config);
    const bytes = encodeControllerSnapshot(state);
    expect(decodeControllerSnapshot(bytes)).toEqual(state);
    const json = new TextDecoder().decode(bytes.subarray(1));
    for (const [from, to] of [
      ['"queueOrderedByKey":true', '"queueOrderedByKey":"yes"'],
      ['"queueDeadLetterTopic":"q.dlq"', '"queueDeadLetterTopic":"q"'],
      ['"queueMaxDeliveries":3', '"queueMaxDeliveries":1.5'],
    ] as const) {
      expect(json).toContain(from);
      const bad = new Uint8Array([1, ...new TextEncoder().encode(json.replace(from, to))]);
      expect(() => decodeControllerSnapshot(bad)).toThrow(
        expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
      );
    }
  });

  it('reads a snapshot and a command written before the queue settings, with their defaults', () => {
    const { state } = applyAll([
      ...registerNodes(3),
      { type: 'create-topic', name: 't', partitions: 1, replicationFactor: 3, config: {} },
    ]);
    const queueFields =
      /,"queueVisibilityTimeoutMs":30000,"queueMaxDeliveries":0,"queueDeadLetterTopic":"","queueMessageTtlMs":0,"queueDeadLetterExpired":false,"queueOrderedByKey":false/;
    const json = new TextDecoder().decode(encodeControllerSnapshot(state).subarray(1));
    expect(json).toMatch(queueFields);
    const older = json.replace(queueFields, '');
    expect(older).not.toContain('queue');
    expect(decodeControllerSnapshot(new Uint8Array([1, ...new TextEncoder().encode(older)]))).toEqual(state);
    const entry =
      '\x01{"timestampMs":1,"command":{"type":"update-topic-config","name":"t","config":{"retentionMs":-1}}}';
    const decoded = decodeControllerEntry(new TextEncoder().encode(entry));
    expect(decoded.command).toEqual({ type: 'update-topic-config', name: 't', config: { retentionMs: -1 } });
    const applied = applyAll([
      ...registerNodes(3),
      { type: 'create-topic', name: 't', partitions: 1, replicationFactor: 3, config: {} },
      decoded.command,
    ]);
    expect(applied.state.topics.get('t')!.config).toEqual({ ...defaultTopicConfig, retentionMs: -1 });
  });

  it('replicas agree whether or not one restores from a snapshot midway', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 40 }), fc.nat(), (tail, cut) => {
        const commands = [...registerNodes(4), ...tail];
        const a = replay(commands, -1);
        const b = replay(commands, cut % (commands.length + 1));
        expect(encodeControllerSnapshot(b)).toEqual(encodeControllerSnapshot(a));
      }),
      { numRuns: 200 },
    );
  });
});
