import { Prng, RaftlogError, assert, logIndex, nodeId, type NodeId } from '../../lib/index.js';
import { AckChecker } from './ack-checker.js';
import { CommittedLogChecker } from './committed-log-checker.js';
import { ElectionSafetyChecker } from './election-safety-checker.js';
import { InvariantViolation } from './invariant-violation.js';
import { LogMatchingChecker } from './log-matching-checker.js';
import {
  bootstrapStorage,
  confChangeCodec,
  isUnimplemented,
  newStorage,
  rawNodeHas,
  type ConfState,
  type Entry,
  type RaftConfig,
  type SimConfChange,
} from './raft-port.js';
import { SimNetwork, type NetworkQuality } from './sim-network.js';
import { SimNode, type Checkers, type CrashPoint, type NodeEnv } from './sim-node.js';
import { replayCommand, type SimFeatures, type SimOptions } from './sim-options.js';
import { SimStateMachine } from './sim-state-machine.js';
import { SimStats } from './sim-stats.js';
import { StateMachineChecker } from './state-machine-checker.js';

const calmNetwork: NetworkQuality = {
  dropRate: 0,
  duplicateRate: 0,
  slowRate: 0,
  delayRoundsMax: 4,
  slowDelayRoundsMax: 4,
};
const baseNetwork: NetworkQuality = {
  dropRate: 0.02,
  duplicateRate: 0.02,
  slowRate: 0.03,
  delayRoundsMax: 6,
  slowDelayRoundsMax: 60,
};
const lossyNetwork: NetworkQuality = { ...baseNetwork, dropRate: 0.25, duplicateRate: 0.1, slowRate: 0.1 };

/** Per-tick probabilities of the driver's actions while faults are on. */
const rates = {
  fault: 0.03,
  heal: 0.02,
  crash: 0.008,
  restart: 0.05,
  crashInReady: 0.002,
  propose: 0.6,
  confChange: 0.015,
  transfer: 0.01,
  snapshot: 0.03,
  readIndex: 0.05,
  campaign: 0.004,
};

export interface NodeSummary {
  id: number;
  state: 'up' | 'down' | 'removed';
  role: string;
  term: number;
  commit: number;
  applied: number;
  lastIndex: number;
}

export interface SimResult {
  seed: number;
  nodes: number;
  ticks: number;
  traceHash: string;
  counters: [string, number][];
  ticksToLeaderAfterHeal: number;
  ticksToConvergeAfterHeal: number;
  finalConf: ConfState | undefined;
  finalNodes: NodeSummary[];
}

/** A run that broke an invariant or crashed: the message carries the seed and the replay command. */
export class SimFailure extends Error {
  override readonly name = 'SimFailure';
  constructor(
    readonly options: SimOptions,
    readonly tick: number,
    readonly failure: unknown,
    readonly recentEvents: readonly string[],
  ) {
    const what = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
    super(
      `simulation seed ${options.seed} (${options.nodes} nodes) failed at tick ${tick}: ${what}\n` +
        `replay: ${replayCommand(options)}`,
    );
  }
}

export function runSimulation(options: SimOptions): SimResult {
  return new Simulation(options).run();
}

const encoder = new TextEncoder();
const recentEventsMax = 60;

class Simulation implements NodeEnv {
  readonly stats = new SimStats();
  readonly checkers: Checkers = {
    election: new ElectionSafetyChecker(),
    logMatching: new LogMatchingChecker(),
    committed: new CommittedLogChecker(),
    stateMachine: new StateMachineChecker(),
    acks: new AckChecker(),
  };
  readonly network: SimNetwork;
  readonly raftConfig: Omit<RaftConfig, 'id' | 'storage' | 'prng' | 'applied'>;
  round = 0;
  private tick = 0;
  private readonly prng: Prng;
  private readonly nodes = new Map<number, SimNode>();
  private readonly features: SimFeatures;
  private nextNodeId: number;
  private nextPayload = 1;
  private nextRead = 1;
  private believedLeader: NodeId | undefined;
  private readonly pendingReads = new Map<string, { nodeId: number; required: number }>();
  private readsAwaitingApply: { nodeId: number; index: number }[] = [];
  private readIndexServedMax = 0;
  private chaos = true;
  /** Set once the healed cluster has a stable leader: no new writes, so catching up has an end. */
  private quiet = false;
  private confIndexApplied = 0;
  private readonly recent: string[] = [];
  private readonly unimplemented = new Set<string>();

  constructor(private readonly options: SimOptions) {
    this.prng = new Prng(options.seed);
    this.network = new SimNetwork(this.prng, this.stats, { ...baseNetwork });
    const checkQuorum = this.prng.chance(0.6);
    this.raftConfig = {
      electionTimeoutTicks: options.electionTimeoutTicks,
      heartbeatIntervalTicks: options.heartbeatIntervalTicks,
      appendEntriesBytesMax: this.prng.pick([64, 256, 4096]),
      inflightMessagesMax: this.prng.pick([1, 4, 64]),
      uncommittedBytesMax: this.prng.pick([256, 65536]),
      snapshotChunkBytesMax: this.prng.pick([128, 1024, 1 << 20]),
      preVote: this.prng.chance(0.6),
      checkQuorum,
      readOnly: 'safe',
    };
    this.features = this.availableFeatures(options.features);
    this.nextNodeId = options.nodes + 1;
  }

  run(): SimResult {
    try {
      this.bootstrap();
      for (; this.tick < this.options.ticks; this.tick++) this.step();
      return this.settle();
    } catch (error) {
      throw new SimFailure(this.options, this.tick, error, this.recent);
    }
  }

  trace(event: string): void {
    const line = `${this.tick}.${this.round % this.options.roundsPerTick} ${event}`;
    this.stats.trace(line);
    if (this.options.verbose) console.log(line);
    this.recent.push(line);
    if (this.recent.length > recentEventsMax) this.recent.shift();
  }

  onApplied(node: SimNode, entry: Entry): void {
    if (entry.type === 'conf-change') this.applyConfChange(node, entry);
    this.serveReads(node);
  }

  onReadState(node: SimNode, index: number, context: string): void {
    const read = this.pendingReads.get(context);
    if (read === undefined || read.nodeId !== node.id) return;
    this.pendingReads.delete(context);
    if (index < read.required) {
      throw new InvariantViolation(
        'linearizable reads',
        `read ${context} on n${node.id} got index ${index}; a write or read completed before it was at ${read.required}`,
      );
    }
    this.stats.count('reads answered');
    this.readsAwaitingApply.push({ nodeId: node.id, index });
    this.serveReads(node);
  }

  private availableFeatures(wanted: SimFeatures): SimFeatures {
    return {
      ...wanted,
      confChanges: wanted.confChanges && confChangeCodec !== undefined && rawNodeHas.proposeConfChange,
      transfers: wanted.transfers && rawNodeHas.transferLeader,
      readIndex: wanted.readIndex && rawNodeHas.readIndex,
    };
  }

  private initialVoters(): NodeId[] {
    return Array.from({ length: this.options.nodes }, (_, i) => nodeId(i + 1));
  }

  private bootstrapData(): Uint8Array {
    return SimStateMachine.encode([{ term: 1, key: 'bootstrap' }]);
  }

  private bootstrap(): void {
    const voters = this.initialVoters();
    for (const id of voters) {
      const node = new SimNode(id, bootstrapStorage(voters, this.bootstrapData()), true);
      this.nodes.set(id, node);
      node.start(this, this.prng.nextUint32());
    }
  }

  private step(): void {
    if (this.chaos) this.injectFaults();
    this.shutDownRemoved();
    for (const node of this.liveNodes()) {
      node.raw!.tick();
      node.observe(this);
    }
    for (let r = 0; r < this.options.roundsPerTick; r++) {
      this.round++;
      this.deliver();
      this.handleReadys();
    }
    this.clientActions();
  }

  private liveNodes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.alive);
  }

  private deliver(): void {
    for (const m of this.network.takeDue(this.round)) {
      const node = this.nodes.get(m.to);
      if (node?.raw === undefined) {
        this.stats.count('messages to down nodes');
        continue;
      }
      const snap =
        m.snapshotChunk === undefined
          ? ''
          : ` snap=${m.snapshotChunk.metadata.index}@${m.snapshotChunk.offset}`;
      this.trace(
        `deliver ${m.type} n${m.from}->n${m.to} t=${m.term} i=${m.index}/${m.logTerm} e=${m.entries.length}` +
          ` c=${m.commit}${m.reject ? ` reject hint=${m.rejectHint}` : ''}${snap}`,
      );
      node.raw.step(m);
      node.observe(this);
    }
  }

  private handleReadys(): void {
    for (const node of this.prng.shuffle(this.liveNodes())) {
      if (!node.raw!.hasReady()) continue;
      if (node.slowDisk && !this.prng.chance(0.25)) continue;
      node.processReady(this, this.crashPoint());
    }
  }

  private crashPoint(): CrashPoint {
    if (!this.chaos || !this.features.crashes || !this.prng.chance(rates.crashInReady)) return 'none';
    return this.prng.pick<CrashPoint>(['before-persist', 'after-persist', 'after-send']);
  }

  // ---- faults ----

  private injectFaults(): void {
    if (this.prng.chance(rates.heal)) this.healNetwork();
    if (this.prng.chance(rates.fault)) this.injectNetworkFault();
    if (!this.features.crashes) return;
    for (const node of this.nodes.values()) {
      if (!node.alive && !node.removed && this.prng.chance(rates.restart)) this.restart(node);
    }
    if (this.prng.chance(rates.crash)) {
      const live = this.liveNodes();
      if (live.length > 0) this.crash(this.prng.pick(live));
    }
  }

  private healNetwork(): void {
    this.network.healAll();
    this.network.quality = { ...baseNetwork };
    for (const node of this.nodes.values()) node.slowDisk = false;
    this.stats.count('heals');
    this.trace('heal');
  }

  private injectNetworkFault(): void {
    const ids = [...this.nodes.values()].filter((n) => !n.removed).map((n) => n.id);
    const kind = this.prng.pick(['isolate', 'split', 'bridge', 'one-way', 'lossy', 'slow-disk'] as const);
    this.stats.count(`faults: ${kind}`);
    this.trace(`fault ${kind}`);
    const shuffled = this.prng.shuffle([...ids]);
    switch (kind) {
      case 'isolate':
        this.network.split([shuffled[0]!], shuffled.slice(1));
        break;
      case 'split': {
        const minority = this.prng.intBetween(1, Math.floor(shuffled.length / 2));
        this.network.split(shuffled.slice(0, minority), shuffled.slice(minority));
        break;
      }
      case 'bridge': {
        const rest = shuffled.slice(1);
        const half = Math.ceil(rest.length / 2);
        this.network.split(rest.slice(0, half), rest.slice(half));
        break;
      }
      case 'one-way':
        for (let i = this.prng.intBetween(1, ids.length); i > 0; i--) {
          this.network.cut(this.prng.pick(ids), this.prng.pick(ids));
        }
        break;
      case 'lossy':
        this.network.quality = { ...lossyNetwork };
        break;
      case 'slow-disk':
        this.prng.pick(shuffled.map((id) => this.nodes.get(id)!)).slowDisk = true;
        break;
    }
  }

  private crash(node: SimNode): void {
    node.crash(this);
    if (this.options.disk === 'amnesiac' && node.id <= this.options.nodes) {
      node.storage = bootstrapStorage(this.initialVoters(), this.bootstrapData());
    }
    this.stats.count('crashes');
  }

  private restart(node: SimNode): void {
    node.start(this, this.prng.nextUint32());
    this.stats.count('restarts');
  }

  private shutDownRemoved(): void {
    for (const node of this.nodes.values()) {
      if (node.shutdownAtTick !== undefined && node.shutdownAtTick <= this.tick) {
        node.shutdownAtTick = undefined;
        if (node.alive) node.crash(this);
        this.stats.count('removed nodes shut down');
      }
    }
  }

  // ---- client and operator actions ----

  private clientActions(): void {
    if (!this.quiet && this.prng.chance(rates.propose)) this.propose();
    if (this.features.readIndex && !this.unimplemented.has('reads') && this.prng.chance(rates.readIndex)) {
      this.read();
    }
    if (this.features.snapshots && this.prng.chance(rates.snapshot)) this.snapshot();
    if (!this.chaos) return this.leaveJointIfNeeded();
    if (this.enabled('confChanges', 'conf changes') && this.prng.chance(rates.confChange)) {
      this.changeMembership();
    }
    if (this.enabled('transfers', 'transfers') && this.prng.chance(rates.transfer)) this.transfer();
    if (this.prng.chance(rates.campaign)) this.campaign();
  }

  private enabled(feature: keyof SimFeatures, what: string): boolean {
    return this.features[feature] && !this.unimplemented.has(what);
  }

  /** The node a client would send to: the one it last heard is leader, else any live node. */
  private target(): SimNode | undefined {
    const believed = this.believedLeader === undefined ? undefined : this.nodes.get(this.believedLeader);
    if (believed?.alive === true) return believed;
    const live = this.liveNodes().filter((n) => !n.removed);
    return live.length === 0 ? undefined : this.prng.pick(live);
  }

  private leader(): SimNode | undefined {
    const node = this.target();
    const status = node?.raw?.status();
    if (node === undefined || status === undefined) return undefined;
    if (status.role === 'leader') return node;
    this.believedLeader = status.leader === 0 ? undefined : status.leader;
    return undefined;
  }

  /** Runs a call that raft/ may refuse; a refusal is counted, anything else is a failure. */
  private attempt<T>(what: string, call: () => T): T | undefined {
    try {
      return call();
    } catch (error) {
      if (isUnimplemented(error)) {
        // The feature is not in raft/ yet: stop driving it for the rest of the run.
        this.unimplemented.add(what);
        this.stats.count(`${what}: unimplemented`);
        return undefined;
      }
      if (
        error instanceof RaftlogError &&
        (error.code === 'NOT_LEADER' || error.code === 'PROPOSAL_DROPPED')
      ) {
        this.stats.count(`${what} refused: ${error.code}`);
        return undefined;
      }
      throw error;
    }
  }

  private propose(): void {
    const node = this.target();
    if (node?.raw === undefined) return;
    const payload = `p${this.nextPayload++}`;
    const raw = node.raw;
    const at = this.attempt('proposals', () => raw.propose(encoder.encode(payload)));
    if (at === undefined) {
      const leader = raw.status().leader;
      this.believedLeader = leader === 0 ? undefined : leader;
      return;
    }
    this.believedLeader = node.id;
    this.checkers.acks.onPropose(node.id, payload, at.index, at.term);
    this.stats.count('proposals');
    this.trace(`propose ${payload} n${node.id} i=${at.index} t=${at.term}`);
    node.observe(this);
  }

  private read(): void {
    const node = this.target();
    if (node?.raw === undefined) return;
    const context = `r${this.nextRead++}`;
    const required = Math.max(this.checkers.acks.ackedIndexMax, this.readIndexServedMax);
    const raw = node.raw;
    if (!this.attempt('reads', () => (raw.readIndex(encoder.encode(context)), true))) return;
    this.pendingReads.set(context, { nodeId: node.id, required });
    this.stats.count('reads requested');
  }

  private serveReads(node: SimNode): void {
    if (this.readsAwaitingApply.length === 0) return;
    this.readsAwaitingApply = this.readsAwaitingApply.filter((r) => {
      if (r.nodeId !== node.id || node.sm.appliedIndex < r.index) return true;
      this.readIndexServedMax = Math.max(this.readIndexServedMax, r.index);
      return false;
    });
  }

  private snapshot(): void {
    const live = this.liveNodes();
    if (live.length === 0) return;
    const node = this.prng.pick(live);
    const applied = node.sm.appliedIndex;
    const snapIndex = node.storage.snapshot().metadata.index;
    if (applied - snapIndex < 4 || applied > node.storage.lastIndex()) return;
    // The log is compacted up to the snapshot: a follower behind it can only catch up by InstallSnapshot.
    node.storage.createSnapshot(logIndex(applied), node.sm.confState, node.sm.encode());
    node.storage.compact(logIndex(applied));
    this.stats.count('snapshots taken');
    this.trace(`snapshot n${node.id} at ${applied}`);
  }

  private transfer(): void {
    const leader = this.leader();
    if (leader?.raw === undefined) return;
    const voters = leader.sm.confState.voters.filter((v) => v !== leader.id);
    if (voters.length === 0) return;
    const to = this.prng.pick(voters);
    const raw = leader.raw;
    if (!this.attempt('transfers', () => (raw.transferLeader(to), true))) return;
    this.stats.count('transfers requested');
    this.trace(`transfer n${leader.id} -> n${to}`);
    leader.observe(this);
  }

  private campaign(): void {
    const live = this.liveNodes();
    if (live.length === 0) return;
    const node = this.prng.pick(live);
    node.raw!.campaign();
    this.stats.count('forced campaigns');
    this.trace(`campaign n${node.id}`);
    node.observe(this);
  }

  // ---- membership ----

  private changeMembership(): void {
    const leader = this.leader();
    if (leader?.raw === undefined) return;
    const cs = leader.raw.status().confState;
    if (cs.votersOutgoing.length > 0) return this.leaveJointIfNeeded();
    const options: (() => SimConfChange | undefined)[] = [
      () => this.addLearner(),
      () => this.promote(cs),
      () => this.remove(cs),
      () => this.replace(cs),
    ];
    const cc = this.prng.pick(options)();
    if (cc !== undefined) this.proposeConfChange(leader, cc);
  }

  private addLearner(): SimConfChange | undefined {
    if (this.nextNodeId > this.options.nodesMax) return undefined;
    return { changes: [{ type: 'add-learner', nodeId: nodeId(this.nextNodeId) }], transition: 'auto' };
  }

  private promote(cs: ConfState): SimConfChange | undefined {
    if (cs.learners.length === 0) return undefined;
    const id = this.prng.pick(cs.learners);
    const transition = this.prng.pick(['auto', 'explicit'] as const);
    return { changes: [{ type: 'add-voter', nodeId: id }], transition };
  }

  private remove(cs: ConfState): SimConfChange | undefined {
    const candidates = cs.voters.length > 3 ? [...cs.voters, ...cs.learners] : [...cs.learners];
    if (candidates.length === 0) return undefined;
    return { changes: [{ type: 'remove-node', nodeId: this.prng.pick(candidates) }], transition: 'auto' };
  }

  /** Swaps a learner in for a voter in one joint change. */
  private replace(cs: ConfState): SimConfChange | undefined {
    if (cs.learners.length === 0 || cs.voters.length < 3) return undefined;
    return {
      changes: [
        { type: 'add-voter', nodeId: this.prng.pick(cs.learners) },
        { type: 'remove-node', nodeId: this.prng.pick(cs.voters) },
      ],
      transition: this.prng.pick(['auto', 'explicit'] as const),
    };
  }

  private leaveJointIfNeeded(): void {
    const leader = this.leader();
    const cs = leader?.raw?.status().confState;
    if (leader === undefined || cs === undefined || !this.features.confChanges) return;
    if (cs.votersOutgoing.length === 0 || cs.autoLeave || !this.prng.chance(0.2)) return;
    this.proposeConfChange(leader, { changes: [], transition: 'auto' });
  }

  private proposeConfChange(leader: SimNode, cc: SimConfChange): void {
    const raw = leader.raw!;
    const at = this.attempt('conf changes', () => raw.proposeConfChange(cc));
    if (at === undefined) return;
    const description = cc.changes.map((c) => `${c.type} n${c.nodeId}`).join(', ') || 'leave joint';
    this.stats.count('conf changes proposed');
    this.trace(`conf change n${leader.id} i=${at.index}: ${description} (${cc.transition})`);
    for (const change of cc.changes) {
      if (change.type === 'add-learner' && !this.nodes.has(change.nodeId)) this.addNode(change.nodeId);
    }
    leader.observe(this);
  }

  private addNode(id: NodeId): void {
    assert(id === this.nextNodeId, `node ids are handed out in order: ${id}`);
    this.nextNodeId++;
    const node = new SimNode(id, newStorage(), false);
    this.nodes.set(id, node);
    node.start(this, this.prng.nextUint32());
    this.stats.count('nodes added');
  }

  private applyConfChange(node: SimNode, entry: Entry): void {
    const codec = confChangeCodec;
    assert(codec !== undefined, 'a conf-change entry without a codec');
    const cc = codec.decodeConfChange(entry.data);
    const cs = node.raw!.applyConfChange(cc);
    node.setConfState(cs);
    this.stats.count('conf changes applied');
    // A restarted node replays old conf changes: membership moves only with the newest one applied.
    if (entry.index <= this.confIndexApplied) return;
    this.confIndexApplied = entry.index;
    const inConf = new Set([...cs.voters, ...cs.votersOutgoing, ...cs.learners]);
    for (const other of this.nodes.values()) {
      if (inConf.has(other.id)) {
        other.everMember = true;
      } else if (other.everMember && !other.removed) {
        other.removed = true;
        other.shutdownAtTick = this.tick + this.prng.intBetween(0, 3 * this.options.electionTimeoutTicks);
        this.stats.count('nodes removed');
        this.trace(`removed n${other.id}`);
      }
    }
  }

  // ---- the end: heal everything, then demand a leader and convergence ----

  private settle(): SimResult {
    this.chaos = false;
    this.network.healAll();
    this.network.quality = { ...calmNetwork };
    for (const node of this.nodes.values()) {
      node.slowDisk = false;
      if (node.removed) node.shutdownAtTick = this.tick;
      else if (!node.alive) this.restart(node);
    }
    this.trace('settle');
    const healedAt = this.tick;
    const leaderTicksMax = settleLeaderTicksMax(this.options);
    const convergeTicksMax = leaderTicksMax + settleCatchUpTicksMax(this.options);
    let leaderAt: number | undefined;
    for (;;) {
      this.step();
      this.tick++;
      leaderAt ??= this.stableLeader() === undefined ? undefined : this.tick;
      this.quiet = leaderAt !== undefined;
      if (leaderAt === undefined && this.tick - healedAt > leaderTicksMax) {
        throw new InvariantViolation(
          'liveness',
          `no stable leader ${leaderTicksMax} ticks after healing: ${this.describeNodes()}`,
        );
      }
      if (leaderAt !== undefined && this.converged()) break;
      if (this.tick - healedAt > convergeTicksMax) {
        throw new InvariantViolation(
          'liveness',
          `members not converged ${convergeTicksMax} ticks after healing: ${this.describeNodes()}`,
        );
      }
    }
    this.checkAcksHeld();
    return this.result(leaderAt - healedAt, this.tick - healedAt);
  }

  private describeNodes(): string {
    const nodes = [...this.nodes.values()].map((n) => {
      const s = this.nodeSummary(n);
      const cs = n.raw?.status().confState;
      const conf =
        cs === undefined
          ? ''
          : ` conf=${cs.voters.join(',')}/${cs.votersOutgoing.join(',')}/${cs.learners.join(',')}`;
      return `n${s.id} ${s.state} ${s.role} t${s.term} lead=${n.raw?.status().leader ?? '-'} c${s.commit} a${s.applied} l${s.lastIndex}${conf}`;
    });
    return `acked up to ${this.checkers.acks.ackedIndexMax}; ${nodes.join('; ')}`;
  }

  /** A leader that every live member of its configuration follows in its term. */
  private stableLeader(): SimNode | undefined {
    for (const node of this.liveNodes()) {
      const status = node.raw!.status();
      if (status.role !== 'leader') continue;
      const members = this.members(status.confState);
      const followed = members.every((m) => {
        const s = m.raw?.status();
        return s !== undefined && s.term === status.term && s.leader === node.id;
      });
      if (followed && members.some((m) => m.id === node.id)) return node;
    }
    return undefined;
  }

  private members(cs: ConfState): SimNode[] {
    const ids = new Set([...cs.voters, ...cs.votersOutgoing, ...cs.learners]);
    return [...ids].map((id) => this.nodes.get(id)).filter((n): n is SimNode => n !== undefined && n.alive);
  }

  /** Every live member has applied the leader's commit, which covers every acknowledged proposal. */
  private converged(): boolean {
    const leader = this.stableLeader();
    if (leader === undefined) return false;
    const status = leader.raw!.status();
    const target = Math.max(status.commit, this.checkers.acks.ackedIndexMax);
    if (status.confState.votersOutgoing.length > 0) return false;
    return this.members(status.confState).every((m) => m.sm.appliedIndex >= target);
  }

  private checkAcksHeld(): void {
    const leader = this.stableLeader()!;
    for (const member of this.members(leader.raw!.status().confState)) {
      this.checkers.acks.checkHeldBy(member.id, (i) => member.sm.keyAt(i));
    }
  }

  private result(ticksToLeader: number, ticksToConverge: number): SimResult {
    const leader = this.stableLeader();
    return {
      seed: this.options.seed,
      nodes: this.options.nodes,
      ticks: this.options.ticks,
      traceHash: this.stats.traceHash,
      counters: [
        ...this.stats.entries(),
        ['elections', this.checkers.election.elections],
        ['leader changes', this.checkers.election.leaderChanges],
        ['acknowledged proposals', this.checkers.acks.acks],
        ['unacknowledged (overwritten) proposals', this.checkers.acks.lost],
        ['committed index', this.checkers.committed.commitIndexMax],
      ],
      ticksToLeaderAfterHeal: ticksToLeader,
      ticksToConvergeAfterHeal: ticksToConverge,
      finalConf: leader?.raw?.status().confState,
      finalNodes: [...this.nodes.values()].map((n) => this.nodeSummary(n)),
    };
  }

  private nodeSummary(node: SimNode): NodeSummary {
    const s = node.raw?.status();
    return {
      id: node.id,
      state: node.removed ? 'removed' : node.alive ? 'up' : 'down',
      role: s?.role ?? '-',
      term: s?.term ?? 0,
      commit: s?.commit ?? 0,
      applied: node.sm.appliedIndex,
      lastIndex: s?.lastIndex ?? 0,
    };
  }
}

/**
 * After healing, a leader must appear within 10 election timeouts. Why 10: a stale leader steps down
 * (check-quorum) within 2E, every election attempt takes at most 2E of timeout plus round trips, so
 * 10E leaves at least three full attempts; with timeouts drawn from [E, 2E) a split vote three times
 * running is rare, and measured runs need far less (the CLI prints ticks-to-leader per seed).
 */
export function settleLeaderTicksMax(options: SimOptions): number {
  return 10 * options.electionTimeoutTicks;
}

/** Catching up after that: a snapshot or a log tail per member, a few heartbeats each. */
export function settleCatchUpTicksMax(options: SimOptions): number {
  return 10 * options.electionTimeoutTicks;
}
