import { Prng, type LogIndex, type NodeId } from '../../lib/index.js';
import type { AckChecker } from './ack-checker.js';
import type { CommittedLogChecker } from './committed-log-checker.js';
import type { ElectionSafetyChecker } from './election-safety-checker.js';
import { InvariantViolation } from './invariant-violation.js';
import type { LogMatchingChecker } from './log-matching-checker.js';
import {
  RawNode,
  entryKey,
  type ConfState,
  type Entry,
  type HardState,
  type MemoryRaftStorage,
  type Message,
  type RaftConfig,
  type Ready,
} from './raft-port.js';
import type { SimNetwork } from './sim-network.js';
import { SimStateMachine } from './sim-state-machine.js';
import type { SimStats } from './sim-stats.js';
import type { StateMachineChecker } from './state-machine-checker.js';

export interface Checkers {
  readonly election: ElectionSafetyChecker;
  readonly logMatching: LogMatchingChecker;
  readonly committed: CommittedLogChecker;
  readonly stateMachine: StateMachineChecker;
  readonly acks: AckChecker;
}

/** What a node needs from the simulation around it. */
export interface NodeEnv {
  readonly round: number;
  readonly stats: SimStats;
  readonly network: SimNetwork;
  readonly checkers: Checkers;
  readonly raftConfig: Omit<RaftConfig, 'id' | 'storage' | 'prng' | 'applied'>;
  trace(event: string): void;
  onApplied(node: SimNode, entry: Entry): void;
  onReadState(node: SimNode, index: number, context: string): void;
}

/** Where a crash interrupts the handling of a Ready. */
export type CrashPoint = 'none' | 'before-persist' | 'after-persist' | 'after-send';

const decoder = new TextDecoder();

/**
 * One simulated server: durable Raft storage (the MemoryRaftStorage holds exactly what was fsynced,
 * because a Ready is persisted in one atomic step), and a volatile RawNode and state machine that a
 * crash throws away. A restart replays the committed log from the durable snapshot.
 */
export class SimNode {
  raw: RawNode | undefined;
  sm: SimStateMachine;
  removed = false;
  everMember: boolean;
  shutdownAtTick: number | undefined;
  slowDisk = false;
  private leaderTermSeen = 0;
  private completenessTerm = 0;
  private commitRecorded = 0;
  private hardState: HardState;

  constructor(
    readonly id: NodeId,
    public storage: MemoryRaftStorage,
    member: boolean,
  ) {
    const init = storage.initialState();
    this.sm = new SimStateMachine(init.confState);
    this.hardState = init.hardState;
    this.everMember = member;
  }

  get alive(): boolean {
    return this.raw !== undefined;
  }

  start(env: NodeEnv, seed: number): void {
    const snapshot = this.storage.snapshot();
    this.sm = new SimStateMachine(this.storage.initialState().confState);
    if (snapshot.metadata.index > 0) this.sm.restore(snapshot);
    env.checkers.stateMachine.restore(this.id, this.sm.keys());
    this.hardState = this.storage.initialState().hardState;
    this.commitRecorded = Math.max(this.hardState.commit, snapshot.metadata.index);
    this.leaderTermSeen = 0;
    this.completenessTerm = 0;
    this.raw = new RawNode({
      ...env.raftConfig,
      id: this.id,
      storage: this.storage,
      prng: new Prng(seed),
      applied: snapshot.metadata.index,
    });
    env.trace(`start n${this.id} applied=${snapshot.metadata.index}`);
  }

  crash(env: NodeEnv): void {
    this.raw = undefined;
    this.slowDisk = false;
    env.checkers.acks.onNodeDown(this.id);
    env.trace(`crash n${this.id}`);
  }

  /** Records who leads which term; run after every input to the node. */
  observe(env: NodeEnv): void {
    const status = this.raw?.status();
    if (status?.role !== 'leader' || status.term === this.leaderTermSeen) return;
    this.leaderTermSeen = status.term;
    this.completenessTerm = status.term;
    env.checkers.election.observeLeader(status.term, this.id);
    env.trace(`leader n${this.id} term=${status.term}`);
  }

  processReady(env: NodeEnv, crashPoint: CrashPoint): void {
    const raw = this.raw;
    if (raw === undefined) return;
    const rd = raw.ready();
    env.stats.count('readys');
    env.trace(
      `ready n${this.id} e=${rd.entries.length} c=${rd.committedEntries.length} m=${rd.messages.length}` +
        ` hs=${rd.hardState ? `${rd.hardState.term}/${rd.hardState.vote}/${rd.hardState.commit}` : '-'}` +
        ` snap=${rd.snapshot?.metadata.index ?? '-'}`,
    );
    if (crashPoint === 'before-persist') return this.crashIn(env, crashPoint);
    this.persist(env, rd);
    if (crashPoint === 'after-persist') return this.crashIn(env, crashPoint);
    const unreachable = this.send(env, rd.messages);
    if (crashPoint === 'after-send') return this.crashIn(env, crashPoint);
    this.apply(env, rd);
    raw.advance();
    for (const peer of unreachable) raw.reportUnreachable(peer);
    this.observe(env);
  }

  /** Durable log term at `index`, or undefined below the snapshot. */
  durableTerm(index: number): number | undefined {
    if (index < this.storage.firstIndex() - 1 || index > this.storage.lastIndex()) return undefined;
    return this.storage.term(index as LogIndex);
  }

  private crashIn(env: NodeEnv, point: CrashPoint): void {
    env.stats.count(`crashes while handling a Ready (${point})`);
    this.crash(env);
  }

  private persist(env: NodeEnv, rd: Ready): void {
    if (rd.snapshot !== undefined) this.installSnapshot(env, rd);
    if (rd.entries.length > 0) this.appendEntries(env, rd.entries);
    if (rd.hardState !== undefined) this.persistHardState(env, rd.hardState);
    this.checkLeaderCompleteness(env);
  }

  private installSnapshot(env: NodeEnv, rd: Ready): void {
    const snapshot = rd.snapshot!;
    const index = snapshot.metadata.index;
    if (index < this.sm.appliedIndex) {
      throw new InvariantViolation(
        'snapshot safety',
        `n${this.id} was handed a snapshot at ${index} below its applied index ${this.sm.appliedIndex}`,
      );
    }
    this.storage.applySnapshot(snapshot);
    this.sm.restore(snapshot);
    env.checkers.stateMachine.restore(this.id, this.sm.keys());
    env.checkers.acks.onRestore(this.id, index);
    this.commitRecorded = Math.max(this.commitRecorded, index);
    env.stats.count('snapshots installed');
  }

  private appendEntries(env: NodeEnv, entries: readonly Entry[]): void {
    const first = entries[0]!.index;
    entries.forEach((e, i) => {
      if (e.index !== first + i) {
        throw new InvariantViolation(
          'log matching',
          `n${this.id} Ready entries not contiguous at ${e.index}`,
        );
      }
    });
    for (const e of entries) {
      if (e.index > this.commitRecorded) break;
      const durable = this.durableTerm(e.index);
      if (durable !== undefined && durable !== e.term) {
        throw new InvariantViolation(
          'committed prefixes never diverge',
          `n${this.id} rewrites index ${e.index} (term ${durable} -> ${e.term}) at or below its durable ` +
            `commit ${this.commitRecorded}`,
        );
      }
    }
    const prevTerm = this.durableTerm(first - 1);
    if (prevTerm === undefined) {
      throw new InvariantViolation(
        'log matching',
        `n${this.id} appends at ${first} but its durable log spans ${this.storage.firstIndex()}..${this.storage.lastIndex()}`,
      );
    }
    env.checkers.logMatching.observeAppend(
      this.id,
      prevTerm,
      entries.map((e) => ({ index: e.index, term: e.term, key: entryKey(e) })),
    );
    this.storage.append(entries);
  }

  private persistHardState(env: NodeEnv, hs: HardState): void {
    const prev = this.hardState;
    if (hs.term < prev.term || hs.commit < prev.commit) {
      throw new InvariantViolation(
        'durable state monotonic',
        `n${this.id} hard state goes from ${JSON.stringify(prev)} to ${JSON.stringify(hs)}`,
      );
    }
    if (hs.term === prev.term && prev.vote !== 0 && hs.vote !== prev.vote) {
      throw new InvariantViolation(
        'one vote per term',
        `n${this.id} voted for n${prev.vote} and then n${hs.vote} in term ${hs.term}`,
      );
    }
    if (hs.commit > this.storage.lastIndex()) {
      throw new InvariantViolation(
        'commit within the durable log',
        `n${this.id} persists commit ${hs.commit} beyond its durable last index ${this.storage.lastIndex()}`,
      );
    }
    this.storage.setHardState(hs);
    this.hardState = hs;
    this.recordCommitted(env, hs);
  }

  private recordCommitted(env: NodeEnv, hs: HardState): void {
    const lo = Math.max(this.commitRecorded + 1, this.storage.firstIndex());
    if (hs.commit >= lo) {
      const entries = this.storage.entries(
        lo as LogIndex,
        (hs.commit + 1) as LogIndex,
        Number.MAX_SAFE_INTEGER,
      );
      for (const e of entries) {
        env.checkers.committed.observeCommitted(this.id, e.index, e.term, entryKey(e), hs.term);
      }
    }
    this.commitRecorded = Math.max(this.commitRecorded, hs.commit);
  }

  private checkLeaderCompleteness(env: NodeEnv): void {
    if (this.completenessTerm === 0) return;
    const status = this.raw?.status();
    if (status?.role === 'leader' && status.term === this.completenessTerm) {
      env.checkers.committed.checkLeaderComplete(
        this.id,
        status.term,
        this.storage.firstIndex(),
        this.storage.lastIndex(),
        (i) => this.storage.term(i as LogIndex),
      );
    }
    this.completenessTerm = 0;
  }

  private send(env: NodeEnv, messages: readonly Message[]): Set<NodeId> {
    const unreachable = new Set<NodeId>();
    for (const m of messages) {
      // Frozen, so a core that mutates a message it sent (or received) fails loudly.
      Object.freeze(m.entries);
      Object.freeze(m);
      env.stats.count('messages sent');
      if (!env.network.send(m, env.round) && env.network.isCut(m.from, m.to)) unreachable.add(m.to);
    }
    return unreachable;
  }

  private apply(env: NodeEnv, rd: Ready): void {
    for (const e of rd.committedEntries) {
      const durable = this.durableTerm(e.index);
      if (
        e.index > this.storage.lastIndex() ||
        e.index > this.hardState.commit ||
        (durable ?? e.term) !== e.term
      ) {
        throw new InvariantViolation(
          'apply only durable entries',
          `n${this.id} applies index ${e.index} term ${e.term}; its durable log holds ` +
            `${durable === undefined ? 'no entry' : `term ${durable}`} there, durable commit ${this.hardState.commit}`,
        );
      }
      const key = entryKey(e);
      env.checkers.stateMachine.observeApply(this.id, e.index, key);
      env.checkers.acks.onApply(this.id, e.index, e.term, key);
      this.sm.apply(e.term, key);
      env.onApplied(this, e);
    }
    for (const rs of rd.readStates) env.onReadState(this, rs.index, decoder.decode(rs.context));
  }

  setConfState(cs: ConfState): void {
    this.sm.confState = cs;
  }
}
