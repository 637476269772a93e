import type { NodeId } from '../../lib/index.js';
import type { RaftGroup } from './raft-group.js';

/**
 * Which groups the host must look at, so an idle node costs nothing per hosted group:
 * - `awake`: groups the tick visits. Every group that is not quiesced is in it; a quiesced one comes
 *   back when something touches it (a message, a proposal, any call on its RawNode) or when a peer it
 *   may depend on stops being alive, and leaves again at the tick that finds it still quiescent.
 * - `dirty`: groups that may have a Ready. The ready cycle asks only these, not every group.
 * A quiesced group's quiescence holds until one of these two happens (see quiescence.ts): its own
 * state changes only through its RawNode, and the liveness of the nodes it waits on is watched here,
 * once per peer, instead of once per group.
 */
export class GroupActivity {
  readonly awake = new Set<RaftGroup>();
  private dirty = new Set<RaftGroup>();
  private livePeers: ReadonlySet<NodeId> = new Set();

  /** Something changed the group: the next tick re-examines it and the next cycle asks it for a Ready. */
  touch(group: RaftGroup): void {
    this.awake.add(group);
    this.dirty.add(group);
  }

  /** The group was ticked or produced a Ready: only the cycle needs to ask it again. */
  mayHaveReady(group: RaftGroup): void {
    this.dirty.add(group);
  }

  /** The groups that may have a Ready, emptied: a cycle asks each once. */
  takeDirty(): Set<RaftGroup> {
    const taken = this.dirty;
    this.dirty = new Set();
    return taken;
  }

  forget(group: RaftGroup): void {
    this.awake.delete(group);
    this.dirty.delete(group);
  }

  /**
   * Takes this tick's live peers. When one that was alive no longer is, the quiesced groups that
   * depend on it are woken for one look: a follower it leads must count toward an election again,
   * and a leader that no longer reaches a quorum must tick so that check-quorum can depose it. A
   * leader that still reaches a quorum stays quiesced: waking it would only make it heartbeat, and
   * a node that was merely slow would bring every group of the cluster awake at once. This is the
   * only scan over every group, once per lost peer.
   */
  noteLivePeers(live: ReadonlySet<NodeId>, groups: Iterable<RaftGroup>): void {
    const lost = new Set<NodeId>();
    for (const peer of this.livePeers) if (!live.has(peer)) lost.add(peer);
    this.livePeers = live;
    if (lost.size === 0) return;
    for (const g of groups) if (g.quiesced && dependsOnLost(g, lost, live)) this.awake.add(g);
  }

  isLive(peer: NodeId): boolean {
    return this.livePeers.has(peer);
  }
}

function dependsOnLost(group: RaftGroup, lost: ReadonlySet<NodeId>, live: ReadonlySet<NodeId>): boolean {
  const { role, leader, id, confState } = group.status();
  if (role !== 'leader') return leader === 0 || lost.has(leader);
  const reached = confState.voters.filter((v) => v === id || live.has(v)).length;
  return reached <= confState.voters.length / 2;
}
