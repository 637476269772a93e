import type { NodeId } from '../../lib/index.js';
import type { ConfChange, RaftStatus } from '../../raft/index.js';
import type { NodeMembership } from '../controller/index.js';

/** How far behind the leader's commit a learner may be and still be promoted. */
const promoteLagEntriesMax = 100;
/** Voters of the controller: every node up to this many, the rest follow as learners. */
export const controllerVotersMax = 5;

/** What the controller leader knows of a registered node. */
export interface ControllerMember {
  readonly id: NodeId;
  readonly membership: NodeMembership;
  /** Heard from within an election timeout. */
  readonly alive: boolean;
}

export type ControllerMembershipStep =
  | { readonly kind: 'none' }
  | { readonly kind: 'add-learners'; readonly change: ConfChange }
  | { readonly kind: 'transfer'; readonly to: NodeId }
  | { readonly kind: 'change'; readonly change: ConfChange };

/**
 * The controller leader's next change of the controller group's configuration, one at a time:
 * 1. a removed node leaves (its leadership moves first if it is this node), together with the
 *    promotion of a caught-up learner when that keeps the voters at the cap;
 * 2. every live registered node outside the group joins as a learner;
 * 3. a live, active learner that has caught up becomes a voter while there are fewer than the cap.
 * A node is never promoted before it holds the log up to about the leader's commit, so a new or
 * wiped node cannot vote before it has caught up.
 */
export function nextControllerMembershipStep(
  status: RaftStatus,
  members: readonly ControllerMember[],
  votersMax: number = controllerVotersMax,
): ControllerMembershipStep {
  const conf = status.confState;
  if (conf.votersOutgoing.length > 0 || conf.learnersNext.length > 0) return { kind: 'none' };
  const inGroup = new Set([...conf.voters, ...conf.learners]);
  const byId = new Map(members.map((m) => [m.id, m]));
  const promotable = conf.learners
    .filter((id) => byId.get(id)?.membership === 'active' && byId.get(id)?.alive === true)
    .filter((id) => caughtUp(status, id))
    .sort((a, b) => a - b);
  const leaving = [...inGroup].filter((id) => byId.get(id)?.membership === 'removed').sort((a, b) => a - b);
  if (leaving.length > 0) return removal(status, leaving, promotable, votersMax);
  const joining = members
    .filter((m) => m.membership !== 'removed' && m.alive && !inGroup.has(m.id))
    .map((m) => m.id)
    .sort((a, b) => a - b);
  if (joining.length > 0) {
    return {
      kind: 'add-learners',
      change: { changes: joining.map((nodeId) => ({ type: 'add-learner', nodeId })), transition: 'auto' },
    };
  }
  const next = promotable[0];
  if (conf.voters.length < votersMax && next !== undefined) {
    return { kind: 'change', change: { changes: [{ type: 'add-voter', nodeId: next }], transition: 'auto' } };
  }
  return { kind: 'none' };
}

function removal(
  status: RaftStatus,
  leaving: readonly NodeId[],
  promotable: readonly NodeId[],
  votersMax: number,
): ControllerMembershipStep {
  const conf = status.confState;
  const staying = conf.voters.filter((id) => !leaving.includes(id));
  if (leaving.includes(status.id)) {
    const to = staying.find((id) => caughtUp(status, id)) ?? promotable[0];
    return to === undefined ? { kind: 'none' } : { kind: 'transfer', to };
  }
  const room = Math.max(0, votersMax - staying.length);
  const promoted = promotable.slice(
    0,
    Math.min(room, leaving.filter((id) => conf.voters.includes(id)).length),
  );
  if (staying.length + promoted.length === 0) return { kind: 'none' };
  return {
    kind: 'change',
    change: {
      changes: [
        ...leaving.map((nodeId) => ({ type: 'remove-node' as const, nodeId })),
        ...promoted.map((nodeId) => ({ type: 'add-voter' as const, nodeId })),
      ],
      transition: 'auto',
    },
  };
}

function caughtUp(status: RaftStatus, id: NodeId): boolean {
  const p = status.progress?.get(id);
  return p !== undefined && status.commit - p.match <= promoteLagEntriesMax;
}

/**
 * Whether removing `node` keeps a controller that can commit: the voters left (or, when none would
 * be left, the learners that would be promoted) must have a live majority among them.
 */
export function controllerSurvivesRemoval(
  voters: readonly NodeId[],
  learners: readonly NodeId[],
  node: NodeId,
  isAlive: (id: NodeId) => boolean,
): { ok: true } | { ok: false; why: string } {
  const staying = voters.filter((id) => id !== node);
  const successors = staying.length > 0 ? staying : learners.filter((id) => id !== node).slice(0, 1);
  if (successors.length === 0) return { ok: false, why: `node ${node} is the controller's only member` };
  const live = successors.filter(isAlive).length;
  const majority = Math.floor(successors.length / 2) + 1;
  if (live >= majority) return { ok: true };
  return {
    ok: false,
    why:
      `removing node ${node} would leave the controller ${successors.length} voters of which only ` +
      `${live} are live, short of a majority (${majority}): bring the down nodes back first`,
  };
}
