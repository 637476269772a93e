import type { Logger } from 'pino';
import type { GroupId, NodeId } from '../../lib/index.js';
import type { GroupMessage, RaftGroup } from '../host/index.js';

export interface VoteGateContext {
  readonly nodeId: NodeId;
  readonly controllerGroup: GroupId;
  readonly group: (id: GroupId) => RaftGroup | undefined;
  /** The controller replica's applied index and next partition group id. */
  readonly controllerApplied: () => { appliedIndex: number; nextGroupId: number };
  /** The partition groups the controller (as this node has applied it) assigns to this node. */
  readonly assigned: () => Iterable<GroupId>;
  /**
   * Every group whose votes this node forgot has caught up: record it durably (the node's
   * rejoining marker), so a restart from here on votes at once. A restart before it gates again.
   */
  readonly caughtUpEverywhere: () => Promise<void>;
  readonly logger: Logger;
}

const voteRequests: ReadonlySet<string> = new Set(['vote', 'pre-vote']);

/** What an operator sees of the gate (metrics): whether the node still catches up, and where. */
export interface VoteGateState {
  /** The node lost its data directory and has not recorded that it caught up everywhere. */
  readonly rejoining: boolean;
  /** Hosted groups in which the node neither votes nor asks for votes yet, or asks for none. */
  readonly gatedGroups: number;
}

/**
 * Keeps a node that lost its data directory from voting before it has caught up. It forgot its
 * votes and its log, so a vote from it could elect a second leader in a term it already voted in, or
 * a leader that lacks entries it had acknowledged. Until a group has caught up, this node grants no
 * vote (vote and pre-vote requests to it are dropped, as if it were down) and asks for none (its
 * vote requests are dropped; pre-votes still go, since they change no state and wake a quiet leader).
 *
 * The node remembers that it is rejoining (storage's rejoining marker) until every group whose votes
 * it forgot has caught up, so a restart in between gates it again instead of letting it vote as a
 * node that lost nothing.
 *
 * A group has caught up once its commit index holds an entry of the current leader's term: a leader
 * commits its own first entry after every entry committed before it, so this node then holds every
 * acknowledged entry. Groups created after the controller caught up (ids at or above the controller's
 * next group id at that point) never held a vote of this node and are not gated.
 *
 * The same gate holds a group this node joins with an empty log while the group runs elsewhere
 * (a replica added or moved here, or back here), half of it: the node asks for no vote until caught
 * up. It starts from the group's first configuration, where it may be a voter, and two such replicas
 * would otherwise elect each other and run a second group of their own. It still grants votes: it
 * lost nothing (an empty log acknowledged nothing, its term and vote were kept), and the group may
 * need it for a quorum (a replica removed from three leaves two, both needed).
 */
export class VoteGate {
  private readonly released = new Set<GroupId>();
  /** Groups joined with an empty log (gated whether or not the node lost its data directory). */
  private readonly joining = new Set<GroupId>();
  private freshFrom = Number.POSITIVE_INFINITY;
  /** The catch-up is recorded durably (or being recorded): nothing left for recheck to do. */
  private recorded = false;
  /** The record of the catch-up is written: the node is no longer rejoining. */
  private caughtUpRecorded = false;

  constructor(
    private readonly active: boolean,
    private readonly ctx: VoteGateContext,
  ) {
    if (active) ctx.logger.warn('empty data directory in a formed cluster: not voting until caught up');
  }

  /** Messages from peers, without vote requests to a group whose votes this node forgot. */
  inbound(messages: readonly GroupMessage[]): readonly GroupMessage[] {
    if (!this.active) return messages;
    return messages.filter(
      (m) => !(voteRequests.has(m.message.type) && this.forgotVotes(m.groupId) && this.gated(m.groupId)),
    );
  }

  /**
   * Messages to peers, without this node's vote requests for a group that has not caught up. Every
   * message of a gated group re-checks it, so a group is released as soon as its answers to the
   * leader show it caught up (a leadership transfer to this node must not find it still gated).
   */
  outbound(messages: readonly GroupMessage[]): readonly GroupMessage[] {
    if (!this.engaged) return messages;
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
    if (!this.engaged) return;
    for (const id of groupIds) if (!this.released.has(id)) this.gated(id);
    if (this.active && !this.recorded && this.everyForgottenGroupReleased()) {
      this.recorded = true;
      this.ctx.caughtUpEverywhere().then(
        () => {
          this.caughtUpRecorded = true;
          this.ctx.logger.info('caught up in every group after rejoining');
        },
        (error: unknown) => {
          this.recorded = false; // the next recheck tries again
          this.ctx.logger.warn({ err: error }, 'could not record the catch-up after rejoining');
        },
      );
    }
  }

  /**
   * The controller and every partition group assigned here whose votes were forgotten are released.
   * A group assigned but not created yet is not, so the record never runs ahead of the reconciler.
   */
  private everyForgottenGroupReleased(): boolean {
    if (!this.released.has(this.ctx.controllerGroup)) return false;
    for (const id of this.ctx.assigned()) if (this.forgotVotes(id) && !this.released.has(id)) return false;
    return true;
  }

  /** Reads the sets only: a group is released by its own traffic or `recheck`, never by a look. */
  state(): VoteGateState {
    if (!this.engaged) return { rejoining: false, gatedGroups: 0 };
    const candidates = new Set<GroupId>([this.ctx.controllerGroup, ...this.ctx.assigned(), ...this.joining]);
    let gatedGroups = 0;
    for (const id of candidates) {
      const held = this.joining.has(id) || this.forgotVotes(id);
      if (held && !this.released.has(id) && this.ctx.group(id) !== undefined) gatedGroups++;
    }
    return { rejoining: this.active && !this.caughtUpRecorded, gatedGroups };
  }

  /** Whether this node may start an election in the group now. */
  mayCampaign(groupId: GroupId): boolean {
    return !this.engaged || !this.gated(groupId);
  }

  /** Gates a group this node joins with an empty log until it has caught up (see the class comment). */
  gateJoin(groupId: GroupId): void {
    this.released.delete(groupId);
    this.joining.add(groupId);
  }

  /** The group left this node. */
  forget(groupId: GroupId): void {
    this.joining.delete(groupId);
  }

  /** The node lost its data directory, and with it the votes it gave in this group. */
  private forgotVotes(groupId: GroupId): boolean {
    return this.active && (groupId === this.ctx.controllerGroup || groupId < this.freshFrom);
  }

  private get engaged(): boolean {
    return this.active || this.joining.size > 0;
  }

  private gated(groupId: GroupId): boolean {
    if (this.released.has(groupId)) return false;
    if (!this.joining.has(groupId) && !this.forgotVotes(groupId)) return false;
    if (!this.caughtUp(groupId)) return true;
    this.released.add(groupId);
    this.joining.delete(groupId);
    if (groupId === this.ctx.controllerGroup && this.active)
      this.freshFrom = this.ctx.controllerApplied().nextGroupId;
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
