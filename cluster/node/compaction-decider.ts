import { coveredBy, type PartitionStore } from '../../storage/index.js';
import type { ControllerReplica } from './controller-replica.js';
import type { TopicConfig } from '../controller/index.js';
import type { CompactionBounds } from '../partition/index.js';
import { CompactionReach } from './compaction-reach.js';
import type { KeyCompaction } from './key-compaction.js';
import type { NodeClock } from './node-clock.js';
import type { LocalPartition } from './partition-ops.js';
import { proposePartitionEntry } from './propose-partition.js';

/** How often partition leaders of compacted topics look whether a compaction pass is worth asking for. */
const compactionCheckIntervalMs = 2_000;
/**
 * A pass is asked for once the part it would newly cover (offsets past the last decision's bounds)
 * is at least this share of the retained log, as Kafka's min.cleanable.dirty.ratio: every pass reads
 * the whole log, so asking for one per new batch would read it over and over.
 */
const minCleanableDirtyRatio = 0.5;

export interface CompactionDeciderContext {
  readonly controller: ControllerReplica;
  readonly partitions: ReadonlyMap<number, LocalPartition>;
  readonly store: PartitionStore;
}

/**
 * The leader's half of key compaction: for each partition of a compacted topic it leads, it decides
 * how far compaction may go (below the last stable offset, older than min.compaction.lag.ms) and
 * below which offset tombstones go (older than delete.retention.ms, and reached by a compaction bound
 * at least that long ago: CompactionReach), and proposes that as a `compact` entry; every replica
 * applies it and its store follows in the background (KeyCompaction). Ages are the leader's append
 * times, found with one seek on the append time index.
 */
export class CompactionDecider {
  private checkedAtMs = 0;
  /** Per partition group this node leads. */
  private readonly reaches = new Map<number, CompactionReach>();

  constructor(
    private readonly ctx: CompactionDeciderContext,
    private readonly clock: Pick<NodeClock, 'now'>,
    private readonly runner: KeyCompaction,
  ) {}

  async run(): Promise<void> {
    const now = this.clock.now();
    if (now - this.checkedAtMs >= compactionCheckIntervalMs) {
      this.checkedAtMs = now;
      await this.decide(now);
    }
    this.runner.kick(() =>
      [...this.ctx.partitions.values()].map(({ replica }) => ({
        partitionKey: replica.partitionKey,
        state: replica.state,
        storedEnd: replica.storedEnd,
        filling: replica.isFilling,
      })),
    );
  }

  private async decide(now: number): Promise<void> {
    const led = new Set<number>();
    for (const t of this.ctx.controller.state.topics.values()) {
      if (t.config.cleanupPolicy === 'delete') continue;
      for (const a of t.partitions) {
        const local = this.ctx.partitions.get(a.groupId);
        if (local === undefined || !local.group.isLeader() || local.replica.isFilling) continue;
        led.add(a.groupId);
        const reach = this.reaches.get(a.groupId) ?? new CompactionReach();
        this.reaches.set(a.groupId, reach);
        reach.note(local.replica.state.compactionTarget.upToOffset, now);
        const target = await this.target(local, t.config, now, reach);
        if (target === undefined) continue;
        proposePartitionEntry(local, { timestampMs: now, command: { type: 'compact', ...target } });
      }
    }
    // A partition led again later starts its history afresh (tombstones then wait longer).
    for (const groupId of this.reaches.keys()) if (!led.has(groupId)) this.reaches.delete(groupId);
  }

  /** The bounds worth proposing now, or undefined when the last decision covers enough. */
  private async target(
    local: LocalPartition,
    config: TopicConfig,
    now: number,
    reach: CompactionReach,
  ): Promise<CompactionBounds | undefined> {
    const sm = local.replica.state;
    const key = local.replica.partitionKey;
    let upToOffset = Math.min(sm.lastStableOffset, local.replica.storedEnd);
    if (config.minCompactionLagMs > 0) {
      const young = await this.ctx.store.retentionCutoffByAppendTime(key, now - config.minCompactionLagMs);
      upToOffset = Math.min(upToOffset, young);
    }
    const current = sm.compactionTarget;
    const old = await this.ctx.store.retentionCutoffByAppendTime(key, now - config.deleteRetentionMs);
    const reachedLongAgo = Math.max(
      reach.reachedBy(now - config.deleteRetentionMs),
      current.tombstonesBeforeOffset,
    );
    const target = { upToOffset, tombstonesBeforeOffset: Math.min(old, upToOffset, reachedLongAgo) };
    if (coveredBy(target, current)) return undefined;
    const dirty = target.upToOffset - current.upToOffset;
    const endDue = dirty > 0 && dirty >= minCleanableDirtyRatio * (target.upToOffset - sm.logStartOffset);
    // Tombstones wait between the old bound and the end; the bound crossing half of that is worth a pass.
    const aged = target.tombstonesBeforeOffset - current.tombstonesBeforeOffset;
    const waiting = target.upToOffset - current.tombstonesBeforeOffset;
    const tombstonesDue = aged > 0 && aged >= minCleanableDirtyRatio * waiting;
    return endDue || tombstonesDue ? target : undefined;
  }
}
