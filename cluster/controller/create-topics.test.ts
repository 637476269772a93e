import { describe, expect, it } from 'vitest';
import { applyControllerCommand } from './apply-controller-command.js';
import { decodeControllerEntry, encodeControllerEntry } from './controller-codec.js';
import {
  controllerLimits,
  type ControllerCommand,
  type ControllerResult,
  type TopicCreateResult,
  type TopicSpec,
} from './controller-types.js';
import { nodeLoads } from './placement.js';
import { applyAll, registerNodes } from './test-helpers.js';

const spec = (name: string, partitions = 1, replicationFactor = 3): TopicSpec => ({
  name,
  partitions,
  replicationFactor,
  config: {},
});

const createTopics = (topics: TopicSpec[]): ControllerCommand => ({ type: 'create-topics', topics });

function batchResults(result: ControllerResult): readonly TopicCreateResult[] {
  if (!result.ok || result.output.type !== 'topics-created')
    throw new Error(`not a batch: ${JSON.stringify(result)}`);
  return result.output.results;
}

const outcome = (r: TopicCreateResult) => (r.ok ? 'ok' : r.code);

describe('create-topics', () => {
  it('creates the good topics and reports each bad one alone', () => {
    const base = applyAll([...registerNodes(3), { type: 'create-topic', ...spec('old') }]).state;
    const command = createTopics([
      spec('a', 2),
      spec('bad/name'),
      spec('old'),
      spec('b'),
      spec('a'),
      spec('c', 0),
      spec('d', 1, 4),
      { ...spec('e'), config: { retentionMs: 5 } },
    ]);
    const { state, result } = applyControllerCommand(base, command, { index: 100, timestampMs: 7 });
    expect(batchResults(result).map((r) => [r.name, outcome(r)])).toEqual([
      ['a', 'ok'],
      ['bad/name', 'INVALID_TOPIC_NAME'],
      ['old', 'TOPIC_ALREADY_EXISTS'],
      ['b', 'ok'],
      ['a', 'TOPIC_ALREADY_EXISTS'],
      ['c', 'INVALID_ARGUMENT'],
      ['d', 'NOT_ENOUGH_REPLICAS'],
      ['e', 'INVALID_ARGUMENT'],
    ]);
    expect([...state.topics.keys()].sort()).toEqual(['a', 'b', 'old']);
    const groupIds = [...state.topics.values()].flatMap((t) => t.partitions.map((p) => p.groupId));
    expect(new Set(groupIds).size).toBe(4);
    expect(state.nextGroupId).toBe(base.nextGroupId + 3);
    expect(state.topics.get('a')!.createdAtMs).toBe(7);
  });

  it('places the batch as successive single creates would, balanced over the nodes', () => {
    const nodes = registerNodes(3);
    const names = Array.from({ length: 30 }, (_, i) => `t${i}`);
    const batch = applyAll([...nodes, createTopics(names.map((n) => spec(n, 1, 1)))]).state;
    const singles = applyAll([
      ...nodes,
      ...names.map((n) => ({ type: 'create-topic' as const, ...spec(n, 1, 1) })),
    ]).state;
    for (const name of names)
      expect(batch.topics.get(name)!.partitions).toEqual(singles.topics.get(name)!.partitions);
    expect(batch.placementCursor).toBe(singles.placementCursor);
    const loads = [...nodeLoads(batch.topics.values()).values()];
    expect(loads.map((l) => l.leaders)).toEqual([10, 10, 10]);
  });

  it('places the same from remembered loads as from loads counted afresh', () => {
    const commands: ControllerCommand[] = Array.from({ length: 40 }, (_, i) => ({
      type: 'create-topic',
      ...spec(`t${i}`, 1 + (i % 3), 1 + (i % 3)),
    }));
    let fresh = applyAll(registerNodes(4)).state;
    for (const command of commands) {
      // A copied map is unknown to the remembered totals: the create counts every partition.
      fresh = applyAll([command], { ...fresh, topics: new Map(fresh.topics) }).state;
    }
    const remembered = applyAll([...registerNodes(4), ...commands]).state;
    expect([...remembered.topics.values()]).toEqual([...fresh.topics.values()]);
  });

  it('rejects a batch beyond its limits whole', () => {
    const base = applyAll(registerNodes(3)).state;
    const tooMany = Array.from({ length: controllerLimits.topicsPerBatchMax + 1 }, (_, i) => spec(`t${i}`));
    const tooBig = [spec('x', 6_000), spec('y', controllerLimits.partitionsPerBatchMax - 6_000 + 1)];
    for (const topics of [[], tooMany, tooBig]) {
      const { state, result } = applyControllerCommand(base, createTopics(topics), {
        index: 10,
        timestampMs: 1,
      });
      expect(result.ok ? 'ok' : result.code).toBe('INVALID_ARGUMENT');
      expect(state.topics).toBe(base.topics);
    }
  });

  it('round-trips through the entry codec, dropping stray fields', () => {
    const command = createTopics([{ ...spec('a', 2), config: { retentionMs: 60_000 } }, spec('b')]);
    const stray = { ...command, topics: [{ ...spec('c'), extra: 1 }] } as unknown as ControllerCommand;
    expect(decodeControllerEntry(encodeControllerEntry({ timestampMs: 1, command })).command).toEqual(
      command,
    );
    expect(decodeControllerEntry(encodeControllerEntry({ timestampMs: 1, command: stray })).command).toEqual(
      createTopics([spec('c')]),
    );
  });
});
