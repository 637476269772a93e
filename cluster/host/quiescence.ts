import type { NodeId } from '../../lib/index.js';
import type { RaftStatus } from '../../raft/index.js';

/**
 * Whether a settled group may skip its tick. A leader stops heartbeating a group once every voter has
 * every entry and knows it is committed; a follower stops counting toward an election while the node
 * that leads the group is alive. Node liveness comes from any frame, keepalives included, so a dead or
 * cut-off leader wakes its followers within one election timeout, and any real traffic for the group
 * (a proposal, an append, a vote) wakes it at once.
 */
export function mayQuiesce(
  status: RaftStatus,
  idleTicks: number,
  idleTicksMin: number,
  alive: (peer: NodeId) => boolean,
  challenged = false,
): boolean {
  if (idleTicks < idleTicksMin) return false;
  if (status.commit !== status.lastIndex || status.applied !== status.commit) return false;
  const conf = status.confState;
  if (conf.votersOutgoing.length > 0 || conf.learners.length > 0) return false;
  // A leader that removed itself steps down without a word to its followers, and its node stays alive:
  // a follower must keep counting toward an election once its leader is no longer a voter.
  // A vote request from another voter says that voter lost the leader, though the leader's node may
  // live on (it stepped down, or leads elsewhere): waking resets the election timer, so a follower that
  // quiesced again before it ran out would refuse every such request for good (its lease never ends).
  if (status.role === 'follower')
    return !challenged && status.leader !== 0 && alive(status.leader) && conf.voters.includes(status.leader);
  if (status.role !== 'leader' || status.progress === undefined) return false;
  // A transfer drops every proposal until it completes or aborts, and only a tick aborts it.
  if (status.leadTransferee !== undefined) return false;
  for (const voter of conf.voters) {
    if (voter === status.id) continue;
    const p = status.progress.get(voter);
    if (p === undefined || p.match !== status.lastIndex || !alive(voter)) return false;
  }
  return true;
}
