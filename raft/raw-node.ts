import { assert, type LogIndex, type NodeId, type Term } from '../lib/index.js';
import type { RaftConfig } from './config.js';
import type { ConfChange } from './conf-change.js';
import type { ConfState, Entry, HardState, Snapshot } from './log-types.js';
import type { Message } from './message.js';
import type { ProgressState } from './progress.js';
import { Raft, type Role } from './raft.js';
import type { ReadState } from './read-only.js';

export interface SoftState {
  readonly leader: NodeId | 0;
  readonly role: Role;
}

/** One batch of work for the caller: persist, then send, then apply, then advance(). */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
  messages: Message[];
  committedEntries: Entry[];
  readStates: ReadState[];
  mustSync: boolean;
}

export interface RaftStatus {
  id: NodeId;
  term: Term;
  vote: NodeId | 0;
  role: Role;
  leader: NodeId | 0;
  commit: LogIndex;
  applied: LogIndex;
  lastIndex: LogIndex;
  confState: ConfState;
  /** On a leader handing leadership over: the node it goes to (the transfer aborts after E ticks). */
  leadTransferee?: NodeId;
  progress?: ReadonlyMap<NodeId, ProgressStatus>;
}

/** A follower's replication progress as its leader sees it (a copy). */
export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  wantsSnapshot?: boolean;
}

interface Outstanding {
  last?: { index: number; term: number };
  snapshotIndex?: number;
  appliedTo?: number;
  committed: Entry[];
}

/** The caller's handle on a Raft node: etcd's RawNode shape, synchronous and deterministic. */
export class RawNode {
  private readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private outstanding: Outstanding | undefined;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoft = this.softState();
    this.prevHard = this.hardState();
  }

  tick(): void {
    this.raft.tick();
  }

  campaign(): void {
    this.raft.hup(false);
  }

  propose(data: Uint8Array): { index: LogIndex; term: Term } {
    return this.raft.propose([{ type: 'normal', data }]);
  }

  proposeConfChange(cc: ConfChange): { index: LogIndex; term: Term } {
    return this.raft.proposeConfChange(cc);
  }

  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  step(message: Message): void {
    this.raft.step(message);
  }

  transferLeader(to: NodeId): void {
    this.raft.transferLeader(to);
  }

  readIndex(context: Uint8Array): void {
    const r = this.raft;
    const local: Message = {
      type: 'read-index',
      from: r.id,
      to: r.leader === 0 ? r.id : r.leader,
      term: r.term as Term,
      logTerm: 0 as Term,
      index: 0 as LogIndex,
      entries: [],
      commit: 0 as LogIndex,
      reject: false,
      rejectHint: 0 as LogIndex,
      context,
    };
    if (r.role === 'leader') r.handleReadIndex(local);
    else if (r.leader !== 0) r.msgs.push(local);
  }

  /** See Raft.forgetLeader: lets a follower that saw its leader die vote (and win) at once. */
  forgetLeader(): void {
    this.raft.forgetLeader();
  }

  /** See Raft.resumeAfterQuiescence. */
  resumeAfterQuiescence(): void {
    this.raft.resumeAfterQuiescence();
  }

  reportUnreachable(peer: NodeId): void {
    const p = this.raft.role === 'leader' ? this.raft.progress.get(peer) : undefined;
    if (p?.state === 'replicate') p.becomeProbe();
  }

  /**
   * True once after a follower with no configuration refused this leader's entries from index 1:
   * the host should snapshot the group and compact its log, so the follower gets a snapshot.
   */
  takeSnapshotWish(): boolean {
    const wanted = this.raft.snapshotWanted;
    this.raft.snapshotWanted = false;
    return wanted;
  }

  hasReady(): boolean {
    if (this.outstanding !== undefined) return false;
    const r = this.raft;
    const log = r.log;
    return (
      !sameSoft(this.softState(), this.prevSoft) ||
      !sameHard(this.hardState(), this.prevHard) ||
      log.unstableSnapshot !== undefined ||
      log.unstable.length > 0 ||
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      log.committed > log.applied
    );
  }

  ready(): Ready {
    assert(this.outstanding === undefined, 'ready() called again before advance()');
    const r = this.raft;
    const log = r.log;
    const soft = this.softState();
    const hard = this.hardState();
    const committed =
      log.committed > log.applied
        ? (log.slice(log.applied + 1, log.committed + 1, r.config.appendEntriesBytesMax * 8) ?? [])
        : [];
    const rd: Ready = {
      entries: [...log.unstable],
      messages: r.msgs,
      committedEntries: committed,
      readStates: r.readStates,
      mustSync: false,
    };
    if (!sameSoft(soft, this.prevSoft)) rd.softState = soft;
    if (!sameHard(hard, this.prevHard)) rd.hardState = hard;
    if (log.unstableSnapshot) rd.snapshot = log.unstableSnapshot;
    rd.mustSync =
      rd.entries.length > 0 ||
      rd.snapshot !== undefined ||
      hard.term !== this.prevHard.term ||
      hard.vote !== this.prevHard.vote;
    r.msgs = [];
    r.readStates = [];
    this.prevSoft = soft;
    this.prevHard = hard;
    const last = rd.entries[rd.entries.length - 1];
    const o: Outstanding = { committed };
    if (last) o.last = { index: last.index, term: last.term };
    if (rd.snapshot) o.snapshotIndex = rd.snapshot.metadata.index;
    const lastCommitted = committed[committed.length - 1];
    if (lastCommitted) o.appliedTo = lastCommitted.index;
    this.outstanding = o;
    return rd;
  }

  advance(): void {
    const o = this.outstanding;
    assert(o !== undefined, 'advance() without a ready()');
    this.outstanding = undefined;
    const log = this.raft.log;
    if (o.snapshotIndex !== undefined) {
      log.stableSnapshotTo(o.snapshotIndex);
      log.applied = Math.max(log.applied, o.snapshotIndex);
    }
    if (o.last) {
      log.stableTo(o.last.index, o.last.term);
      this.raft.selfAck(o.last.index, o.last.term);
    }
    if (o.appliedTo !== undefined) {
      log.applied = Math.max(log.applied, o.appliedTo);
      this.raft.reduceUncommitted(o.committed);
      this.raft.maybeAutoLeave();
    }
  }

  /** The leader this node knows (0: none); cheap, unlike status(), for paths that ask per request. */
  get leader(): NodeId | 0 {
    return this.raft.leader;
  }

  get role(): Role {
    return this.raft.role;
  }

  status(): RaftStatus {
    const r = this.raft;
    const status: RaftStatus = {
      id: r.id,
      term: r.term as Term,
      vote: r.vote,
      role: r.role,
      leader: r.leader,
      commit: r.log.committed as LogIndex,
      applied: r.log.applied as LogIndex,
      lastIndex: r.log.lastIndex() as LogIndex,
      confState: r.conf,
    };
    if (r.role === 'leader') {
      if (r.leadTransferee !== 0) status.leadTransferee = r.leadTransferee;
      const progress = new Map<NodeId, ProgressStatus>();
      for (const [id, p] of r.progress)
        progress.set(id, { match: p.match, next: p.next, state: p.state, wantsSnapshot: p.wantsSnapshot });
      status.progress = progress;
    }
    return status;
  }

  private softState(): SoftState {
    return { leader: this.raft.leader, role: this.raft.role };
  }

  private hardState(): HardState {
    const r = this.raft;
    return { term: r.term as Term, vote: r.vote, commit: r.log.committed as LogIndex };
  }
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
