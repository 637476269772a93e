import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { PartitionGauges, RaftEventCounts, VoteGateState } from '../../cluster/node/index.js';
import type { EngineMemory } from '../../storage/index.js';
import { PromDataPathMeter, type DataPathMeter } from './data-path-meter.js';

/** A consumer group's lag summed over its partitions (committed offset to high watermark). */
export interface GroupLag {
  readonly group: string;
  readonly lag: number;
}

/** Where the scrape-time series come from; nothing is sampled between scrapes. */
export interface MetricsSources {
  partitionGauges(partitionsMax: number): readonly PartitionGauges[];
  raftEvents(): RaftEventCounts;
  /** Whether the node still catches up before it votes (after a lost data directory, or a join). */
  voteGate(): VoteGateState;
  /** Empty unless this node coordinates groups (leads the controller). */
  groupLags(groupsMax: number): Promise<readonly GroupLag[]>;
  /** The storage engine's own memory (RocksDB's estimates). */
  engineMemory(): EngineMemory;
  /** The C allocator's own account of its heap; absent where it cannot be asked. */
  nativeHeap?(): NativeHeap;
  /** Bytes of answers read and not yet taken by HTTP/2, over all connections of each listener. */
  responseBytesHeld?(): { readonly client: number; readonly peer: number };
  /** Connections each listener closed for holding an answer past responseStallMsMax while calls waited. */
  stalledConnectionsClosed?(): { readonly client: number; readonly peer: number };
}

/** Bytes of the C allocator's heap (glibc's mallinfo2), excluding what V8 manages itself. */
export interface NativeHeap {
  /** Handed out from its arenas and not freed. */
  readonly inUseBytes: number;
  /** Free inside its arenas, resident or not (a trim gives pages back but they still count here). */
  readonly freeBytes: number;
  /** In blocks mapped one by one, above the mmap threshold: returned to the system when freed. */
  readonly mmappedBytes: number;
}

export interface MetricsLimits {
  /** Partitions with per-partition series (labels topic, partition); the rest are left out. */
  readonly partitionsMax: number;
  /** Consumer groups with a lag series (label group). */
  readonly groupsMax: number;
}

export const metricsLimitsDefault: MetricsLimits = { partitionsMax: 1_000, groupsMax: 200 };

/**
 * Seconds. prom-client's default buckets (1 ms, 10 ms, 100 ms…) put every pause from 1 to 10 ms in one
 * bucket, yet young-generation pauses of 1 to 6 ms are what reaches a one-at-a-time produce's p99 here.
 */
const gcPauseBuckets: readonly number[] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1];

type PartitionValue = (p: PartitionGauges) => number;

const partitionSeries: readonly [string, string, PartitionValue][] = [
  ['is_leader', '1 while this node leads the partition', (p) => (p.isLeader ? 1 : 0)],
  ['leader_id', 'The leader this replica knows (0: none)', (p) => p.leaderId],
  ['term', 'Raft term of the partition group', (p) => p.term],
  ['commit_index', 'Raft commit index', (p) => p.commitIndex],
  ['applied_index', 'Raft index applied to the state machine', (p) => p.appliedIndex],
  ['fsynced_index', 'Last Raft index fsynced to this node’s disk', (p) => p.fsyncedIndex],
  ['high_watermark', 'Offset after the last committed record', (p) => p.highWatermark],
  ['log_start_offset', 'First offset still stored', (p) => p.logStartOffset],
];

const raftEventSeries: readonly [string, string, keyof RaftEventCounts][] = [
  ['raftlog_raft_elections_started_total', 'Times a group became a candidate', 'electionsStarted'],
  ['raftlog_raft_leader_changes_total', 'Times a group learned of a new leader', 'leaderChanges'],
  ['raftlog_raft_snapshots_sent_total', 'Snapshots begun to followers', 'snapshotsSent'],
  ['raftlog_raft_snapshots_installed_total', 'Snapshots installed from a leader', 'snapshotsInstalled'],
];

/**
 * One node's Prometheus registry. Every gauge is computed in a `collect` callback when scraped, from
 * one snapshot of the partitions per scrape; label sets are capped by MetricsLimits.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly dataPath: DataPathMeter;
  private scrapes = 0;
  private snapshot: { scrape: number; partitions: readonly PartitionGauges[] } | undefined;

  constructor(
    private readonly sources: MetricsSources,
    nodeId: number,
    private readonly limits: MetricsLimits = metricsLimitsDefault,
  ) {
    this.registry.setDefaultLabels({ node: String(nodeId) });
    collectDefaultMetrics({ register: this.registry, gcDurationBuckets: [...gcPauseBuckets] });
    this.dataPath = new PromDataPathMeter(this.registry);
    for (const [name, help, value] of partitionSeries) this.partitionGauge(name, help, value);
    this.bytesOnDiskGauge();
    for (const [name, help, key] of raftEventSeries) this.eventCounter(name, help, key);
    this.groupLagGauge();
    this.voteGateGauges();
    this.engineMemoryGauge();
    this.nativeHeapGauge();
    this.responseBytesHeldGauge();
    this.stalledConnectionsCounter();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text of one scrape. */
  async render(): Promise<string> {
    this.scrapes++;
    return this.registry.metrics();
  }

  private partitions(): readonly PartitionGauges[] {
    if (this.snapshot?.scrape !== this.scrapes) {
      const partitions = this.sources.partitionGauges(this.limits.partitionsMax);
      this.snapshot = { scrape: this.scrapes, partitions };
    }
    return this.snapshot.partitions;
  }

  private partitionGauge(name: string, help: string, value: PartitionValue): void {
    const partitions = (): readonly PartitionGauges[] => this.partitions();
    new Gauge({
      name: `raftlog_partition_${name}`,
      help,
      labelNames: ['topic', 'partition'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const p of partitions()) this.set(labelsOf(p), value(p));
      },
    });
  }

  private bytesOnDiskGauge(): void {
    const partitions = (): readonly PartitionGauges[] => this.partitions();
    new Gauge({
      name: 'raftlog_partition_bytes_on_disk',
      help: 'Bytes of stored record batches from the log start to the end',
      labelNames: ['topic', 'partition'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const p of partitions()) {
          const bytes = await p.bytesOnDisk().catch(() => undefined);
          if (bytes !== undefined) this.set(labelsOf(p), bytes);
        }
      },
    });
  }

  private eventCounter(name: string, help: string, key: keyof RaftEventCounts): void {
    const events = (): RaftEventCounts => this.sources.raftEvents();
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(events()[key]);
      },
    });
  }

  private voteGateGauges(): void {
    const state = (): VoteGateState => this.sources.voteGate();
    new Gauge({
      name: 'raftlog_node_rejoining',
      help: '1 from a start on an empty data directory in a formed cluster until the node recorded that it caught up everywhere',
      registers: [this.registry],
      collect() {
        this.set(state().rejoining ? 1 : 0);
      },
    });
    new Gauge({
      name: 'raftlog_node_vote_gated_groups',
      help: 'Hosted groups in which this node does not vote yet (lost data directory) or asks for no vote (joined with an empty log) until it caught up',
      registers: [this.registry],
      collect() {
        this.set(state().gatedGroups);
      },
    });
  }

  private engineMemoryGauge(): void {
    const memory = (): EngineMemory => this.sources.engineMemory();
    new Gauge({
      name: 'raftlog_storage_engine_memory_bytes',
      help: 'Memory RocksDB holds outside the JavaScript heap, by use (memtables, table_readers, block_cache)',
      labelNames: ['use'],
      registers: [this.registry],
      collect() {
        this.reset();
        const m = memory();
        this.set({ use: 'memtables' }, m.memtables);
        this.set({ use: 'table_readers' }, m.tableReaders);
        this.set({ use: 'block_cache' }, m.blockCache);
      },
    });
  }

  private nativeHeapGauge(): void {
    const read = this.sources.nativeHeap?.bind(this.sources);
    if (read === undefined) return;
    new Gauge({
      name: 'raftlog_process_native_heap_bytes',
      help: 'The C allocator’s heap by state (glibc mallinfo2): in_use, free inside its arenas (resident or not), mmapped blocks',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const h = read();
        this.set({ state: 'in_use' }, h.inUseBytes);
        this.set({ state: 'free' }, h.freeBytes);
        this.set({ state: 'mmapped' }, h.mmappedBytes);
      },
    });
  }

  private responseBytesHeldGauge(): void {
    const read = this.sources.responseBytesHeld?.bind(this.sources);
    if (read === undefined) return;
    new Gauge({
      name: 'raftlog_response_bytes_held',
      help: 'Bytes of answers read and not yet sent, over all connections of a listener (at most responseBytesPerNodeMax each, or one larger answer alone)',
      labelNames: ['listener'],
      registers: [this.registry],
      collect() {
        const held = read();
        this.set({ listener: 'client' }, held.client);
        this.set({ listener: 'peer' }, held.peer);
      },
    });
  }

  private stalledConnectionsCounter(): void {
    const read = this.sources.stalledConnectionsClosed?.bind(this.sources);
    if (read === undefined) return;
    new Counter({
      name: 'raftlog_response_stalled_connections_closed_total',
      help: 'Connections closed for holding an answer not sent for responseStallMsMax while other calls waited for the listener’s response budget',
      labelNames: ['listener'],
      registers: [this.registry],
      collect() {
        this.reset();
        const closed = read();
        this.inc({ listener: 'client' }, closed.client);
        this.inc({ listener: 'peer' }, closed.peer);
      },
    });
  }

  private groupLagGauge(): void {
    const lags = (): Promise<readonly GroupLag[]> => this.sources.groupLags(this.limits.groupsMax);
    new Gauge({
      name: 'raftlog_group_lag_records',
      help: 'Records between a consumer group’s committed offsets and the high watermarks (on the controller leader)',
      labelNames: ['group'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const g of await lags().catch(() => [])) this.set({ group: g.group }, g.lag);
      },
    });
  }
}

const labelsOf = (p: PartitionGauges): { topic: string; partition: string } => ({
  topic: p.topic,
  partition: String(p.partition),
});
