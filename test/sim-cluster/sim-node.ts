import { pino } from 'pino';
import type { ManualClock, NodeId, Prng } from '../../lib/index.js';
import { seedsFrom } from '../../lib/index.js';
import { MemoryKvStore } from '../../storage/index.js';
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
  /** A node reported a fatal error: the simulation fails unless the fault was injected. */
  readonly onFatal: (node: NodeId, error: unknown) => void;
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

export function peerAddress(id: NodeId): string {
  return `n${id}-peer`;
}

/**
 * One node "process": its MemoryKvStore outlives incarnations (it is the disk), a ClusterNode per
 * incarnation with its own ProcessClock, SimTransport and SimPeerCalls. A crash freezes the
 * incarnation (its timers and network die with it) and drops what RocksDB would lose.
 */
export class SimNode {
  readonly kv = new MemoryKvStore();
  private current: Incarnation | undefined;
  incarnations = 0;

  constructor(
    readonly id: NodeId,
    private readonly env: SimNodeEnv,
  ) {}

  get up(): boolean {
    return this.current !== undefined;
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

  /** Starts a new incarnation on what the disk holds; its start completes as the run advances. */
  start(): void {
    const { env } = this;
    const clock = new ProcessClock(env.clock);
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
      kv: new SimDisk(this.kv, clock, env.prng, env.fsyncMsMax),
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
    this.incarnations++;
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
    if (incarnation === undefined) return { unsyncedLost: 0 };
    const events = incarnation.node.raftEvents;
    this.env.stats.elections += events.electionsStarted;
    this.env.stats.leaderChanges += events.leaderChanges;
    this.env.stats.snapshotsInstalled += events.snapshotsInstalled;
    incarnation.clock.kill();
    void incarnation.transport.close();
    incarnation.peerCalls.close();
    this.current = undefined;
    this.env.network.setDown(this.id, true);
    const unsynced = this.kv.unsyncedWriteCount;
    const kept = Math.min(unsyncedWritesKept, unsynced);
    this.kv.crash({ unsyncedWritesKept: kept });
    return { unsyncedLost: unsynced - kept };
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
