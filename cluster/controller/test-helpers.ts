import { applyControllerCommand, initialControllerState } from './apply-controller-command.js';
import type { ControllerCommand, ControllerResult, ControllerState } from './controller-types.js';
import { partitionKey, type PartitionSet } from './partition-set.js';
import type { AssignorMember } from './sticky-assignor.js';

/** Applies commands at consecutive indexes with timestamps 1000 ms apart; returns the last result. */
export function applyAll(
  commands: readonly ControllerCommand[],
  state: ControllerState = initialControllerState(),
): { state: ControllerState; results: ControllerResult[] } {
  const results: ControllerResult[] = [];
  for (const command of commands) {
    const index = state.appliedIndex + 1;
    const out = applyControllerCommand(state, command, { index, timestampMs: 1_000_000 + index * 1000 });
    state = out.state;
    results.push(out.result);
  }
  return { state, results };
}

export function registerNodes(count: number): ControllerCommand[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'register-node' as const,
    nodeId: i + 1,
    address: `127.0.0.${i + 1}:7000`,
    peerAddress: `127.0.0.${i + 1}:8000`,
  }));
}

export function lastResult(results: readonly ControllerResult[]): ControllerResult {
  const last = results.at(-1);
  if (last === undefined) throw new Error('no results');
  return last;
}

/**
 * What is wrong with an assignment, for the assignors' property tests: a partition given to a member
 * not subscribed to its topic, one that does not exist, one given twice, or one of a subscribed topic
 * given to nobody. Empty when it is complete.
 */
export function assignmentProblems(
  members: readonly AssignorMember[],
  result: ReadonlyMap<string, PartitionSet>,
  counts: ReadonlyMap<string, number>,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of members) {
    for (const p of result.get(m.memberId) ?? []) {
      const key = partitionKey(p);
      if (!m.topics.includes(p.topic)) problems.push(`${m.memberId} got ${key} unsubscribed`);
      if (p.partition >= (counts.get(p.topic) ?? 0)) problems.push(`${m.memberId} got missing ${key}`);
      if (seen.has(key)) problems.push(`${key} given twice`);
      seen.add(key);
    }
  }
  for (const [topic, n] of counts) {
    if (!members.some((m) => m.topics.includes(topic))) continue;
    for (let p = 0; p < n; p++) {
      if (!seen.has(partitionKey({ topic, partition: p }))) problems.push(`${topic}/${p} given to nobody`);
    }
  }
  return problems;
}
