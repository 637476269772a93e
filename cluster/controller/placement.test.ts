import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeId, type NodeId } from '../../lib/index.js';
import type { ControllerCommand, ControllerState } from './controller-types.js';
import { nodeLoads, placePartitions } from './placement.js';
import { applyAll, registerNodes } from './test-helpers.js';

const nodes = (n: number): NodeId[] => Array.from({ length: n }, (_, i) => nodeId(i + 1));

function counts(state: ControllerState, n: number) {
  const loads = nodeLoads(state.topics.values());
  return {
    replicas: nodes(n).map((id) => loads.get(id)?.replicas ?? 0),
    leaders: nodes(n).map((id) => loads.get(id)?.leaders ?? 0),
  };
}

const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

describe('placement', () => {
  it('balances replicas and leaders exactly on 3 nodes', () => {
    const { replicaSets } = placePartitions(nodes(3), new Map(), 0, 6, 3);
    expect(replicaSets).toEqual([
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
    ]);
    const { state } = applyAll([
      ...registerNodes(3),
      { type: 'create-topic', name: 't', partitions: 6, replicationFactor: 2, config: {} },
    ]);
    expect(counts(state, 3)).toEqual({ replicas: [4, 4, 4], leaders: [2, 2, 2] });
  });

  it('balances replicas and leaders exactly on 5 nodes', () => {
    const { state } = applyAll([
      ...registerNodes(5),
      { type: 'create-topic', name: 'a', partitions: 10, replicationFactor: 3, config: {} },
      { type: 'create-topic', name: 'b', partitions: 5, replicationFactor: 2, config: {} },
    ]);
    expect(counts(state, 5)).toEqual({ replicas: [8, 8, 8, 8, 8], leaders: [3, 3, 3, 3, 3] });
    for (const t of state.topics.values()) {
      for (const p of t.partitions) expect(new Set(p.replicas).size).toBe(p.replicas.length);
    }
  });

  it('rotates the start so single-partition topics do not pile onto one node', () => {
    const commands: ControllerCommand[] = Array.from({ length: 5 }, (_, i) => ({
      type: 'create-topic',
      name: `t${i}`,
      partitions: 1,
      replicationFactor: 1,
      config: {},
    }));
    const { state } = applyAll([...registerNodes(5), ...commands]);
    expect(counts(state, 5).replicas).toEqual([1, 1, 1, 1, 1]);
  });

  it('is deterministic and keeps replica counts within one across any sequence of topics', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(
          fc.record({ partitions: fc.integer({ min: 1, max: 12 }), rf: fc.integer({ min: 1, max: 6 }) }),
          {
            maxLength: 12,
          },
        ),
        (n, topics) => {
          const commands: ControllerCommand[] = topics.map((t, i) => ({
            type: 'create-topic',
            name: `t${i}`,
            partitions: t.partitions,
            replicationFactor: Math.min(t.rf, n),
            config: {},
          }));
          const a = applyAll([...registerNodes(n), ...commands]).state;
          const b = applyAll([...registerNodes(n), ...commands]).state;
          expect([...b.topics.values()]).toEqual([...a.topics.values()]);
          const c = counts(a, n);
          expect(spread(c.replicas)).toBeLessThanOrEqual(1);
          const partitions = topics.reduce((sum, t) => sum + t.partitions, 0);
          expect(c.leaders.reduce((x, y) => x + y, 0)).toBe(partitions);
        },
      ),
    );
  });

  it('fills up the least-loaded nodes first when a node joins later', () => {
    const { state } = applyAll([
      ...registerNodes(3),
      { type: 'create-topic', name: 'a', partitions: 3, replicationFactor: 1, config: {} },
      { type: 'register-node', nodeId: 4, address: 'n4:7000' },
      { type: 'create-topic', name: 'b', partitions: 1, replicationFactor: 1, config: {} },
    ]);
    expect(state.topics.get('b')!.partitions[0]!.replicas).toEqual([4]);
  });
});
