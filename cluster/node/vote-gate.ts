import type { Logger } from 'pino';
import type { GroupId, NodeId } from '../../lib/index.js';
import type { GroupMessage, RaftGroup } from '../host/index.js';

export interface VoteGateContext {
  readonly nodeId: NodeId;
  readonly controllerGroup: GroupId;
  readonly group: (id: GroupId) => RaftGroup | undefined;
  /** The controller replica's applied index and next partition group id. */
  readonly controllerApplied: () => { appliedIndex: number; nextGroupId: number };
  readonly logger: Logger;
}

const voteRequests: ReadonlySet<string> = new Set(['vote', 'pre-vote']);

/**
 * Keeps a node that lost its data directory from voting before it has caught up. It forgot its
 * votes and its log, so a vote from it could elect a second leader in a term it already voted in, or
 * a leader that lacks entries it had acknowledged. Until a group has caught up, this node grants no
 * vote (vote and pre-vote requests to it are dropped, as if it were down) and asks for none (its
 * vote requests are dropped; pre-votes still go, since they change no state and wake a quiet leader).
 *
 * A group has caught up once its commit index holds an entry of the current leader's term: a leader
 * commits its own first entry after every entry committed before it, so this node then holds every
 * acknowledged entry. Groups created after the controller caught up (ids at or above the controller's
 * next group id at that point) never held a vote of this node and are not gated.
 */
export class VoteGate {
  private readonly released = new Set<GroupId>();
  private freshFrom = Number.POSITIVE_INFINITY;

  constructor(
    private readonly active: boolean,
    private readonly ctx: VoteGateContext,
  ) {
    if (active) ctx.logger.warn('empty data directory in a formed cluster: not voting until caught up');
  }

  /** Messages from peers, without vote requests to a group that has not caught up. */
  inbound(messages: readonly GroupMessage[]): readonly GroupMessage[] {
    if (!this.active) return messages;
    return messages.filter((m) => !(voteRequests.has(m.message.type) && this.gated(m.groupId)));
  }

  /**
   * Messages to peers, without this node's vote requests for a group that has not caught up. Every
   * message of a gated group re-checks it, so a group is released as soon as its answers to the
   * leader show it caught up (a leadership transfer to this node must not find it still gated).
   */
  outbound(messages: readonly GroupMessage[]): readonly GroupMessage[] {
    if (!this.active) return messages;
    return messages.filter((m) => {
      const gated = this.gated(m.groupId);
      return !(gated && m.message.type === 'vote');
    });
  }

  /**
   * Re-checks gated groups without waiting for a message of theirs: a quiet group (the controller
   * between commands, any group once quiesced) sends nothing after its last append, and the entry
   * that releases it may be applied only after that answer went out.
   */
  recheck(groupIds: Iterable<GroupId>): void {
    if (!this.active) return;
    for (const id of groupIds) if (!this.released.has(id)) this.gated(id);
  }

  /** Whether this node may start an election in the group now. */
  mayCampaign(groupId: GroupId): boolean {
    return !this.active || !this.gated(groupId);
  }

  private gated(groupId: GroupId): boolean {
    if (this.released.has(groupId)) return false;
    if (groupId !== this.ctx.controllerGroup && groupId >= this.freshFrom) return false;
    if (!this.caughtUp(groupId)) return true;
    this.released.add(groupId);
    if (groupId === this.ctx.controllerGroup) this.freshFrom = this.ctx.controllerApplied().nextGroupId;
    this.ctx.logger.info({ group: groupId }, 'caught up after rejoining: voting again in this group');
    return false;
  }

  private caughtUp(groupId: GroupId): boolean {
    const group = this.ctx.group(groupId);
    if (group === undefined) return false;
    const s = group.status();
    if (s.leader === 0 || s.leader === this.ctx.nodeId || s.commit === 0) return false;
    let termAtCommit: number;
    try {
      termAtCommit = group.storage.term(s.commit);
    } catch {
      return false;
    }
    if (termAtCommit !== s.term) return false;
    return groupId !== this.ctx.controllerGroup || this.ctx.controllerApplied().appliedIndex >= s.commit;
  }
}
