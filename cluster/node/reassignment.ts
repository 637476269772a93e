import type { NodeId } from '../../lib/index.js';
import type { ConfChange, ConfState, RaftStatus } from '../../raft/index.js';

/** How far behind the leader's commit a learner may be and still be promoted. */
const promoteLagEntriesMax = 100;

export type ReassignmentStep =
  | { readonly kind: 'wait' }
  | { readonly kind: 'add-learners'; readonly change: ConfChange }
  | { readonly kind: 'transfer'; readonly to: NodeId }
  | { readonly kind: 'promote'; readonly change: ConfChange }
  | { readonly kind: 'complete'; readonly replicas: readonly NodeId[] };

/**
 * The next move of a partition leader whose replica set must become `target`: add the new replicas
 * as learners, wait until they caught up, hand leadership away if this node is leaving, then one
 * joint-consensus change that promotes the learners and drops the leavers, and finally report.
 */
export function nextReassignmentStep(status: RaftStatus, target: readonly NodeId[]): ReassignmentStep {
  const conf = status.confState;
  if (conf.votersOutgoing.length > 0) return { kind: 'wait' };
  const members = new Set([...conf.voters, ...conf.learners]);
  const missing = target.filter((id) => !members.has(id));
  if (missing.length > 0) {
    return {
      kind: 'add-learners',
      change: { changes: missing.map((nodeId) => ({ type: 'add-learner', nodeId })), transition: 'auto' },
    };
  }
  if (sameSet(conf.voters, target) && conf.learners.length === 0)
    return { kind: 'complete', replicas: [...conf.voters] };
  const lagging = conf.learners.filter((id) => target.includes(id) && !caughtUp(status, id));
  if (lagging.length > 0) return { kind: 'wait' };
  if (!target.includes(status.id)) {
    const to =
      target.find((id) => conf.voters.includes(id) && caughtUp(status, id)) ??
      target.find((id) => caughtUp(status, id));
    return to === undefined ? { kind: 'wait' } : { kind: 'transfer', to };
  }
  return { kind: 'promote', change: promotion(conf, target) };
}

function promotion(conf: ConfState, target: readonly NodeId[]): ConfChange {
  const changes: ConfChange['changes'][number][] = [];
  for (const id of conf.learners)
    changes.push(
      target.includes(id) ? { type: 'add-voter', nodeId: id } : { type: 'remove-node', nodeId: id },
    );
  for (const id of conf.voters) if (!target.includes(id)) changes.push({ type: 'remove-node', nodeId: id });
  return { changes, transition: 'auto' };
}

function caughtUp(status: RaftStatus, id: NodeId): boolean {
  const p = status.progress?.get(id);
  return p !== undefined && status.commit - p.match <= promoteLagEntriesMax;
}

function sameSet(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
