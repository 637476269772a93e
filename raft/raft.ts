import { assert, RaftlogError, type LogIndex, type NodeId, type Term } from '../lib/index.js';
import { validateConfig, type RaftConfig } from './config.js';
import {
  allMembers,
  allVoters,
  isJoint,
  nextConfState,
  type ConfChange,
  encodeConfChange,
} from './conf-change.js';
import type { ConfState, Entry, Snapshot } from './log-types.js';
import type { Message, MessageType } from './message.js';
import { implausibility } from './message-bounds.js';
import { Progress } from './progress.js';
import { jointIndex, jointVote } from './quorum.js';
import { RaftLog } from './raft-log.js';
import { RaftStorageError } from './raft-storage.js';
import { ReadOnlyQueue, type ReadState } from './read-only.js';

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

const none = 0 as const;
const transferContext = new Uint8Array([1]);
const empty = new Uint8Array();

/** The Raft state machine. RawNode wraps it with the Ready/advance protocol. */
export class Raft {
  /** A follower refused entries from index 1 and waits for a snapshot (taken by RawNode). */
  snapshotWanted = false;
  readonly id: NodeId;
  term = 0;
  vote: NodeId | 0 = none;
  role: Role = 'follower';
  leader: NodeId | 0 = none;
  readonly log: RaftLog;
  conf: ConfState;
  readonly progress = new Map<NodeId, Progress>();
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** Votes of the election under way; made when one starts (most groups of a node hold none). */
  private votes: Map<NodeId, boolean> | undefined;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  leadTransferee: NodeId | 0 = none;
  pendingConfIndex = 0;
  uncommittedBytes = 0;
  private readonly readOnly = new ReadOnlyQueue();
  /** ReadIndex requests held until this leader commits an entry of its term. */
  private pendingReads: Message[] = [];
  /** Snapshot chunks being reassembled by a follower. */
  private incomingSnapshot: { term: number; index: number; parts: Uint8Array[]; bytes: number } | undefined;

  constructor(readonly config: RaftConfig) {
    validateConfig(config);
    this.id = config.id;
    const { hardState, confState } = config.storage.initialState();
    this.log = new RaftLog(config.storage, config.applied ?? 0);
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.conf = confState;
    this.resetProgress();
    this.becomeFollower(this.term, none);
  }

  // ---- roles ----

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = none;
    }
    this.leader = none;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    const e = this.config.electionTimeoutTicks;
    this.randomizedElectionTimeout = this.config.prng.intBetween(e, 2 * e - 1);
    this.votes = undefined;
    this.leadTransferee = none;
    this.readOnly.clear();
    this.pendingReads = [];
    this.resetProgress();
  }

  private resetProgress(): void {
    this.progress.clear();
    for (const id of allMembers(this.conf)) this.progress.set(id, this.newProgress(id));
  }

  private newProgress(id: NodeId): Progress {
    const p = new Progress(this.log.lastIndex() + 1, this.config.inflightMessagesMax);
    if (id === this.id) p.match = this.log.stableLastIndex();
    return p;
  }

  becomeFollower(term: number, leader: NodeId | 0): void {
    this.reset(term);
    this.role = 'follower';
    this.leader = leader;
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a pre-candidate');
    // Term and vote stay: a pre-vote changes nothing durable.
    this.role = 'pre-candidate';
    this.votes = undefined;
    this.leader = none;
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    this.reset(this.term);
    this.role = 'leader';
    this.leader = this.id;
    this.uncommittedBytes = 0;
    // Conservatively treat any conf change in the log as pending until it is applied.
    this.pendingConfIndex = this.log.lastIndex();
    this.appendEntries([{ type: 'normal', data: empty }]);
  }

  isVoter(id: NodeId = this.id): boolean {
    return this.conf.voters.includes(id) || this.conf.votersOutgoing.includes(id);
  }

  // ---- time ----

  tick(): void {
    if (this.role === 'leader') return this.tickLeader();
    this.electionElapsed++;
    if (this.isVoter() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    for (const [id, p] of this.progress) {
      if (id === this.id || p.state !== 'snapshot' || p.pendingSnapshot === undefined) continue;
      if (++p.pendingSnapshot.idleTicks >= this.config.electionTimeoutTicks) p.becomeProbe();
    }
    for (const [id, p] of this.progress) if (id !== this.id) p.silentTicks++;
    // Checked every tick, not once per window: a cut-off leader steps down E ticks after it last
    // heard from a quorum, not up to 2E, so its waiting clients learn of the loss sooner.
    if (this.config.checkQuorum && !this.quorumHeardWithin(this.config.electionTimeoutTicks)) {
      this.becomeFollower(this.term, none);
      return;
    }
    if (this.electionElapsed >= this.config.electionTimeoutTicks) {
      this.electionElapsed = 0;
      for (const [id, p] of this.progress) if (id !== this.id) p.recentActive = false;
      if (this.leadTransferee !== none) this.leadTransferee = none;
    }
    // A transfer may have held the automatic leave back: retry it once the transfer is over.
    this.maybeAutoLeave();
    if (this.heartbeatElapsed >= this.config.heartbeatIntervalTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat(this.readOnly.lastContext());
    }
  }

  private quorumHeardWithin(ticks: number): boolean {
    const active = new Map<NodeId, boolean>();
    for (const [id, p] of this.progress) active.set(id, id === this.id || p.silentTicks < ticks);
    return jointVote(this.conf.voters, this.conf.votersOutgoing, active) === 'won';
  }

  // ---- elections ----

  /**
   * Drops a leader this node knows is gone (its process refused a connection), so leader stickiness
   * no longer refuses (pre-)votes. Safety is untouched: votes still require an up-to-date log.
   */
  forgetLeader(): void {
    if (this.role === 'follower') this.leader = none;
  }

  /**
   * The caller stopped ticking this group for a while (quiescence) while it saw every peer's node
   * alive. Restarts the election and check-quorum windows so the pause itself is not mistaken for
   * silence: a leader counts its followers as recently active, a follower its leader as just heard.
   */
  resumeAfterQuiescence(): void {
    this.electionElapsed = 0;
    if (this.role === 'leader')
      for (const [id, p] of this.progress) {
        if (id === this.id) continue;
        p.recentActive = true;
        p.silentTicks = 0;
      }
  }

  hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.isVoter()) return;
    if (this.hasUnappliedConfChange()) return;
    if (this.config.preVote && !transfer) this.campaign('pre-vote', false);
    else this.campaign('vote', transfer);
  }

  private hasUnappliedConfChange(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    const ents = this.log.slice(this.log.applied + 1, this.log.committed + 1, Number.MAX_SAFE_INTEGER) ?? [];
    return ents.some((e) => e.type === 'conf-change');
  }

  private campaign(kind: 'pre-vote' | 'vote', transfer: boolean): void {
    if (kind === 'pre-vote') this.becomePreCandidate();
    else this.becomeCandidate();
    const term = kind === 'pre-vote' ? this.term + 1 : this.term;
    (this.votes ??= new Map()).set(this.id, true);
    if (this.pollResult() === 'won') return this.onElectionWon(kind);
    for (const id of allVoters(this.conf)) {
      if (id === this.id) continue;
      this.send({
        ...this.blank(kind, id),
        term: term as Term,
        index: this.log.lastIndex() as LogIndex,
        logTerm: this.log.lastTerm() as Term,
        ...(transfer ? { context: transferContext } : {}),
      });
    }
  }

  private pollResult(): 'won' | 'lost' | 'pending' {
    return jointVote(this.conf.voters, this.conf.votersOutgoing, this.votes ?? new Map());
  }

  private onElectionWon(kind: 'pre-vote' | 'vote'): void {
    if (kind === 'pre-vote') this.campaign('vote', false);
    else {
      this.becomeLeader();
      this.broadcastAppend();
    }
  }

  // ---- messages in ----

  step(m: Message): void {
    if (!this.isSane(m)) return;
    // Peer input, even from an authenticated peer: refused before it can move this node's term.
    const problem = implausibility(m, this.term);
    if (problem !== undefined) {
      throw new RaftlogError('INVALID_ARGUMENT', `refused a ${m.type} from node ${m.from}: ${problem}`);
    }
    if (m.term > this.term) {
      if (!this.acceptHigherTerm(m)) return;
    } else if (m.term < this.term) {
      return this.answerStaleTerm(m);
    }
    switch (m.type) {
      case 'vote':
      case 'pre-vote':
        return this.handleVoteRequest(m);
      default:
        break;
    }
    switch (this.role) {
      case 'leader':
        return this.stepLeader(m);
      case 'candidate':
      case 'pre-candidate':
        return this.stepCandidate(m);
      case 'follower':
        return this.stepFollower(m);
    }
  }

  private isSane(m: Message): boolean {
    return (
      typeof m === 'object' &&
      m !== null &&
      m.to === this.id &&
      m.from !== this.id &&
      Number.isSafeInteger(m.term) &&
      m.term >= 0 &&
      Number.isSafeInteger(m.index) &&
      m.index >= 0 &&
      Array.isArray(m.entries) &&
      entriesFollow(m)
    );
  }

  /** False when the message must be dropped instead of moving this node to its term. */
  private acceptHigherTerm(m: Message): boolean {
    if (m.type === 'vote' || m.type === 'pre-vote') {
      const force = m.context !== undefined && m.context.byteLength === 1 && m.context[0] === 1;
      // A (pre-)vote from the leader we follow proves it no longer leads (check-quorum deposed it):
      // its lease is over. Otherwise followers that never stopped trusting it (a quiesced group,
      // whose followers do not count ticks while its node is alive) would refuse every candidate.
      const inLease =
        this.config.checkQuorum &&
        this.leader !== none &&
        m.from !== this.leader &&
        this.electionElapsed < this.config.electionTimeoutTicks;
      if (!force && inLease) return false;
    }
    if (m.type === 'pre-vote') return true;
    if (m.type === 'pre-vote-response' && !m.reject) return true;
    const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
    const keepTimer = m.type === 'vote' && this.role !== 'leader';
    const [elapsed, timeout] = [this.electionElapsed, this.randomizedElectionTimeout];
    this.becomeFollower(m.term, fromLeader ? m.from : none);
    if (keepTimer) {
      // Raft resets the election timer only for a live leader or a granted vote (§5.2). A vote we
      // may refuse must not restart our clock, or a candidate with a stale log that keeps raising
      // the term would hold off every node that could win.
      this.electionElapsed = elapsed;
      this.randomizedElectionTimeout = timeout;
    }
    return true;
  }

  private answerStaleTerm(m: Message): void {
    if ((this.config.checkQuorum || this.config.preVote) && (m.type === 'heartbeat' || m.type === 'append')) {
      // Tells a stale leader (perhaps one that kept us a stuck candidate) about the newer term.
      this.send({ ...this.blank('append-response', m.from) });
    } else if (m.type === 'pre-vote') {
      this.send({ ...this.blank('pre-vote-response', m.from), reject: true });
    }
  }

  private handleVoteRequest(m: Message): void {
    const pre = m.type === 'pre-vote';
    const canVote =
      this.vote === m.from || (this.vote === none && this.leader === none) || (pre && m.term > this.term);
    const grant = canVote && this.log.isUpToDate(m.index, m.logTerm);
    const responseType: MessageType = pre ? 'pre-vote-response' : 'vote-response';
    if (grant) {
      this.send({ ...this.blank(responseType, m.from), term: m.term });
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ ...this.blank(responseType, m.from), reject: true });
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        this.becomeFollower(m.term, m.from);
        return this.stepFollower(m);
      case 'pre-vote-response':
      case 'vote-response': {
        const mine = this.role === 'pre-candidate' ? 'pre-vote-response' : 'vote-response';
        if (m.type !== mine) return;
        (this.votes ??= new Map()).set(m.from, !m.reject);
        const result = this.pollResult();
        if (result === 'won') this.onElectionWon(this.role === 'pre-candidate' ? 'pre-vote' : 'vote');
        else if (result === 'lost') this.becomeFollower(this.term, none);
        return;
      }
      default:
        return;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.electionElapsed = 0;
        this.leader = m.from;
        return this.handleAppend(m);
      case 'heartbeat':
        this.electionElapsed = 0;
        this.leader = m.from;
        return this.handleHeartbeat(m);
      case 'snapshot':
        this.electionElapsed = 0;
        this.leader = m.from;
        return this.handleSnapshotChunk(m);
      case 'timeout-now':
        return this.hup(true);
      case 'read-index':
        if (this.leader !== none)
          this.send({ ...m, from: this.id, to: this.leader, term: this.term as Term });
        return;
      case 'read-index-response':
        this.readStates.push({ index: m.index, context: m.context ?? empty });
        return;
      case 'transfer-leader':
        if (this.leader !== none) this.send({ ...m, from: m.from, to: this.leader, term: this.term as Term });
        return;
      default:
        return;
    }
  }

  private handleAppend(m: Message): void {
    if (m.index < this.log.committed) {
      return this.send({ ...this.blank('append-response', m.from), index: this.log.committed as LogIndex });
    }
    // A node started with no configuration joins from a snapshot: the log from index 1 holds only
    // the changes made since the group's first configuration, and replayed onto nothing they would
    // make this node a voter of a configuration that does not exist (a lone voter elects itself).
    if (m.index === 0 && this.log.lastIndex() === 0 && this.unconfigured()) {
      return this.send({
        ...this.blank('append-response', m.from),
        index: m.index,
        reject: true,
        rejectHint: 0 as LogIndex,
      });
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      return this.send({ ...this.blank('append-response', m.from), index: lastNew as LogIndex });
    }
    const hintIndex = Math.min(m.index, this.log.lastIndex());
    const hint = this.log.findConflictByTerm(hintIndex, m.logTerm);
    this.send({
      ...this.blank('append-response', m.from),
      index: m.index,
      reject: true,
      rejectHint: hint as LogIndex,
      logTerm: (this.log.term(hint) ?? 0) as Term,
    });
  }

  private unconfigured(): boolean {
    const c = this.conf;
    return c.voters.length + c.votersOutgoing.length + c.learners.length + c.learnersNext.length === 0;
  }

  private handleHeartbeat(m: Message): void {
    const lastIndex = this.log.lastIndex();
    this.log.commitTo(Math.min(m.commit, lastIndex));
    // The leader only sends a commit this follower acknowledged holding; a shorter log means it lost
    // acknowledged entries (a damaged or wiped disk), and the leader must learn it to send them again.
    const lost = m.commit > lastIndex ? { reject: true, rejectHint: lastIndex as LogIndex } : {};
    this.send({
      ...this.blank('heartbeat-response', m.from),
      ...lost,
      ...(m.context ? { context: m.context } : {}),
    });
  }

  private handleSnapshotChunk(m: Message): void {
    const chunk = m.snapshotChunk;
    if (chunk === undefined) return;
    const { index, term } = chunk.metadata;
    let inc = this.incomingSnapshot;
    if (chunk.offset === 0) inc = this.incomingSnapshot = { term: m.term, index, parts: [], bytes: 0 };
    if (inc === undefined || inc.index !== index || inc.term !== m.term || inc.bytes !== chunk.offset) {
      // Out of order: tell the leader where we are, it resends from there or starts over.
      return this.send({
        ...this.blank('snapshot-response', m.from),
        index: index,
        rejectHint: (inc?.index === index ? inc.bytes : 0) as LogIndex,
        reject: true,
      });
    }
    inc.parts.push(chunk.data.slice());
    inc.bytes += chunk.data.byteLength;
    if (!chunk.done) {
      return this.send({
        ...this.blank('snapshot-response', m.from),
        index: index,
        rejectHint: inc.bytes as LogIndex,
      });
    }
    this.incomingSnapshot = undefined;
    const data = new Uint8Array(inc.bytes);
    let at = 0;
    for (const p of inc.parts) {
      data.set(p, at);
      at += p.byteLength;
    }
    const restored = this.restore({ metadata: { index, term, confState: chunk.metadata.confState }, data });
    const reply = restored ? this.log.lastIndex() : this.log.committed;
    this.send({ ...this.blank('append-response', m.from), index: reply as LogIndex });
  }

  /** Installs a snapshot from the leader; false when it is not newer than what we have committed. */
  private restore(snapshot: Snapshot): boolean {
    const { index, term } = snapshot.metadata;
    if (index <= this.log.committed) return false;
    if (this.log.matchTerm(index, term)) {
      // We already hold the snapshot's entries: just commit up to it.
      this.log.commitTo(index);
      return false;
    }
    this.log.restore(snapshot);
    this.conf = snapshot.metadata.confState;
    this.resetProgress();
    return true;
  }

  // ---- leader ----

  private stepLeader(m: Message): void {
    if (m.type === 'read-index') return this.handleReadIndex(m);
    if (m.type === 'transfer-leader') return this.transferLeader(m.from);
    const p = this.progress.get(m.from);
    if (p === undefined) return;
    p.recentActive = true;
    p.silentTicks = 0;
    switch (m.type) {
      case 'append-response':
        return this.handleAppendResponse(m, p);
      case 'heartbeat-response':
        return this.handleHeartbeatResponse(m, p);
      case 'snapshot-response':
        return this.handleSnapshotResponse(m, p);
      default:
        return;
    }
  }

  private handleAppendResponse(m: Message, p: Progress): void {
    if (m.reject && m.index === 0) {
      // Any configured follower matches index 0: this one has no configuration and waits for a
      // snapshot. Resending entries would only be refused again; the host makes one (wantsSnapshot).
      if (!p.wantsSnapshot) this.snapshotWanted = true;
      p.wantsSnapshot = true;
      return;
    }
    if (m.reject) {
      let hint = m.rejectHint;
      if (m.logTerm > 0) hint = this.log.findConflictByTerm(m.rejectHint, m.logTerm) as LogIndex;
      if (p.maybeDecrTo(m.index, hint)) {
        if (p.state === 'replicate') p.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const wasPaused = p.isPaused();
    if (!p.maybeUpdate(m.index)) return;
    if (p.state === 'probe') p.becomeReplicate();
    else if (p.state === 'snapshot' && p.match >= (p.pendingSnapshot?.snapshot.metadata.index ?? 0)) {
      p.becomeProbe();
      p.becomeReplicate();
    } else if (p.state === 'replicate') p.freeTo(m.index);
    if (this.maybeCommit()) this.broadcastAppend();
    else if (wasPaused || p.next <= this.log.lastIndex()) this.sendAppendsWhileOpen(m.from);
    if (m.from === this.leadTransferee && p.match === this.log.lastIndex()) {
      this.send(this.blank('timeout-now', m.from));
    }
  }

  private handleHeartbeatResponse(m: Message, p: Progress): void {
    if (m.reject && m.rejectHint < p.match) p.lostEntries(m.rejectHint);
    p.probeSent = false;
    if (p.state === 'replicate' && p.inflights.length >= this.config.inflightMessagesMax) p.inflights.shift();
    if (p.match < this.log.lastIndex()) this.sendAppend(m.from);
    if (m.context === undefined || m.context.byteLength === 0 || this.config.readOnly !== 'safe') return;
    const acks = this.readOnly.ack(m.context, m.from);
    if (acks === undefined || jointVote(this.conf.voters, this.conf.votersOutgoing, acks) !== 'won') return;
    for (const req of this.readOnly.release(m.context)) this.answerRead(req.from, req.index, req.context);
  }

  private handleSnapshotResponse(m: Message, p: Progress): void {
    const pending = p.pendingSnapshot;
    if (p.state !== 'snapshot' || pending === undefined || pending.snapshot.metadata.index !== m.index)
      return;
    pending.offset = m.rejectHint;
    pending.idleTicks = 0;
    this.sendSnapshotChunk(m.from, p);
  }

  private answerRead(from: NodeId, index: number, context: Uint8Array): void {
    if (from === this.id) this.readStates.push({ index, context });
    else this.send({ ...this.blank('read-index-response', from), index: index as LogIndex, context });
  }

  handleReadIndex(m: Message): void {
    const context = m.context ?? empty;
    if (!this.committedInCurrentTerm()) {
      this.pendingReads.push(m);
      return;
    }
    const index = this.log.committed;
    if (allVoters(this.conf).length === 1 || this.config.readOnly === 'lease') {
      return this.answerRead(m.from, index, context);
    }
    this.readOnly.add(index, context, m.from, this.id);
    this.broadcastHeartbeat(context);
  }

  private committedInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  transferLeader(to: NodeId): void {
    if (this.role !== 'leader') {
      if (this.leader !== none) this.send({ ...this.blank('transfer-leader', this.leader), from: to });
      return;
    }
    if (to === this.id || !this.isVoter(to) || to === this.leadTransferee) return;
    this.leadTransferee = to;
    this.electionElapsed = 0;
    const p = this.progress.get(to);
    if (p && p.match === this.log.lastIndex()) this.send(this.blank('timeout-now', to));
    else this.sendAppend(to);
  }

  propose(entries: { type: Entry['type']; data: Uint8Array }[]): { index: LogIndex; term: Term } {
    if (this.role !== 'leader') {
      throw new RaftlogError('NOT_LEADER', `node ${this.id} is not the leader`);
    }
    if (this.leadTransferee !== none) {
      throw new RaftlogError('PROPOSAL_DROPPED', `leadership is moving to ${this.leadTransferee}`);
    }
    if (!this.isVoter()) throw new RaftlogError('PROPOSAL_DROPPED', 'this leader has been removed');
    this.checkEntrySizes(entries);
    const bytes = entries.reduce((n, e) => n + e.data.byteLength, 0);
    if (this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > this.config.uncommittedBytesMax) {
      throw new RaftlogError(
        'PROPOSAL_DROPPED',
        `uncommitted bytes would exceed ${this.config.uncommittedBytesMax}`,
      );
    }
    const last = this.appendEntries(entries);
    this.uncommittedBytes += bytes;
    this.broadcastAppend();
    return { index: last as LogIndex, term: this.term as Term };
  }

  /** An entry larger than the transport can carry would be resent forever and never reach a follower. */
  private checkEntrySizes(entries: readonly { data: Uint8Array }[]): void {
    const max = this.config.entryBytesMax;
    if (max === undefined) return;
    for (const e of entries) {
      if (e.data.byteLength > max) {
        throw new RaftlogError(
          'MESSAGE_TOO_LARGE',
          `an entry of ${e.data.byteLength} bytes exceeds entryBytesMax ${max}`,
        );
      }
    }
  }

  proposeConfChange(cc: ConfChange): { index: LogIndex; term: Term } {
    if (this.role === 'leader' && this.pendingConfIndex > this.log.applied) {
      throw new RaftlogError('PROPOSAL_DROPPED', 'a configuration change is already pending');
    }
    const next = nextConfState(this.conf, cc);
    if (typeof next === 'string')
      throw new RaftlogError('PROPOSAL_DROPPED', `configuration change refused: ${next}`);
    const at = this.propose([{ type: 'conf-change', data: encodeConfChange(cc) }]);
    this.pendingConfIndex = at.index;
    return at;
  }

  /** Applies a committed configuration change; returns the configuration now in force. */
  applyConfChange(cc: ConfChange): ConfState {
    const next = nextConfState(this.conf, cc);
    if (typeof next === 'string') return this.conf;
    this.conf = next;
    for (const id of allMembers(next))
      if (!this.progress.has(id)) this.progress.set(id, this.newProgress(id));
    for (const id of [...this.progress.keys()]) if (!allMembers(next).includes(id)) this.progress.delete(id);
    if (this.role !== 'leader') return next;
    if (!this.isVoter()) {
      this.becomeFollower(this.term, none);
      return next;
    }
    if (this.maybeCommit()) this.broadcastAppend();
    return next;
  }

  /** A leader leaves an automatic joint configuration once the change that entered it is applied. */
  maybeAutoLeave(): void {
    if (this.role !== 'leader' || !isJoint(this.conf) || !this.conf.autoLeave) return;
    if (this.pendingConfIndex > this.log.applied || this.leadTransferee !== none) return;
    const leave = encodeConfChange({ changes: [], transition: 'auto' });
    this.pendingConfIndex = this.appendEntries([{ type: 'conf-change', data: leave }]);
    this.broadcastAppend();
  }

  private appendEntries(entries: { type: Entry['type']; data: Uint8Array }[]): number {
    let index = this.log.lastIndex();
    const full: Entry[] = entries.map((e) => ({
      term: this.term as Term,
      index: ++index as LogIndex,
      type: e.type,
      data: e.data,
    }));
    this.log.append(full);
    return index;
  }

  /** Called once the leader's own entries up to (index, term) are durable. */
  selfAck(index: number, term: number): void {
    if (this.role !== 'leader' || this.log.term(index) !== term) return;
    const self = this.progress.get(this.id);
    if (self === undefined || !self.maybeUpdate(index)) return;
    if (this.maybeCommit()) this.broadcastAppend();
  }

  private maybeCommit(): boolean {
    const matchOf = (id: NodeId): number => this.progress.get(id)?.match ?? 0;
    const index = jointIndex(this.conf.voters, this.conf.votersOutgoing, matchOf);
    if (!Number.isFinite(index) || index <= this.log.committed) return false;
    // Only entries of the current term commit by counting (Raft §5.4.2, Figure 8).
    if (this.log.term(index) !== this.term) return false;
    this.log.commitTo(index);
    if (this.pendingReads.length > 0) {
      const held = this.pendingReads;
      this.pendingReads = [];
      for (const m of held) this.handleReadIndex(m);
    }
    return true;
  }

  reduceUncommitted(entries: readonly Entry[]): void {
    if (this.role !== 'leader') return;
    const bytes = entries.reduce((n, e) => n + e.data.byteLength, 0);
    this.uncommittedBytes = Math.max(0, this.uncommittedBytes - bytes);
  }

  // ---- messages out ----

  private broadcastAppend(): void {
    for (const id of this.progress.keys()) if (id !== this.id) this.sendAppend(id);
  }

  private sendAppendsWhileOpen(to: NodeId): void {
    const p = this.progress.get(to);
    for (let i = 0; p && i < this.config.inflightMessagesMax && this.sendAppend(to, false); i++) {
      if (p.next > this.log.lastIndex()) break;
    }
  }

  private broadcastHeartbeat(context: Uint8Array | undefined): void {
    for (const [id, p] of this.progress) {
      if (id === this.id) continue;
      this.send({
        ...this.blank('heartbeat', id),
        commit: Math.min(p.match, this.log.committed) as LogIndex,
        ...(context ? { context } : {}),
      });
    }
  }

  /** Sends what the follower lacks (or a snapshot); false when nothing was sent. */
  private sendAppend(to: NodeId, sendIfEmpty = true): boolean {
    const p = this.progress.get(to);
    if (p === undefined || p.isPaused()) return false;
    const prevIndex = p.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const entries = this.sliceForFollower(p.next);
    if (entries === 'not-loaded') return false;
    if (prevTerm === undefined || entries === undefined) return this.sendSnapshot(to, p);
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({
      ...this.blank('append', to),
      index: prevIndex as LogIndex,
      logTerm: prevTerm as Term,
      entries,
      commit: this.log.committed as LogIndex,
    });
    p.sentAppend(prevIndex + entries.length, entries.length);
    return true;
  }

  /** Storage may be reading older entries back from disk: the follower's next heartbeat retries. */
  private sliceForFollower(next: number): Entry[] | undefined | 'not-loaded' {
    try {
      return this.log.slice(
        next,
        this.log.lastIndex() + 1,
        this.config.appendEntriesBytesMax,
        this.config.entryOverheadBytes ?? 0,
      );
    } catch (error) {
      if (error instanceof RaftStorageError && error.reason === 'not-loaded') return 'not-loaded';
      throw error;
    }
  }

  private sendSnapshot(to: NodeId, p: Progress): boolean {
    if (!p.recentActive) return false;
    const snapshot = this.config.storage.snapshot();
    if (snapshot.metadata.index === 0) return false;
    p.becomeSnapshot(snapshot);
    this.sendSnapshotChunk(to, p);
    return true;
  }

  private sendSnapshotChunk(to: NodeId, p: Progress): void {
    const pending = p.pendingSnapshot;
    if (pending === undefined) return;
    const { data, metadata } = pending.snapshot;
    const end = Math.min(data.byteLength, pending.offset + this.config.snapshotChunkBytesMax);
    this.send({
      ...this.blank('snapshot', to),
      snapshotChunk: {
        metadata,
        offset: pending.offset,
        totalBytes: data.byteLength,
        data: data.subarray(pending.offset, end),
        done: end === data.byteLength,
      },
    });
  }

  private blank(type: MessageType, to: NodeId): Message {
    return {
      type,
      from: this.id,
      to,
      term: this.term as Term,
      logTerm: 0 as Term,
      index: 0 as LogIndex,
      entries: [],
      commit: 0 as LogIndex,
      reject: false,
      rejectHint: 0 as LogIndex,
    };
  }

  private send(m: Message): void {
    this.msgs.push(m);
  }
}

/**
 * A message's entries continue its log position one by one and are no newer than its term, as every
 * leader sends them; anything else would corrupt the log (a committed entry rewritten).
 */
function entriesFollow(m: Message): boolean {
  return m.entries.every(
    (e, i) => e.index === m.index + 1 + i && Number.isSafeInteger(e.term) && e.term <= m.term,
  );
}
