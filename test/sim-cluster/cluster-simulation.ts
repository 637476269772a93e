import { ManualClock, Prng, type NodeId } from '../../lib/index.js';
import { readNodeIdentity } from '../../storage/index.js';
import { peerReport, type PeerReport } from '../../src/server/node-identity-check.js';
import type { NodeApi, PartitionView } from '../../cluster/node/index.js';
import { nodeLogicalVersion } from '../../cluster/controller/index.js';
import { BrokerViolation } from './broker-violation.js';
import { ClientCalls } from './client-calls.js';
import { checkCommittedLogs } from './committed-log-check.js';
import { calmLinks, ClusterNetwork } from './cluster-network.js';
import { FaultInjector } from './fault-injector.js';
import { ProcessClock } from './process-clock.js';
import { ReplicaChecker } from './replica-checker.js';
import { SimAdmin } from './sim-admin.js';
import { SimClient } from './sim-client.js';
import { SimHostile } from './sim-hostile.js';
import { SimTxnClient } from './sim-txn-client.js';
import { ReadCommittedReader } from './read-committed-reader.js';
import { TxnChecker } from './txn-checker.js';
import { replayCommand, type SimClusterOptions } from './sim-cluster-options.js';
import { emptyStats, type SimClusterStats } from './sim-cluster-stats.js';
import { clientAddress, peerAddress, SimNode, type SimNodeEnv } from './sim-node.js';
import { Trace } from './trace.js';
import { RollingUpgrade } from './rolling-upgrade.js';

export interface SimClusterFailure {
  readonly check: string;
  readonly detail: string;
  readonly atMs: number;
  readonly lastEvents: readonly string[];
  readonly replay: string;
}

export interface SimClusterResult {
  readonly options: SimClusterOptions;
  readonly stats: SimClusterStats;
  /** Digest of the event trace: the same seed and options give the same digest. */
  readonly digest: string;
  readonly events: number;
  readonly failure: SimClusterFailure | undefined;
  /** The last events of the trace. */
  readonly lastEvents: readonly string[];
}

const tickMs = 10;
/** How often (simulated ms) every replica's committed data is read and checked during the steps. */
const checkEveryMs = 100;
/** Every this many checks, each replica's retained log is read again from its log start. */
const fullCheckEvery = 10;
/** A leader for every partition within this long once faults heal (many election timeouts). */
const leaderWithinMs = 10_000;
const startMs = 1_700_000_000_000;

/** Lets every promise the last clock move woke run to completion (see README: determinism). */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * One seeded run: N real ClusterNodes over MemoryKvStores, one ManualClock, one simulated network,
 * a client workload and faults, with the broker's checks after every check period and at the end.
 */
export async function runClusterSimulation(options: SimClusterOptions): Promise<SimClusterResult> {
  const run = new ClusterRun(options);
  await run.execute();
  return run.result();
}

class ClusterRun {
  private readonly prng: Prng;
  private readonly clock = new ManualClock(startMs);
  private readonly stats = emptyStats();
  private readonly trace = new Trace(() => this.clock.now() - startMs);
  private readonly network: ClusterNetwork;
  private readonly nodes: SimNode[] = [];
  private readonly checker = new ReplicaChecker();
  private readonly client: SimClient;
  private readonly txnChecker = new TxnChecker();
  private readonly reader: ReadCommittedReader;
  private readonly txnClient: SimTxnClient | undefined;
  private readonly admin: SimAdmin;
  private readonly hostile: SimHostile;
  private readonly faults: FaultInjector;
  private failure: SimClusterFailure | undefined;
  private upgrade: RollingUpgrade | undefined;

  constructor(private readonly options: SimClusterOptions) {
    this.prng = new Prng(options.seed);
    this.network = new ClusterNetwork(this.prng, this.clock, this.stats, calmLinks);
    const ids = Array.from({ length: options.nodes }, (_, i) => (i + 1) as NodeId);
    const byAddress = new Map<string, NodeId>();
    for (const id of ids) {
      byAddress.set(clientAddress(id), id);
      byAddress.set(peerAddress(id), id);
    }
    const env: SimNodeEnv = {
      clusterId: 'sim-cluster',
      peers: new Map(ids.map((id) => [id, peerAddress(id)])),
      clock: this.clock,
      network: this.network,
      prng: this.prng,
      stats: this.stats,
      transports: { inbound: (id) => this.nodeOf(id)?.transport },
      services: { nodeAt: (address) => byAddress.get(address), services: (id) => this.nodeOf(id)?.services },
      tickMs,
      // Some runs get slow disks: the longer a write waits for its fsync, the more happens meanwhile.
      fsyncMsMax: this.prng.pick([2, 5, 20]),
      churn: options.churn === true,
      onFatal: (id, error) => {
        if (this.upgrade?.expectedFatal(id, error) === true) return;
        this.fail(new BrokerViolation('no crash loop', `node ${id} stopped itself: ${describe(error)}`));
      },
      logicalVersion: (id) => this.upgrade?.versionOf(id) ?? nodeLogicalVersion,
      // A probe is a call over the network: a peer cut off from the asking node does not answer it
      // (one still booting answers, from its probe listener, while awaiting its identity).
      peerReports: (asking) =>
        this.nodes
          .filter(
            (n) => n.id !== asking && !this.network.isCut(asking, n.id) && !this.network.isCut(n.id, asking),
          )
          .map((n) => {
            const answer = n.identityAnswer();
            return answer === undefined ? undefined : peerReport(n.id, peerAddress(n.id), answer);
          })
          .filter((r): r is PeerReport => r !== undefined),
    };
    for (const id of ids) this.nodes.push(new SimNode(id, env));
    if (options.upgrade === true) this.upgrade = new RollingUpgrade(this.nodes, options.steps, this.trace);
    const view = {
      upNodes: () => this.upNodes(),
      node: (id: NodeId) => this.nodeOf(id)?.node,
      incarnation: (id: NodeId) => this.nodeOf(id)?.incarnations ?? 0,
    };
    const clientClock = new ProcessClock(this.clock);
    const calls = new ClientCalls(this.prng, clientClock, view, (e) => this.fail(e));
    this.client = new SimClient(
      this.prng,
      clientClock,
      calls,
      this.checker,
      this.stats,
      this.trace,
      (e) => this.fail(e),
      options.churn === true ? 1 : 0.5,
    );
    this.reader = new ReadCommittedReader(this.txnChecker, calls, (e) => this.fail(e));
    if (options.transactions === true)
      this.txnClient = new SimTxnClient(
        this.prng,
        clientClock,
        calls,
        this.client,
        this.txnChecker,
        this.stats,
        this.trace,
        (e) => this.fail(e),
      );
    this.admin = new SimAdmin(
      this.prng,
      clientClock,
      calls,
      this.client,
      this.checker,
      ids,
      this.stats,
      this.trace,
      () => this.diskMissing(),
    );
    this.faults = new FaultInjector(this.prng, this.nodes, this.network, this.stats, this.trace, () =>
      this.mayWipe(),
    );
    this.hostile = new SimHostile(this.prng, calls, this.client, this.stats, this.trace, (e) => this.fail(e));
  }

  async execute(): Promise<void> {
    for (const n of this.nodes) n.start();
    let nextCheckMs = this.clock.now() + checkEveryMs;
    for (let step = 0; step < this.options.steps && this.failure === undefined; step++) {
      this.stats.steps++;
      await this.advance(this.prng.intBetween(1, 10));
      this.client.step(this.options.topicsMax);
      this.txnClient?.step();
      this.hostile.step();
      this.upgrade?.step(step);
      if (this.options.admin) this.admin.step();
      if (this.options.faults) this.faults.step();
      if (this.clock.now() >= nextCheckMs) {
        nextCheckMs = this.clock.now() + checkEveryMs;
        await this.checkReplicas();
        await this.noteDisks();
        this.guard(() => this.upgrade?.check(this.upNodes()));
      }
    }
    if (this.failure === undefined) await this.settle();
    for (const n of this.nodes) n.countEvents();
    for (const n of this.nodes) n.crash(0);
    this.stats.simulatedMs = this.clock.now() - startMs;
    this.stats.checks = this.checker.checks;
    this.stats.readCommittedFetches = this.reader.fetches;
  }

  result(): SimClusterResult {
    return {
      options: this.options,
      stats: this.stats,
      digest: this.trace.digest(),
      events: this.trace.count,
      failure: this.failure,
      lastEvents: this.trace.lastEvents(),
    };
  }

  /** Faults heal and crashed nodes restart; then leaders, acks and replicas must settle in bounded time. */
  private async settle(): Promise<void> {
    this.faults.healAll();
    this.txnClient?.stop();
    const healedAt = this.clock.now();
    let leadersAt: number | undefined;
    while (this.failure === undefined) {
      await this.advance(10);
      if (leadersAt === undefined && this.allLed()) leadersAt = this.clock.now();
      if (leadersAt === undefined && this.clock.now() - healedAt > leaderWithinMs) {
        this.fail(
          new BrokerViolation(
            'leader once healed',
            `no leader for some partition ${leaderWithinMs} ms after healing: ${this.leaderReport()}`,
          ),
        );
        return;
      }
      // A move the operator started may still hand leadership over: the final checks need a leader now.
      const settled =
        this.client.pendingProduces === 0 &&
        (this.txnClient?.pending ?? 0) === 0 &&
        this.replicasConverged() &&
        this.allLed() &&
        (this.txnClient === undefined || this.allStable());
      if (leadersAt !== undefined && settled) break;
      if (this.clock.now() - healedAt > this.options.settleMsMax) {
        this.fail(
          new BrokerViolation(
            'settles once healed',
            `acks, replicas or transactions still pending ${this.options.settleMsMax} ms after healing (${this.client.pendingProduces} produces pending, ${this.txnClient?.pending ?? 0} transactional producers busy; ${this.unstableReport()})`,
          ),
        );
        return;
      }
    }
    await this.checkReplicas(true);
    await this.checkActiveVersion();
    for (const [topic, partitions] of this.client.knownTopics)
      for (let p = 0; p < partitions; p++) {
        const hw = this.leaderWatermark(topic, p);
        this.guard(() => this.checker.checkAllAcknowledgedBelow(`${topic}/${p}`, hw ?? 0));
      }
    if (this.txnClient !== undefined) await this.checkTransactions();
    if (this.upgrade !== undefined) await this.checkDowngradeRefused(this.upgrade);
  }

  /** A node put back on the old build once the new version is active must stop instead of running. */
  private async checkDowngradeRefused(upgrade: RollingUpgrade): Promise<void> {
    const node = this.nodes[0];
    if (node === undefined || this.failure !== undefined) return;
    upgrade.downgrade(node);
    const started = this.clock.now();
    while (this.failure === undefined && !upgrade.downgradeRefused) {
      if (this.clock.now() - started > leaderWithinMs) {
        this.fail(
          new BrokerViolation(
            'an old build refuses to run',
            `node ${node.id} on version 1 still runs ${leaderWithinMs} ms after version ${nodeLogicalVersion} was active`,
          ),
        );
        return;
      }
      await this.advance(10);
    }
  }

  /** Every node runs this build, so once healed the controller activates its version everywhere. */
  private async checkActiveVersion(): Promise<void> {
    const started = this.clock.now();
    const behind = (): string[] =>
      this.upNodes()
        .map((n) => ({ id: n.id, version: n.api.clusterStatus({ omitPartitions: true }).activeVersion }))
        .filter((n) => n.version !== nodeLogicalVersion)
        .map((n) => `node ${n.id} at ${n.version}`);
    while (this.failure === undefined && behind().length > 0) {
      if (this.clock.now() - started > leaderWithinMs) {
        this.fail(
          new BrokerViolation(
            'active version once healed',
            `version ${nodeLogicalVersion} not active ${leaderWithinMs} ms after settling: ${behind().join(', ')}`,
          ),
        );
        return;
      }
      await this.advance(10);
    }
  }

  /** Every reader reads up to its leader's high watermark; then each committed transaction is all there. */
  private async checkTransactions(): Promise<void> {
    const started = this.clock.now();
    while (this.failure === undefined) {
      const behind = this.readersBehind();
      if (behind.length === 0) break;
      if (this.clock.now() - started > leaderWithinMs) {
        this.fail(
          new BrokerViolation(
            'settles once healed',
            `read_committed readers short of the high watermark ${leaderWithinMs} ms after settling: ${behind.join(', ')}`,
          ),
        );
        return;
      }
      this.readCommitted();
      await this.advance(10);
    }
    const topics = this.client.knownTopics;
    this.guard(() =>
      this.txnChecker.checkCommittedDelivered((name) => {
        const [topic, p] = name.split('/');
        return topics.has(topic!) && Number(p) < (topics.get(topic!) ?? 0);
      }),
    );
  }

  private readersBehind(): string[] {
    const behind: string[] = [];
    for (const [topic, partitions] of this.client.knownTopics)
      for (let p = 0; p < partitions; p++) {
        const at = this.reader.position(`${topic}/${p}`);
        const hw = this.leaderWatermark(topic, p) ?? 0;
        if (at < hw) behind.push(`${topic}/${p} at ${at} of ${hw}`);
      }
    return behind;
  }

  /** Each partition's read_committed reader fetches from the node that leads it now. */
  private readCommitted(): void {
    for (const [topic, partitions] of this.client.knownTopics)
      for (let p = 0; p < partitions; p++) {
        const leader = this.upNodes().find((n) => localView(n.api, topic, p)?.leaderId === n.id);
        if (leader !== undefined) this.reader.poll(leader.id, topic, p);
      }
  }

  /** On every partition's leader the last stable offset reached the high watermark: no transaction open. */
  private allStable(): boolean {
    return this.unstableReport() === '';
  }

  private unstableReport(): string {
    const open: string[] = [];
    for (const [topic, partitions] of this.client.knownTopics)
      for (let p = 0; p < partitions; p++) {
        const leader = this.upNodes().find((n) => localView(n.api, topic, p)?.leaderId === n.id);
        const view = leader === undefined ? undefined : localView(leader.api, topic, p);
        if (view === undefined) open.push(`${topic}/${p} unled`);
        else if (view.lastStableOffset !== view.highWatermark)
          open.push(
            `${topic}/${p} last stable ${view.lastStableOffset} < high watermark ${view.highWatermark}`,
          );
      }
    return open.join(', ');
  }

  private async advance(ms: number): Promise<void> {
    for (let i = 0; i < ms; i++) {
      this.clock.advance(1);
      await drain();
    }
  }

  private checksDone = 0;

  private async checkReplicas(full = this.checksDone % fullCheckEvery === fullCheckEvery - 1): Promise<void> {
    this.checksDone++;
    const disks = new Map(this.nodes.map((n) => [n.id, n.kv] as const));
    await checkCommittedLogs(disks).catch((e: unknown) => this.fail(e));
    for (const n of this.nodes) {
      const api = n.node;
      if (api === undefined) continue;
      for (const [topic, partitions] of this.client.knownTopics)
        for (let p = 0; p < partitions && this.failure === undefined; p++)
          await this.checker
            .checkReplica(n.id, n.incarnations, api, topic, p, full)
            .catch((e: unknown) => this.fail(e));
      this.noteStable(n.id, n.incarnations, api);
    }
    if (this.txnClient !== undefined) this.readCommitted();
  }

  /** Each replica's last stable offset, held to never going back within the node's incarnation. */
  private noteStable(node: NodeId, incarnation: number, api: NodeApi): void {
    for (const [topic, partitions] of this.client.knownTopics)
      for (let p = 0; p < partitions; p++) {
        const where = `${node}#${incarnation}/${topic}/${p}`;
        const view = localView(api, topic, p);
        if (view === undefined || view.highWatermark < 0) this.txnChecker.forgetStable(where);
        else this.guard(() => this.txnChecker.noteStable(where, view.lastStableOffset));
      }
  }

  /**
   * The controller has a leader every node knows, and every partition one that each of its replicas
   * knows (a node outside the replica set may know an older one: it only forwards).
   */
  private allLed(): boolean {
    const up = this.upNodes();
    if (up.length === 0) return false;
    const controller = up[0]!.api.metadata([]).controllerId;
    if (controller === 0 || !up.every((n) => n.api.metadata([]).controllerId === controller)) return false;
    for (const [topic, partitions] of this.client.knownTopics)
      for (let p = 0; p < partitions; p++) {
        const replicas = new Set(replicasOf(up[0]!.api, topic, p));
        const leaders = up.filter((n) => replicas.has(n.id)).map((n) => leaderSeenBy(n.api, topic, p));
        if (leaders.length === 0 || leaders.some((l) => l === 0 || l !== leaders[0])) return false;
      }
    return true;
  }

  private leaderReport(): string {
    const parts: string[] = [];
    for (const n of this.upNodes()) {
      const seen = [...this.client.knownTopics].flatMap(([t, count]) =>
        Array.from({ length: count }, (_, p) => `${t}/${p}:${leaderSeenBy(n.api, t, p)}`),
      );
      parts.push(`n${n.id} sees controller ${n.api.metadata([]).controllerId} ${seen.join(' ')}`);
    }
    return parts.join('; ');
  }

  /** The high watermark of the leader its replicas agree on (allLed holds); a node with no replica sees none. */
  private leaderWatermark(topic: string, partition: number): number | undefined {
    const leader = this.upNodes()
      .map((n) => leaderSeenBy(n.api, topic, partition))
      .find((l) => l !== 0);
    const api = leader === undefined ? undefined : this.nodeOf(leader as NodeId)?.node;
    return api === undefined ? undefined : localView(api, topic, partition)?.highWatermark;
  }

  /**
   * Some node's disk holds no identity yet or the rejoining marker: that node votes in no group it
   * has not caught up in (cluster/node/vote-gate.ts), so the cluster tolerates one fault less.
   */
  private disksRejoining = true;
  private disksWholeChecks = 0;

  /** Reads every node's identity (see diskMissing). */
  private async noteDisks(): Promise<void> {
    let rejoining = false;
    for (const n of this.nodes) {
      const stored = await readNodeIdentity(n.kv);
      if (stored.identity === undefined || stored.rejoining) rejoining = true;
      else n.seenWhole();
    }
    this.disksWholeChecks = rejoining ? 0 : this.disksWholeChecks + 1;
    this.disksRejoining = this.disksWholeChecks < 2;
  }

  /**
   * Some node's disk was lost and it has not caught up: no check has seen it whole since, or one of
   * the last two checks saw a disk without identity or with the rejoining marker (so the marker's
   * removal is durable).
   */
  private diskMissing(): boolean {
    return this.disksRejoining || this.nodes.some((n) => n.wiped);
  }

  /**
   * A disk may be lost only while no other is missing, every partition has its three replicas and no
   * move or operator action runs: each committed entry is then on two disks at least, and the one
   * that survives the loss is the only one a leader can be elected with.
   */
  private mayWipe(): boolean {
    return !this.diskMissing() && this.replicaSetsWhole();
  }

  /**
   * No operation of the operator runs, the controller leader is up, and every up node (it among
   * them) sees each partition on three replicas with no move pending.
   */
  private replicaSetsWhole(): boolean {
    if (this.options.admin && !this.admin.idle) return false;
    const up = this.upNodes();
    if (!up.some((n) => n.api.metadata([]).controllerId === n.id)) return false;
    for (const n of up)
      for (const [topic, partitions] of this.client.knownTopics)
        for (let p = 0; p < partitions; p++) {
          const view = localView(n.api, topic, p);
          if (view === undefined || view.replicas.length < 3 || view.targetReplicas.length > 0) return false;
        }
    return true;
  }

  /** Every replica of every partition holds the same high watermark. */
  private replicasConverged(): boolean {
    for (const [topic, partitions] of this.client.knownTopics)
      for (let p = 0; p < partitions; p++) {
        const up = this.upNodes();
        const replicas = new Set(up.length === 0 ? [] : replicasOf(up[0]!.api, topic, p));
        const marks = new Set<number>();
        for (const n of up.filter((u) => replicas.has(u.id))) {
          const hw = localView(n.api, topic, p)?.highWatermark ?? -1;
          if (hw < 0) return false;
          marks.add(hw);
        }
        if (marks.size !== 1) return false;
      }
    return true;
  }

  private upNodes(): { id: NodeId; api: NodeApi }[] {
    const up: { id: NodeId; api: NodeApi }[] = [];
    for (const n of this.nodes) if (n.node !== undefined) up.push({ id: n.id, api: n.node });
    return up;
  }

  private nodeOf(id: NodeId): SimNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    const check = error instanceof BrokerViolation ? error.check : 'unexpected error';
    const detail = error instanceof BrokerViolation ? error.detail : describe(error);
    this.trace.add(`FAILED ${check}: ${detail}`);
    this.failure = {
      check,
      detail,
      atMs: this.clock.now() - startMs,
      lastEvents: this.trace.lastEvents(),
      replay: replayCommand(this.options),
    };
  }
}

function replicasOf(api: NodeApi, topic: string, partition: number): readonly number[] {
  try {
    return api.describeTopic(topic).partitionViews.find((v) => v.partition === partition)?.replicas ?? [];
  } catch {
    return [];
  }
}

function leaderSeenBy(api: NodeApi, topic: string, partition: number): number {
  try {
    return api.describeTopic(topic).partitionViews.find((v) => v.partition === partition)?.leaderId ?? 0;
  } catch {
    return 0;
  }
}

/** This node's own replica of the partition (high watermark -1 when it hosts none). */
function localView(api: NodeApi, topic: string, partition: number): PartitionView | undefined {
  try {
    return api.describeTopic(topic).partitionViews.find((v) => v.partition === partition);
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
