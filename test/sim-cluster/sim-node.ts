import { pino } from 'pino';
import type { ManualClock, NodeId, Prng } from '../../lib/index.js';
import { seedsFrom } from '../../lib/index.js';
import { EntryFiles, MemoryKvStore, MemorySegmentFiles } from '../../storage/index.js';
import {
  resolveNodeIdentity,
  type peerReport,
  type PeerReport,
} from '../../src/server/node-identity-check.js';
import { ClusterNode } from '../../cluster/node/index.js';
import {
  adminService,
  brokerService,
  resolveServiceLimits,
  writeTxnMarkersHandler,
} from '../../src/server/services/index.js';
import { StreamSlots } from '../../src/server/services/stream-slots.js';
import type { ClusterNetwork } from './cluster-network.js';
import { ProcessClock } from './process-clock.js';
import type { SimClusterStats } from './sim-cluster-stats.js';
import { SimPeerCalls, type NodeServices, type ServiceDirectory } from './sim-peer-calls.js';
import { SimTransport, type TransportDirectory } from './sim-transport.js';
import { SimDisk } from './sim-disk.js';
import { SimSegmentFiles } from './sim-segment-files.js';

export interface SimNodeEnv {
  readonly clusterId: string;
  /** Every node's peer address (`n<id>-peer`), the seeds each node starts with. */
  readonly peers: ReadonlyMap<NodeId, string>;
  readonly clock: ManualClock;
  readonly network: ClusterNetwork;
  readonly prng: Prng;
  readonly stats: SimClusterStats;
  readonly transports: TransportDirectory;
  readonly services: ServiceDirectory;
  readonly tickMs: number;
  /** The slowest fsync of this run's disks, in simulated ms. */
  readonly fsyncMsMax: number;
  /** Snapshots (and log compaction) every 10 entries (SimClusterOptions.churn). */
  readonly churn: boolean;
  /** The logical version the node's next incarnation runs (SimClusterOptions.upgrade). */
  readonly logicalVersion: (node: NodeId) => number;
  /** A node reported a fatal error: the simulation fails unless the fault was injected. */
  readonly onFatal: (node: NodeId, error: unknown) => void;
  /**
   * What the running nodes other than `asking` say about their cluster, as a node starting on an
   * empty data directory asks its peers (src/server/node-identity-check.ts).
   */
  readonly peerReports: (asking: NodeId) => PeerReport[];
}

interface Incarnation {
  readonly node: ClusterNode<SimTransport>;
  readonly clock: ProcessClock;
  readonly transport: SimTransport;
  readonly peerCalls: SimPeerCalls;
  readonly services: NodeServices;
}

const silent = pino({ level: 'silent' });

export function clientAddress(id: NodeId): string {
  return `n${id}-client`;
}

/**
 * Small segments and a small inline bound, so runs place most entries in files, fill and remove
 * segments, and crash between a segment's write and its sync.
 */
const simEntryFiles = { segmentBytesMax: 64 * 1024, inlineBytesMax: 64 };
/** Writes aligned and padded as O_DIRECT's are (at a smaller block, so segments still fill often). */
const simWriteAlignBytes = 512;

/** Groups snapshot and compact their logs every 10 entries or 8 KiB, keeping a short trail. */
const churnHost = {
  snapshotEntriesMin: 10,
  snapshotBytesMin: 8 * 1024,
  compactionTrailEntries: 2,
  compactionTrailBytes: 4 * 1024,
};

/**
 * A log cache of a few tens of KiB per group, each share held in a ring (EntryRing), so runs wrap
 * rings, trim them for room and read entries behind them back from the disk.
 */
const simCache = { logCacheBytesMax: 32 * 1024, logCacheRingBytesMin: 1024 };

export function peerAddress(id: NodeId): string {
  return `n${id}-peer`;
}

/**
 * One node "process": its MemoryKvStore outlives incarnations (it is the disk), a ClusterNode per
 * incarnation with its own ProcessClock, SimTransport and SimPeerCalls. A crash freezes the
 * incarnation (its timers and network die with it) and drops what RocksDB would lose.
 */
export class SimNode {
  private disk = new MemoryKvStore();
  /** The entry files beside it, on the same disk: crashed and wiped with it. */
  private files = new MemorySegmentFiles(simWriteAlignBytes);
  private current: Incarnation | undefined;
  /** The clock of an incarnation still reading its data directory (it runs no node yet). */
  private booting: ProcessClock | undefined;
  incarnations = 0;
  /** The disk was wiped and no check has seen it whole since (see `wiped`). */
  private wipedSinceStart = false;
  /** Answering probes as a node on an empty directory that has not resolved its identity. */
  private awaitingIdentity = false;
  /** Wipes of this node's disk in this run. */
  wipes = 0;

  constructor(
    readonly id: NodeId,
    private readonly env: SimNodeEnv,
  ) {}

  /** The node's disk: it outlives incarnations, not wipes. */
  get kv(): MemoryKvStore {
    return this.disk;
  }

  /**
   * Whether the disk was wiped and no check has seen it whole since (an identity without the rejoining
   * marker). Not cleared by the start that writes the identity: until a check reads the marker, the
   * node would otherwise look whole, and the operator shrank a group to two voters in that gap
   * (seed 9022: a two-voter group with a gated member elects nobody).
   */
  get wiped(): boolean {
    return this.wipedSinceStart;
  }

  /** A check read an identity without the rejoining marker on this disk. */
  seenWhole(): void {
    this.wipedSinceStart = false;
  }

  /** What it answers to an identity probe: awaiting its own on an empty directory, its status once running. */
  identityAnswer(): Parameters<typeof peerReport>[2] | undefined {
    if (this.awaitingIdentity) return { clusterId: '', awaitingIdentity: true };
    return this.current?.node.clusterStatus({ omitPartitions: true });
  }

  /** Running, or reading its directory before it runs. */
  get up(): boolean {
    return this.current !== undefined || this.booting !== undefined;
  }

  get node(): ClusterNode<SimTransport> | undefined {
    return this.current?.node;
  }

  get transport(): SimTransport | undefined {
    return this.current?.transport;
  }

  get services(): NodeServices | undefined {
    return this.current?.services;
  }

  /** The process clock of the running incarnation (a client's waits on this node die with it). */
  get clock(): ProcessClock | undefined {
    return this.current?.clock;
  }

  /**
   * Starts a new incarnation on what the disk holds; its start completes as the run advances. As
   * run-node does, it first resolves the directory's identity (resolveNodeIdentity, asking the
   * running peers), which on an empty directory writes one, with the rejoining marker when the
   * peers show a formed cluster, before the node runs.
   */
  start(): void {
    const clock = new ProcessClock(this.env.clock);
    this.booting = clock;
    this.incarnations++;
    this.boot(clock).catch((error: unknown) => {
      if (this.booting === clock) this.env.onFatal(this.id, error);
    });
  }

  private async boot(clock: ProcessClock): Promise<void> {
    const { env } = this;
    const kv = new SimDisk(this.disk, clock, env.prng, env.fsyncMsMax);
    const config = { id: this.id, peers: env.peers, dataDir: `n${this.id}-data`, clusterId: env.clusterId };
    const probe = (): Promise<PeerReport[]> => Promise.resolve(env.peerReports(this.id));
    const identity = await resolveNodeIdentity(kv, config, silent, {
      probe,
      sleep: (ms) => clock.sleep(ms),
      answerAsAwaiting: () => {
        this.awaitingIdentity = true;
        return Promise.resolve(() => {
          this.awaitingIdentity = false;
          return Promise.resolve();
        });
      },
    });
    const entryFiles = await EntryFiles.open(
      new SimSegmentFiles(this.files, clock, env.prng, env.fsyncMsMax, env.stats),
      simEntryFiles,
    );
    if (this.booting !== clock) return; // crashed meanwhile: the identity write may be lost with it
    this.booting = undefined;
    this.launch(clock, kv, entryFiles, identity.rejoining);
  }

  private launch(clock: ProcessClock, kv: SimDisk, entryFiles: EntryFiles, rejoining: boolean): void {
    const { env } = this;
    const peerCalls = new SimPeerCalls(this.id, env.network, env.services, clock, env.stats);
    let transport: SimTransport | undefined;
    const node = new ClusterNode<SimTransport>({
      nodeId: this.id,
      clusterId: env.clusterId,
      advertise: clientAddress(this.id),
      peerAdvertise: peerAddress(this.id),
      peers: env.peers,
      tickMs: env.tickMs,
      electionTimeoutTicks: 10,
      heartbeatIntervalTicks: 2,
      kv,
      entryFiles,
      host: env.churn ? { ...simCache, ...churnHost } : simCache,
      catchUpBeforeVoting: rejoining,
      logicalVersion: env.logicalVersion(this.id),
      logger: silent,
      clock,
      transport: (wiring) =>
        (transport = new SimTransport(this.id, wiring, env.network, env.transports, clock)),
      peerCalls,
      seeds: seedsFrom(env.prng),
      onFatal: (error) => {
        if (this.current?.node === node) env.onFatal(this.id, error);
      },
    });
    if (transport === undefined) throw new Error('the node built no transport');
    const limits = resolveServiceLimits(undefined);
    const deps = { api: node, logger: silent, limits, streams: new StreamSlots(limits) };
    const services: NodeServices = {
      broker: brokerService(deps),
      admin: adminService(deps),
      peer: {
        proposeControllerCommand: (req) => node.answerForwardedControllerCommand(req.entry),
        writeTxnMarkers: writeTxnMarkersHandler(node),
      },
    };
    this.current = { node, clock, transport, peerCalls, services };
    env.network.setDown(this.id, false);
    node.start().catch((error: unknown) => {
      if (this.current?.node === node) env.onFatal(this.id, error);
    });
  }

  /**
   * Kills the process: the incarnation freezes, and the disk keeps its synced writes plus
   * `unsyncedWritesKept` of the unsynced ones (oldest first, as RocksDB's WAL would).
   */
  crash(unsyncedWritesKept: number): { unsyncedLost: number } {
    const incarnation = this.current;
    if (incarnation === undefined) {
      if (this.booting === undefined) return { unsyncedLost: 0 };
      this.booting.kill();
      this.booting = undefined;
      this.awaitingIdentity = false;
      return this.loseUnsynced(unsyncedWritesKept);
    }
    const events = incarnation.node.raftEvents;
    this.env.stats.elections += events.electionsStarted;
    this.env.stats.leaderChanges += events.leaderChanges;
    this.env.stats.snapshotsInstalled += events.snapshotsInstalled;
    incarnation.clock.kill();
    void incarnation.transport.close();
    incarnation.peerCalls.close();
    this.current = undefined;
    this.env.network.setDown(this.id, true);
    return this.loseUnsynced(unsyncedWritesKept);
  }

  private loseUnsynced(unsyncedWritesKept: number): { unsyncedLost: number } {
    const unsynced = this.disk.unsyncedWriteCount;
    const kept = Math.min(unsyncedWritesKept, unsynced);
    this.disk.crash({ unsyncedWritesKept: kept });
    this.files.crash();
    return { unsyncedLost: unsynced - kept };
  }

  /** The operator lost the node's data directory (a new volume, a wrong `rm -rf`): it must be down. */
  wipe(): void {
    if (this.up) throw new Error(`node ${this.id} is running: crash it before wiping its disk`);
    this.disk = new MemoryKvStore();
    this.files = new MemorySegmentFiles(simWriteAlignBytes);
    this.wipedSinceStart = true;
    this.wipes++;
  }

  /** Adds the running incarnation's Raft events to the run's totals (at the end of a run). */
  countEvents(): void {
    const events = this.current?.node.raftEvents;
    if (events === undefined) return;
    this.env.stats.elections += events.electionsStarted;
    this.env.stats.leaderChanges += events.leaderChanges;
    this.env.stats.snapshotsInstalled += events.snapshotsInstalled;
  }
}
