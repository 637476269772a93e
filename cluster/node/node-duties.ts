import type { Logger } from 'pino';
import { AssertionError, RaftlogError, type GroupId, type NodeId } from '../../lib/index.js';
import type { PartitionStore } from '../../storage/index.js';
import { controllerGroupIdValue, type ControllerCommand, type TopicConfig } from '../controller/index.js';
import type { MultiRaftHost } from '../host/index.js';
import type { ControllerReplica } from './controller-replica.js';
import type { LocalPartition } from './partition-ops.js';
import { proposePartitionEntry } from './propose-partition.js';
import { nextReassignmentStep } from './reassignment.js';
import { BackgroundLane, yieldOn } from './background-lane.js';
import { CompactionDecider } from './compaction-decider.js';
import { KeyCompaction } from './key-compaction.js';
import type { NodeClock } from './node-clock.js';
import { defaultRetentionPurgeLimits, RetentionPurge } from './retention-purge.js';

const controllerGroup = controllerGroupIdValue as GroupId;
/** How often partition leaders apply retention. */
const retentionCheckIntervalMs = 5_000;
/** A node the controller leader cannot reach for this long is marked not alive (placement skips it). */
const nodeDeadAfterMs = 5_000;

export interface DutyContext {
  readonly nodeId: NodeId;
  readonly advertise: string;
  readonly peerAdvertise: string;
  readonly host: MultiRaftHost;
  readonly controller: ControllerReplica;
  readonly partitions: ReadonlyMap<number, LocalPartition>;
  readonly store: PartitionStore;
  /** Removes entry-file segments no stored entry lies in (RaftLogStore.collectEntryFiles). */
  readonly collectEntryFiles?: () => Promise<number[]>;
  readonly connectedPeers: () => ReadonlySet<NodeId>;
  readonly proposeController: (command: ControllerCommand) => Promise<unknown>;
  /** As controller leader, expires consumer-group members whose sessions ran out. */
  readonly groupSessions?: () => Promise<void>;
  /** Controller membership and decommissions (membership-duties.ts). */
  readonly membership?: { run(): Promise<void> };
  /** As controller leader, raises the cluster's active version (active-version-duty.ts). */
  readonly activeVersion?: { run(): Promise<void> };
  /** For key compaction's decisions and timings; the system clock when absent. */
  readonly clock: NodeClock;
  readonly logger: Logger;
}

/**
 * A node's periodic work: register its client address with the controller; as controller leader,
 * track which nodes are alive and raise the active version; as a partition leader, drive replica
 * moves and apply retention.
 */
export class NodeDuties {
  private readonly lastSeen = new Map<NodeId, number>();
  private retentionCheckedAtMs = 0;
  private filesCollectedAtMs = 0;
  private readonly purge: RetentionPurge;
  private readonly compaction: KeyCompaction;
  private readonly compactionDecider: CompactionDecider;

  constructor(private readonly ctx: DutyContext) {
    const lane = new BackgroundLane();
    const clock = ctx.clock;
    const pause = (): Promise<void> => yieldOn(clock);
    this.purge = new RetentionPurge(ctx.store, ctx.logger, defaultRetentionPurgeLimits, pause, lane);
    this.compaction = new KeyCompaction(ctx.store, clock, ctx.logger, lane, pause);
    this.compactionDecider = new CompactionDecider(ctx, clock, this.compaction);
  }

  /** Waits for a background purge or compaction step in progress; none starts afterwards. */
  async stop(): Promise<void> {
    await this.purge.stop();
    await this.compaction.stop();
  }

  /** One round; an error (no controller leader yet…) only defers that duty to the next round. */
  async run(): Promise<void> {
    const duties: [string, () => Promise<void>][] = [
      ['register', () => this.registerSelf()],
      ['liveness', () => this.trackLiveness()],
      ['reassignment', () => this.driveReassignments()],
      ['retention', () => this.enforceRetention()],
      ['entry-files', () => this.collectEntryFiles()],
      ['compaction', () => this.compactionDecider.run()],
      ['group-sessions', () => this.ctx.groupSessions?.() ?? Promise.resolve()],
      ['membership', () => this.ctx.membership?.run() ?? Promise.resolve()],
      ['active-version', () => this.ctx.activeVersion?.run() ?? Promise.resolve()],
    ];
    // Side by side: one that waits or fails (a slow controller) must not hold the others back.
    await Promise.all(
      duties.map(([name, duty]) =>
        duty().catch((error: unknown) => {
          // A broken invariant is not a slow controller: it must not be retried at debug level forever.
          if (error instanceof AssertionError) this.ctx.host.fail(error, { duty: name });
          // Corrupt stored data (found by a retention lookup) is for an operator to see.
          else if (error instanceof RaftlogError && error.code === 'CORRUPTION')
            this.ctx.logger.error({ err: error, duty: name }, 'duty met corrupt data');
          else this.ctx.logger.debug({ err: error, duty: name }, 'duty deferred');
        }),
      ),
    );
  }

  /**
   * As a partition leader, moves the log start past what the topic's retention drops (by the time
   * the leader appended a batch, or by size); every replica moves its log start when it applies the
   * move, and its background purge deletes the batches below it, on leaders and followers alike.
   */
  private async enforceRetention(): Promise<void> {
    const now = this.ctx.clock.now();
    if (now - this.retentionCheckedAtMs < retentionCheckIntervalMs) return;
    this.retentionCheckedAtMs = now;
    this.purge.kick();
    for (const t of this.ctx.controller.state.topics.values()) {
      // 'compact' alone keeps the newest record of every key however old; 'compact,delete' also ages out.
      if (t.config.cleanupPolicy === 'compact') continue;
      for (const a of t.partitions) {
        const local = this.ctx.partitions.get(a.groupId);
        if (local === undefined || !local.group.isLeader() || local.replica.blocked) continue;
        const cutoff = await this.retentionCutoff(local, t.config, now);
        if (cutoff <= local.replica.state.logStartOffset) continue;
        proposePartitionEntry(local, {
          timestampMs: now,
          command: { type: 'set-log-start-offset', logStartOffset: cutoff },
        });
      }
    }
  }

  /** As often as retention runs: segments empty out as retention, log compaction and snapshots delete entries. */
  private async collectEntryFiles(): Promise<void> {
    const now = this.ctx.clock.now();
    if (this.ctx.collectEntryFiles === undefined || now - this.filesCollectedAtMs < retentionCheckIntervalMs)
      return;
    this.filesCollectedAtMs = now;
    const removed = await this.ctx.collectEntryFiles();
    if (removed.length > 0) this.ctx.logger.debug({ segments: removed }, 'entry file segments removed');
  }

  private async retentionCutoff(local: LocalPartition, config: TopicConfig, now: number): Promise<number> {
    const key = local.replica.partitionKey;
    let cutoff = 0;
    if (config.retentionMs >= 0)
      cutoff = await this.ctx.store.retentionCutoffByAppendTime(key, now - config.retentionMs);
    if (config.retentionBytes >= 0) {
      cutoff = Math.max(cutoff, await this.ctx.store.retentionCutoffByBytes(key, config.retentionBytes));
    }
    return Math.min(cutoff, local.replica.state.highWatermark);
  }

  /** As a partition leader, moves each partition with a reassignment target one step closer to it. */
  private async driveReassignments(): Promise<void> {
    for (const t of this.ctx.controller.state.topics.values()) {
      for (const a of t.partitions) {
        const local = this.ctx.partitions.get(a.groupId);
        if (a.targetReplicas === null || local === undefined || !local.group.isLeader()) continue;
        await this.reassignStep(t.name, a.partition, a.groupId, local, a.targetReplicas);
      }
    }
  }

  private async reassignStep(
    topic: string,
    partition: number,
    groupId: GroupId,
    local: LocalPartition,
    target: readonly NodeId[],
  ): Promise<void> {
    const step = nextReassignmentStep(local.group.status(), target);
    this.ctx.logger.debug({ topic, partition, step: step.kind }, 'reassignment step');
    switch (step.kind) {
      case 'wait':
        return;
      case 'add-learners':
        await this.ctx.host.snapshotNow(groupId);
        local.group.proposeConfChange(step.change);
        break;
      case 'transfer':
        local.group.transferLeader(step.to);
        break;
      case 'promote':
        local.group.proposeConfChange(step.change);
        break;
      case 'complete':
        await this.reportReassignment(topic, partition, step.replicas);
        return;
    }
    this.ctx.host.schedule();
  }

  private async reportReassignment(
    topic: string,
    partition: number,
    replicas: readonly NodeId[],
  ): Promise<void> {
    await this.ctx.proposeController({ type: 'complete-reassignment', topic, partition, replicas });
  }

  private async registerSelf(): Promise<void> {
    const mine = this.ctx.controller.state.nodes.get(this.ctx.nodeId);
    if (mine?.address === this.ctx.advertise && mine.peerAddress === this.ctx.peerAdvertise) return;
    if ((this.ctx.host.group(controllerGroup)?.leader ?? 0) === 0) return;
    await this.ctx.proposeController({
      type: 'register-node',
      nodeId: this.ctx.nodeId,
      address: this.ctx.advertise,
      peerAddress: this.ctx.peerAdvertise,
    });
  }

  private async trackLiveness(): Promise<void> {
    const group = this.ctx.host.group(controllerGroup);
    if (group === undefined || !group.isLeader()) {
      this.lastSeen.clear();
      return;
    }
    const now = this.ctx.clock.now();
    const connected = this.ctx.connectedPeers();
    for (const [id, node] of this.ctx.controller.state.nodes) {
      if (node.membership === 'removed') continue;
      if (id === this.ctx.nodeId || connected.has(id)) this.lastSeen.set(id, now);
      const seen = this.lastSeen.get(id) ?? (this.lastSeen.set(id, now), now);
      const alive = now - seen < nodeDeadAfterMs;
      if (alive !== node.alive)
        await this.ctx.proposeController({ type: 'set-node-alive', nodeId: id, alive });
    }
  }
}
