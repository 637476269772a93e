import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import {
  assert,
  AssertionError,
  Prng,
  type SeedSource,
  RaftlogError,
  type Clock,
  type GroupId,
  type LogIndex,
  type NodeId,
  type Term,
  type Timer,
} from '../../lib/index.js';
import { type ConfState, type Message, type Ready, type SoftState } from '../../raft/index.js';
import {
  LogCompactedError,
  LogUnavailableError,
  StorageBatch,
  type KvStore,
  type RaftLogStore,
} from '../../storage/index.js';
import { entryOverheadBytes } from '../transport/index.js';
import type { GroupStateMachine } from './group-state-machine.js';
import { assertHostBudgets, proposalBytesMax, type HostConfig } from './host-config.js';
import { CacheShares } from './cache-shares.js';
import { GroupActivity } from './group-activity.js';
import { loadGroup } from './load-group.js';
import { mayQuiesce } from './quiescence.js';
import { RaftGroup } from './raft-group.js';
import { RaftEventCounter, type RaftEventCounts } from './raft-events.js';
import { WatchedRawNode } from './watched-raw-node.js';

export interface GroupMessage {
  readonly groupId: GroupId;
  readonly message: Message;
}

/** The host's view of the peer transport. */
export interface MessageSender {
  send(to: NodeId, messages: readonly GroupMessage[]): void;
  connectedPeers(): ReadonlySet<NodeId>;
}

const leaderTypes: ReadonlySet<Message['type']> = new Set(['append', 'heartbeat', 'snapshot']);
const heartbeatTypes: ReadonlySet<Message['type']> = new Set(['heartbeat', 'heartbeat-response']);

const voteRequests: ReadonlySet<Message['type']> = new Set(['vote', 'pre-vote']);

/** After the step, so that the first append of a new leader already counts as hearing it. */
function noteChallenge(group: RaftGroup, from: NodeId, message: Message): void {
  if (voteRequests.has(message.type)) group.challenged = true;
  else if (leaderTypes.has(message.type) && from === group.leader) group.challenged = false;
}

/**
 * How long a peer may stay silent, in election timeouts, before its quiesced groups here stop
 * trusting it. One, as an awake group's own election timer: silence is counted in this host's
 * ticks as well as in time (isAlive), so a stall of this node is never taken for the peers' deaths,
 * and a lost peer wakes only the groups that depend on it. Three were tried: no better at 10,000
 * partitions, and a silently cut controller leader was replaced in about 2 s instead of 1.5 s.
 */
export const peerSilenceElectionTimeouts = 1;

/** A group id no controller ever assigns: frames for it only say "this node is alive". */
export const keepaliveGroupId = 0xffff_ffff as GroupId;

/** A frame that only says "this node is alive" (sent for keepaliveGroupId). */
export function keepalive(from: NodeId, to: NodeId): Message {
  return {
    type: 'heartbeat-response',
    from,
    to,
    term: 0 as Term,
    logTerm: 0 as Term,
    index: 0 as LogIndex,
    entries: [],
    commit: 0 as LogIndex,
    reject: false,
    rejectHint: 0 as LogIndex,
  };
}

interface Work {
  readonly group: RaftGroup;
  readonly rd: Ready;
}

/**
 * Drives every Raft group of a node: one tick loop, and ready cycles in which all groups with work
 * share one storage batch and one fsync, then send, then apply, then advance.
 */
export class MultiRaftHost {
  private readonly groups = new Map<number, RaftGroup>();
  private readonly activity = new GroupActivity();
  private readonly cacheShares: CacheShares;
  private readonly refusedAt = new Map<NodeId, number>();
  private readonly heardAt = new Map<NodeId, number>();
  /** This host's tick count when each peer was last heard from (see isAlive). */
  private readonly heardAtTick = new Map<NodeId, number>();
  private readonly sentAt = new Map<NodeId, number>();
  private ticks = 0;
  private ticker: Timer | undefined;
  /** A ready cycle or exclusive work holds the host; `idleWaiters` wake when it lets go. */
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private again = false;
  private stopped = false;
  private failed = false;
  private fatal: ((error: unknown) => void) | undefined;
  /** Peer messages a group refused with an error other than an assertion (invalid input), dropped. */
  invalidMessages = 0;
  private readonly eventCounter = new RaftEventCounter();
  /** Runs a function in the async context the host was built in, not its caller's. */
  private readonly outsideCallers = AsyncLocalStorage.snapshot();

  constructor(
    private readonly config: HostConfig,
    private readonly kv: KvStore,
    private readonly logs: RaftLogStore,
    private readonly sender: MessageSender,
    private readonly logger: Logger,
    /** Every other node, for keepalives (addPeer adds nodes that join later). */
    private peers: readonly NodeId[],
    /** Ticks, cycle wake-ups and the times peers were last heard from or sent to. */
    private readonly clock: Clock,
    /** Seeds each group's election jitter (random in production; a simulation's own stream). */
    private readonly seeds: SeedSource,
  ) {
    assertHostBudgets(config);
    this.cacheShares = new CacheShares(config.logCacheBytesMax);
  }

  /** A node learned after start (it joined the cluster): it gets keepalives too. */
  addPeer(peer: NodeId): void {
    if (peer !== this.config.nodeId && !this.peers.includes(peer)) this.peers = [...this.peers, peer];
  }

  /** Elections, leader changes and snapshots on this node so far. */
  get events(): RaftEventCounts {
    return this.eventCounter;
  }

  /** The largest proposal (entry data) that reaches every follower; larger ones are refused. */
  get proposalBytesMax(): number {
    return proposalBytesMax(this.config.frameBytesMax);
  }

  /**
   * Called once with the error when the host stops for good: a ready cycle failed (the node can no
   * longer make its state durable) or an assertion failed (a state the code says is impossible).
   */
  onFatal(handler: (error: unknown) => void): void {
    this.fatal = handler;
  }

  /**
   * Stops every group where it stands (no more ticks, cycles or deliveries) and reports the error.
   * Running on would spread whatever broke to the other replicas; a restart recovers from disk.
   */
  fail(error: unknown, context: Record<string, unknown> = {}): void {
    if (this.failed) return;
    this.failed = true;
    this.stopped = true;
    this.ticker?.cancel();
    const invariant = error instanceof AssertionError;
    this.logger.fatal(
      { err: error, ...context },
      invariant ? 'an invariant broke; the node stops' : 'the host failed; the node stops',
    );
    this.fatal?.(error);
  }

  start(): void {
    this.ticker = this.clock.every(this.config.tickMs, () => this.tick());
  }

  /** Returns once the cycle (or exclusive work) in flight, if any, has ended; none starts after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.ticker?.cancel();
    await this.whenIdle();
    for (const g of this.groups.values()) g.failAll(new RaftlogError('SHUTTING_DOWN', 'node is stopping'));
  }

  group(id: GroupId): RaftGroup | undefined {
    return this.groups.get(id);
  }

  /** The data of an applied entry of a hosted group when its log holds it in memory. */
  appliedEntryBytes(id: GroupId, index: number, start: number, end: number): Uint8Array | undefined {
    return this.groups.get(id)?.storage.appliedBytes(index, start, end);
  }

  allGroups(): RaftGroup[] {
    return [...this.groups.values()];
  }

  /** Loads (or bootstraps, for a group new to this node) and starts a group. */
  async addGroup(
    id: GroupId,
    sm: GroupStateMachine,
    bootstrap: { confState: ConfState } | undefined,
  ): Promise<RaftGroup> {
    assert(!this.groups.has(id), `group ${id} is already running`);
    const loaded = await loadGroup(
      this.kv,
      this.logs,
      id,
      bootstrap && { confState: bootstrap.confState, data: sm.snapshotData() },
      { budgetBytes: this.shareCache(this.groups.size + 1), ringBytesMin: this.config.logCacheRingBytesMin },
    );
    if (loaded.snapshot) sm.restore(loaded.snapshot);
    const raw = new WatchedRawNode(
      {
        id: this.config.nodeId,
        storage: loaded.storage,
        prng: new Prng(this.seeds()),
        electionTimeoutTicks: this.config.electionTimeoutTicks,
        heartbeatIntervalTicks: this.config.heartbeatIntervalTicks,
        appendEntriesBytesMax: this.config.appendEntriesBytesMax,
        entryOverheadBytes,
        entryBytesMax: this.proposalBytesMax,
        inflightMessagesMax: this.config.inflightMessagesMax,
        uncommittedBytesMax: this.config.uncommittedBytesMax,
        snapshotChunkBytesMax: this.config.snapshotChunkBytesMax,
        preVote: true,
        checkQuorum: true,
        readOnly: 'safe',
        applied: loaded.applied,
      },
      id,
      (touched) => this.touched(touched),
    );
    const group = new RaftGroup(id, raw, loaded.storage, sm, () => this.schedule());
    group.snapshotPoints.push({ index: loaded.storage.snapshot().metadata.index, bytes: 0 });
    this.groups.set(id, group);
    this.activity.touch(group);
    this.schedule();
    return group;
  }

  /** Stops a group and deletes its Raft log (the state machine deletes its own data). */
  async removeGroup(id: GroupId, deleteData: (batch: StorageBatch) => Promise<void>): Promise<void> {
    const group = this.groups.get(id);
    if (group === undefined) return;
    await this.exclusive(async () => {
      this.groups.delete(id);
      this.activity.forget(group);
      this.shareCache(this.groups.size);
      group.removed = true;
      group.failAll(new RaftlogError('NOT_LEADER', `group ${id} left this node`));
      const batch = new StorageBatch();
      const { term, vote } = group.raw.status();
      this.logs.deleteGroup(batch, id, { term, vote, commit: 0 as LogIndex });
      await deleteData(batch);
      await batch.commit(this.kv, { sync: true });
      this.logs.unload(id);
    });
  }

  /**
   * Snapshots a group at its applied index and compacts its whole log, so a replica joining from
   * nothing starts from this snapshot (its configuration included) rather than from entries that
   * predate the group's bootstrap configuration.
   */
  async snapshotNow(id: GroupId): Promise<void> {
    await this.exclusive(async () => {
      const group = this.groups.get(id);
      if (group === undefined) return;
      const applied = group.raw.status().applied;
      if (applied <= group.storage.snapshot().metadata.index) return;
      const batch = new StorageBatch();
      const effect = await this.stageSnapshot(group, batch, applied, group.storage.term(applied), applied);
      await batch.commit(this.kv, { sync: true });
      effect();
    });
  }

  /** A follower with no configuration waits for a snapshot (raft/raft.ts handleAppend): make one. */
  private snapshotForJoiner(id: GroupId): void {
    this.snapshotNow(id).catch((error: unknown) =>
      this.fail(error, { group: id, during: 'snapshot for a joiner' }),
    );
  }

  /**
   * Stages a snapshot of a group's applied state at `index` and the compaction of its log up to
   * `compactTo`; the returned effect updates the in-memory mirror once the batch is written.
   */
  private async stageSnapshot(
    group: RaftGroup,
    batch: StorageBatch,
    index: LogIndex,
    term: Term,
    compactTo: number,
  ): Promise<() => void> {
    const confState = group.confState;
    const data = group.sm.snapshotData();
    // The log holds `term` at `index` (a snapshot is taken of applied entries): no read to check it.
    await this.logs.setSnapshot(
      batch,
      group.id,
      { metadata: { index, term, confState }, data },
      { logTerm: term },
    );
    const compact = compactTo >= group.storage.firstIndex();
    if (compact) {
      const logTerm = mirroredTerm(group, compactTo);
      await this.logs.compactPrefix(
        batch,
        group.id,
        compactTo as LogIndex,
        logTerm === undefined ? {} : { logTerm },
        group.sm.retainedEntries?.(),
      );
    }
    return () => {
      group.storage.createSnapshot(index, confState, data);
      if (compact) group.storage.compact(compactTo as LogIndex);
      group.snapshotPoints = group.snapshotPoints.filter((p) => p.index > compactTo);
      group.snapshotPoints.push({ index, bytes: group.appliedBytes });
    };
  }

  /** Each group's part of the node-wide log cache when `groups` groups are hosted (see CacheShares). */
  private shareCache(groups: number): number {
    const { shareBytes, reshare } = this.cacheShares.plan(groups);
    if (reshare) for (const g of this.groups.values()) g.storage.budgetBytes = shareBytes;
    return shareBytes;
  }

  /**
   * A leader asked its storage for entries that are on disk only (a lagging follower): reads a
   * window of them back, off the ready cycle; the core retries on the follower's next heartbeat.
   */
  private readBack(group: RaftGroup): void {
    if (group.readingBack) return;
    const lo = group.storage.takeWanted();
    const hi = group.storage.tailFirstIndex();
    if (lo === undefined || lo >= hi) return;
    const bytesMax = Math.max(1, Math.floor(group.storage.budgetBytes / 4));
    group.readingBack = true;
    this.logs
      .entries(group.id, lo as LogIndex, hi as LogIndex, bytesMax)
      .then(
        (entries) => {
          if (!group.removed) group.storage.fillReadBack(entries, bytesMax);
        },
        (error: unknown) => {
          // Compacted meanwhile (the core will send a snapshot instead) or the group left: nothing to do.
          if (group.removed || error instanceof LogCompactedError || error instanceof LogUnavailableError)
            return;
          this.fail(error);
        },
      )
      .finally(() => {
        group.readingBack = false;
        this.activity.mayHaveReady(group);
        this.schedule();
      });
  }

  /** Runs `work` between ready cycles, holding new cycles off until it ends. */
  private async exclusive(work: () => Promise<void>): Promise<void> {
    await this.acquire();
    try {
      await work();
    } finally {
      // Handed to the next waiting work, whose own end schedules the cycle for what came meanwhile.
      if (this.release() === 0) this.schedule();
    }
  }

  /** Resolves once no cycle or exclusive work holds the host (at once when none does). */
  private async whenIdle(): Promise<void> {
    while (this.running) await this.released();
  }

  /**
   * Takes the host once it is idle. The check and the take happen in one synchronous step: of the
   * waiters one release wakes, the first takes the host and the others wait for its end.
   */
  private async acquire(): Promise<void> {
    while (this.running) await this.released();
    this.running = true;
  }

  private released(): Promise<void> {
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Lets the host go and wakes whoever waits for that; returns how many did. */
  private release(): number {
    this.running = false;
    const waiters = this.idleWaiters.splice(0);
    for (const wake of waiters) wake();
    return waiters.length;
  }

  /** Inbound messages from a peer; messages for groups not hosted here are dropped (Raft retries). */
  deliver(from: NodeId, messages: readonly GroupMessage[]): void {
    if (this.failed) return;
    this.heardAt.set(from, this.clock.now());
    this.heardAtTick.set(from, this.ticks);
    for (const { groupId, message } of messages) {
      const group = this.groups.get(groupId);
      if (group === undefined) continue;
      if (!heartbeatTypes.has(message.type)) group.idleTicks = 0;
      if (!this.step(group, from, message)) return;
      noteChallenge(group, from, message);
    }
    this.schedule();
  }

  /**
   * An assertion failure is our own bug and stops the host (false); any other error is the message's
   * fault: it is dropped, logged and counted, and the group carries on.
   */
  private step(group: RaftGroup, from: NodeId, message: Message): boolean {
    try {
      group.raw.step(message);
      return true;
    } catch (error) {
      const context = { group: group.id, peer: from, type: message.type };
      if (error instanceof AssertionError) {
        this.fail(error, context);
        return false;
      }
      this.invalidMessages++;
      this.logger.warn({ err: error, ...context }, 'dropped a raft message the group refused');
      return true;
    }
  }

  /**
   * Whether any frame (a keepalive at least) came from `peer` within `peerSilenceElectionTimeouts`
   * election timeouts, counted both in time and in this host's own ticks: silence is only believed
   * once both passed. A node whose own event loop stalled (a long cycle, a GC, a CPU shared with
   * other processes) runs its first tick after the stall before it reads the frames that waited
   * meanwhile; judged by the clock alone it would find every peer dead at once, wake every quiesced
   * group and start thousands of elections that overload it further (10,000 partitions on 3 nodes
   * lost every leader that way).
   */
  isAlive(peer: NodeId): boolean {
    const heard = this.heardAt.get(peer);
    if (heard === undefined) return false;
    const silenceTicksMax = this.config.electionTimeoutTicks * peerSilenceElectionTimeouts;
    if (this.clock.now() - heard < this.config.tickMs * silenceTicksMax) return true;
    return this.ticks - (this.heardAtTick.get(peer) ?? 0) < silenceTicksMax;
  }

  reportUnreachable(peer: NodeId, groupIds: readonly GroupId[]): void {
    for (const id of groupIds) this.groups.get(id)?.raw.reportUnreachable(peer);
  }

  /**
   * `peer`'s process refused a connection: it is gone, not just silent. Followers of its groups drop
   * it as leader, and the lowest-id voter still reachable campaigns now instead of after a timeout.
   */
  peerRefused(peer: NodeId): void {
    // The transport reports every refused redial (tens a second); acting once per heartbeat is enough.
    const now = this.clock.now();
    if (now - (this.refusedAt.get(peer) ?? 0) < this.config.tickMs * this.config.heartbeatIntervalTicks)
      return;
    this.refusedAt.set(peer, now);
    const reachable = this.sender.connectedPeers();
    for (const g of this.groups.values()) {
      const status = g.raw.status();
      if (status.role === 'leader' || (status.leader !== peer && status.leader !== 0)) continue;
      if (status.leader === peer) g.raw.forgetLeader();
      const alive = status.confState.voters.filter(
        (v) => v !== peer && (v === this.config.nodeId || reachable.has(v)),
      );
      if (alive.length > 0 && Math.min(...alive) === this.config.nodeId && status.role !== 'candidate') {
        g.raw.campaign();
      }
    }
    this.schedule();
  }

  campaign(id: GroupId): void {
    this.groups.get(id)?.raw.campaign();
    this.schedule();
  }

  schedule(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    // Cycles serve every group: they must not inherit the context (request scope) of whoever woke them.
    this.clock.soon(() => this.outsideCallers(() => void this.runCycles()));
  }

  private tick(): void {
    this.ticks++;
    this.activity.noteLivePeers(this.livePeers(), this.groups.values());
    const idleTicksMin = 2 * this.config.heartbeatIntervalTicks + 1;
    const alive = (peer: NodeId): boolean => this.activity.isLive(peer);
    // Only awake groups: a quiesced one costs nothing until it is touched or a peer dies.
    for (const g of this.activity.awake) {
      g.idleTicks++;
      const was = g.quiesced;
      g.quiesced =
        this.config.quiesce &&
        g.idleTicks >= idleTicksMin &&
        mayQuiesce(g.raw.status(), g.idleTicks, idleTicksMin, alive, g.challenged);
      if (was && !g.quiesced) g.raw.resumeAfterQuiescence();
      if (g.quiesced) {
        this.activity.awake.delete(g);
        continue;
      }
      g.raw.tick();
      this.activity.mayHaveReady(g);
    }
    if (this.ticks % this.config.heartbeatIntervalTicks === 0) this.sendKeepalives();
    this.schedule();
  }

  /** The peers heard from within an election timeout (see isAlive), the leaders of groups included. */
  private livePeers(): Set<NodeId> {
    const live = new Set<NodeId>();
    for (const peer of this.heardAt.keys()) if (this.isAlive(peer)) live.add(peer);
    return live;
  }

  /** A group's RawNode was changed from outside the tick and the cycle: look at it soon. */
  private touched(id: GroupId): void {
    const group = this.groups.get(id);
    if (group === undefined) return;
    this.activity.touch(group);
    this.schedule();
  }

  /** One tiny frame to every peer nothing was sent to lately, so quiesced followers know we live. */
  private sendKeepalives(): void {
    const now = this.clock.now();
    const since = now - this.config.tickMs * this.config.heartbeatIntervalTicks;
    for (const peer of this.peers) {
      if ((this.sentAt.get(peer) ?? 0) > since) continue;
      this.sentAt.set(peer, now);
      this.sender.send(peer, [{ groupId: keepaliveGroupId, message: keepalive(this.config.nodeId, peer) }]);
    }
  }

  private async runCycles(): Promise<void> {
    try {
      // Back-to-back cycles yield to waiting exclusive work (the next schedule() picks `again` up).
      do {
        this.again = false;
        await this.cycle();
      } while (this.again && !this.stopped && this.idleWaiters.length === 0);
    } catch (error) {
      this.fail(error);
    } finally {
      this.release();
    }
  }

  private async cycle(): Promise<void> {
    const work: Work[] = [];
    for (const group of this.activity.takeDirty()) {
      if (this.groups.get(group.id) !== group) continue;
      this.readBack(group);
      if (group.raw.takeSnapshotWish()) this.snapshotForJoiner(group.id);
      // A blocked group is asked again every cycle until its state machine lets it go.
      if (group.sm.blocked) this.activity.mayHaveReady(group);
      else if (group.raw.hasReady()) work.push({ group, rd: group.raw.ready() });
    }
    if (work.length === 0) return;
    this.again = true;
    const batch = new StorageBatch();
    let sync = false;
    for (const { group, rd } of work) {
      if (rd.snapshot)
        await this.logs.setSnapshot(batch, group.id, rd.snapshot, {}, group.sm.retainedEntries?.());
      this.logs.appendEntries(batch, group.id, rd.entries);
      if (rd.hardState) this.logs.setHardState(batch, group.id, rd.hardState);
      sync ||= rd.mustSync;
    }
    const settle: (() => void)[] = [];
    const answerNow: (() => void)[] = [];
    const snapshots: (() => void)[] = [];
    for (const { group, rd } of work) {
      if (rd.snapshot) {
        group.installSnapshot(rd.snapshot);
        this.eventCounter.noteInstalled();
      }
      const answers = group.applyCommitted(rd.committedEntries, batch);
      (group.sm.answersBeforeWrite === true ? answerNow : settle).push(...answers);
      await group.sm.stage?.(batch);
      const snap = await this.maybeSnapshot(group, rd, batch);
      if (snap) snapshots.push(snap);
    }
    // Raft thesis 10.2.1: a leader's appends may travel while its own write is in progress, since its
    // entry counts toward a commit only at advance(). Everything else (votes, responses) waits.
    this.send(work, true);
    // A committed entry is on a quorum's disks already: its answer needs nothing this write adds.
    for (const answer of answerNow) answer();
    if (!batch.isEmpty) await batch.commit(this.kv, { sync });
    for (const { group, rd } of work) this.mirror(group, rd);
    for (const s of snapshots) s();
    this.send(work, false);
    for (const { group, rd } of work) {
      if (rd.entries.length > 0 || rd.committedEntries.length > 0 || rd.snapshot) group.idleTicks = 0;
      group.raw.advance();
      // Advancing may leave more to do (entries committed by its own ack): the next cycle asks again.
      this.activity.mayHaveReady(group);
      group.storage.appliedTo(appliedIndex(rd));
      group.markDurable(rd.entries);
      if (rd.committedEntries.length > 0 || rd.snapshot) group.notifyApplied();
    }
    for (const s of settle) s();
    // Entries committed before a step-down were settled just above; whatever still waits cannot be.
    for (const { group, rd } of work) if (rd.softState) this.noteRole(group, rd.softState);
  }

  private noteRole(group: RaftGroup, soft: SoftState): void {
    if (soft.role === 'leader' || group.isLeading)
      this.logger.info({ group: group.id, role: soft.role, leader: soft.leader }, 'leadership changed');
    this.eventCounter.noteSoftState(soft, group.knownLeader);
    group.noteRole(soft);
  }

  private mirror(group: RaftGroup, rd: Ready): void {
    if (rd.snapshot) {
      group.storage.applySnapshot(rd.snapshot);
      group.snapshotPoints = [{ index: rd.snapshot.metadata.index, bytes: group.appliedBytes }];
    }
    group.storage.append(rd.entries);
    if (rd.hardState) group.storage.setHardState(rd.hardState);
  }

  private send(work: readonly Work[], early: boolean): void {
    const byPeer = new Map<NodeId, GroupMessage[]>();
    for (const { group, rd } of work) {
      for (const message of rd.messages) {
        if (leaderTypes.has(message.type) !== early) continue;
        this.eventCounter.noteSent(message);
        let list = byPeer.get(message.to);
        if (list === undefined) byPeer.set(message.to, (list = []));
        list.push({ groupId: group.id, message });
      }
    }
    const now = this.clock.now();
    for (const [peer, list] of byPeer) {
      this.sentAt.set(peer, now);
      this.sender.send(peer, list);
    }
  }

  /**
   * Snapshots a group's state at its applied index once enough entries or bytes piled up since the
   * last one, in the same batch as the entries it covers, and compacts the log below it but for a
   * trail kept for slow followers (see HostConfig.compactionTrailEntries).
   */
  private async maybeSnapshot(
    group: RaftGroup,
    rd: Ready,
    batch: StorageBatch,
  ): Promise<(() => void) | undefined> {
    const last = rd.committedEntries[rd.committedEntries.length - 1];
    if (last === undefined) return undefined;
    let bytes = 0;
    for (const e of rd.committedEntries) bytes += e.data.byteLength;
    group.appliedBytes += bytes;
    const applied = last.index;
    const entries = applied - group.storage.snapshot().metadata.index;
    if (
      entries < this.config.snapshotEntriesMin &&
      group.appliedBytesSinceSnapshot < this.config.snapshotBytesMin
    )
      return undefined;
    return this.stageSnapshot(group, batch, last.index, last.term, this.compactionPoint(group, applied));
  }

  /** Keeps at most compactionTrailEntries and about compactionTrailBytes of log below `applied`. */
  private compactionPoint(group: RaftGroup, applied: number): number {
    let point = applied - this.config.compactionTrailEntries;
    for (const p of group.snapshotPoints) {
      if (group.appliedBytes - p.bytes >= this.config.compactionTrailBytes) point = Math.max(point, p.index);
    }
    return point;
  }
}

/**
 * The term at `index` from the group's in-memory mirror, when it covers the index (entries staged in
 * the running cycle are mirrored only after its write).
 */
function mirroredTerm(group: RaftGroup, index: number): Term | undefined {
  const storage = group.storage;
  if (index < storage.firstIndex() - 1 || index > storage.lastIndex()) return undefined;
  return storage.term(index as LogIndex);
}

/** The applied index a Ready leaves behind once advanced. */
function appliedIndex(rd: Ready): number {
  const last = rd.committedEntries[rd.committedEntries.length - 1];
  return Math.max(last?.index ?? 0, rd.snapshot?.metadata.index ?? 0);
}
