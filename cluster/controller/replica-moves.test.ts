import { describe, expect, it } from 'vitest';
import { nodeId, type NodeId } from '../../lib/index.js';
import type { ControllerCommand, ControllerState } from './controller-types.js';
import { activeNodeIds, nodeLoads } from './placement.js';
import { planDrain, planRebalance, type PartitionMove } from './replica-moves.js';
import { applyAll, lastResult, registerNodes } from './test-helpers.js';

const topic = (name: string, partitions: number, replicationFactor = 3): ControllerCommand => ({
  type: 'create-topic',
  name,
  partitions,
  replicationFactor,
  config: {},
});

/** Applies moves as the hosts would: start each, then report it complete. */
function applyMoves(state: ControllerState, moves: readonly PartitionMove[]): ControllerState {
  const commands = moves.flatMap((m): ControllerCommand[] => [
    { type: 'reassign-partition', topic: m.topic, partition: m.partition, replicas: m.to },
    { type: 'complete-reassignment', topic: m.topic, partition: m.partition, replicas: m.to },
  ]);
  const { state: next, results } = applyAll(commands, state);
  for (const r of results) expect(r.ok).toBe(true);
  return next;
}

function replicaCounts(state: ControllerState): number[] {
  const loads = nodeLoads(state.topics.values());
  return activeNodeIds(state).map((id) => loads.get(id)?.replicas ?? 0);
}

function leaderCounts(state: ControllerState): number[] {
  const loads = nodeLoads(state.topics.values());
  return activeNodeIds(state).map((id) => loads.get(id)?.leaders ?? 0);
}

const spread = (counts: readonly number[]): number => Math.max(...counts) - Math.min(...counts);

describe('planRebalance', () => {
  it('spreads replicas and preferred leaders of a 3-node cluster over 5 nodes, then plans nothing', () => {
    let { state } = applyAll([...registerNodes(3), topic('a', 6), topic('b', 4)]);
    ({ state } = applyAll(registerNodes(5).slice(3), state));
    expect(replicaCounts(state)).toEqual([10, 10, 10, 0, 0]);
    const moves = planRebalance(state, 1_000);
    for (const m of moves) expect(m.to).toHaveLength(m.from.length);
    state = applyMoves(state, moves);
    expect(spread(replicaCounts(state))).toBeLessThanOrEqual(1);
    expect(spread(leaderCounts(state))).toBeLessThanOrEqual(1);
    expect(planRebalance(state, 1_000)).toEqual([]);
  });

  it('leaves partitions that are already moving alone and honours movesMax', () => {
    let { state } = applyAll([...registerNodes(3), topic('a', 6)]);
    ({ state } = applyAll(
      [...registerNodes(4).slice(3), { type: 'remove-replica', topic: 'a', partition: 0, nodeId: 1 }],
      state,
    ));
    const moves = planRebalance(state, 2);
    expect(moves).toHaveLength(2);
    expect(moves.some((m) => m.partition === 0)).toBe(false);
  });

  it('never uses a draining or dead node', () => {
    let { state } = applyAll([...registerNodes(4), topic('a', 8)]);
    ({ state } = applyAll(
      [
        ...registerNodes(6).slice(4),
        { type: 'decommission-node', nodeId: 5 },
        { type: 'set-node-alive', nodeId: 6, alive: false },
      ],
      state,
    ));
    for (const m of planRebalance(state, 1_000)) {
      expect(m.to).not.toContain(5);
      expect(m.to).not.toContain(6);
    }
  });
});

describe('planDrain', () => {
  it('moves every replica of the node to the least-loaded others, keeping each replication factor', () => {
    let { state } = applyAll([...registerNodes(5), topic('a', 5), topic('b', 5)]);
    ({ state } = applyAll([{ type: 'decommission-node', nodeId: 2 }], state));
    const moves = planDrain(state, nodeId(2), 1_000);
    expect(moves.length).toBe(nodeLoads(state.topics.values()).get(nodeId(2))?.replicas);
    for (const m of moves) {
      expect(m.to).not.toContain(2);
      expect(new Set(m.to).size).toBe(m.from.length);
      expect(m.to.filter((r, i) => r !== m.from[i])).toHaveLength(1);
    }
    state = applyMoves(state, moves);
    expect(nodeLoads(state.topics.values()).has(nodeId(2))).toBe(false);
    expect(spread(replicaCounts(state))).toBeLessThanOrEqual(1);
  });

  it('plans nothing for a partition when every other node already holds it', () => {
    let { state } = applyAll([...registerNodes(3), topic('a', 2)]);
    ({ state } = applyAll([registerNodes(4)[3]!], state));
    // Three replicas on four nodes: the fourth node is the only replacement.
    const moves = planDrain(state, nodeId(1), 10);
    expect(moves.every((m) => m.to.includes(4 as NodeId))).toBe(true);
  });
});

describe('decommission commands', () => {
  it('refuses to leave fewer live active nodes than a topic needs', () => {
    const { results, state } = applyAll([
      ...registerNodes(3),
      topic('orders', 1),
      { type: 'decommission-node', nodeId: 3 },
    ]);
    const refused = lastResult(results);
    expect(refused).toMatchObject({ ok: false, code: 'CLUSTER_TOO_SMALL' });
    expect(!refused.ok && refused.message).toMatch(/leave 2 live nodes.*3 replicas of topic 'orders'/);
    expect(state.nodes.get(nodeId(3))?.membership).toBe('active');
  });

  it('drains, finishes only once empty, and never registers the id again', () => {
    let { state, results } = applyAll([
      ...registerNodes(4),
      topic('a', 2),
      { type: 'decommission-node', nodeId: 4 },
      { type: 'decommission-node', nodeId: 4 },
    ]);
    expect(results.slice(-2).map((r) => r.ok)).toEqual([true, true]);
    expect(state.nodes.get(nodeId(4))?.membership).toBe('draining');
    expect(activeNodeIds(state)).toEqual([1, 2, 3]);
    const holds = nodeLoads(state.topics.values()).has(nodeId(4));
    ({ state, results } = applyAll([{ type: 'finish-node-removal', nodeId: 4 }], state));
    expect(lastResult(results).ok).toBe(!holds);
    state = applyMoves(state, planDrain(state, nodeId(4), 100));
    ({ state, results } = applyAll(
      [
        { type: 'finish-node-removal', nodeId: 4 },
        { type: 'register-node', nodeId: 4, address: '127.0.0.4:7000' },
        { type: 'reassign-partition', topic: 'a', partition: 0, replicas: [4, 2, 3] },
      ],
      state,
    ));
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'NODE_REMOVED', 'INVALID_ARGUMENT']);
    expect(state.nodes.get(nodeId(4))).toMatchObject({ membership: 'removed', alive: false });
  });

  it('a move keeps the replica count and needs distinct, active nodes', () => {
    const { results } = applyAll([
      ...registerNodes(3),
      topic('a', 1, 2),
      { type: 'reassign-partition', topic: 'a', partition: 0, replicas: [1, 2, 3] },
      { type: 'reassign-partition', topic: 'a', partition: 0, replicas: [3, 3] },
      { type: 'reassign-partition', topic: 'a', partition: 0, replicas: [3, 9] },
    ]);
    expect(results.slice(-3).map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
    ]);
  });
});
