import type { Logger } from 'pino';
import {
  AssertionError,
  CorruptionError,
  type GroupId,
  type NodeId,
  type PartitionId,
} from '../../lib/index.js';
import type { ConfState } from '../../raft/index.js';
import { StorageBatch, type KvStore, type PartitionStore, type RaftLogStore } from '../../storage/index.js';
import { reconcile, type ControllerState, type PartitionGroupSpec } from '../controller/index.js';
import type { MultiRaftHost } from '../host/index.js';
import type { PartitionLimits } from '../partition/index.js';
import { forEachBounded } from './bounded-parallel.js';
import { controllerGroup, type ControllerReplica } from './controller-replica.js';
import type { LeaderData } from './leader-data.js';
import type { NodeClock } from './node-clock.js';
import { PartitionReplica } from './partition-replica.js';
import type { PartitionRouter } from './partition-router.js';
import type { VoteGate } from './vote-gate.js';

/**
 * Partition groups loaded at once when many start together: each load is a handful of RocksDB reads
 * that wait on its thread pool, so a few in flight keep the pool busy where one at a time leaves it
 * idle between them. Loading 32 at once once seemed to make 10,000 partitions lose their leaders;
 * that collapse came from peer liveness judged by the clock alone (see MultiRaftHost.isAlive) and
 * happened with one at a time too on a loaded machine.
 */
const groupLoadParallel = 16;

export interface ReconcilerDeps {
  readonly nodeId: NodeId;
  readonly kv: KvStore;
  readonly store: PartitionStore;
  readonly logs: RaftLogStore;
  readonly host: MultiRaftHost;
  readonly controller: ControllerReplica;
  readonly router: PartitionRouter;
  readonly leaderData: LeaderData;
  readonly voteGate: VoteGate;
  readonly clock: NodeClock;
  readonly logger: Logger;
  readonly tickMs: number;
  /** Limits of partitions this node creates. */
  readonly partitionLimits?: Partial<PartitionLimits> | undefined;
}

/** About when the other replicas of a new group have applied its creation too. */
const freshCampaignRetryTicks = 4;

/**
 * Keeps the partition groups running here equal to what the controller assigns this node: starts
 * new ones, stops those moved away, and deletes the stored data of groups gone while it was down.
 * Runs one pass at a time, after every controller change.
 */
export class Reconciler {
  private reconciling: Promise<void> = Promise.resolve();
  private stopping = false;
  private fromIndex = 0;
  private replaying = false;
  private orphansRemovedAtIndex = -1;

  constructor(private readonly deps: ReconcilerDeps) {}

  /**
   * While the controller replays its log after a restart its state is history: acting on it could
   * delete a group (and the votes it cast) that a later entry gives back to this node. Passes wait
   * until the replica applied `index` (what was committed when the node started).
   */
  startFrom(index: number): void {
    this.fromIndex = index;
    this.replaying = true;
  }

  /**
   * Runs the pass that waited for the replay. The entries that end a replay may change no state (a
   * new leader's empty entry, a membership change), so no change would call for it.
   */
  appliedTo(index: number): void {
    if (!this.replaying || index < this.fromIndex) return;
    this.replaying = false;
    this.soon();
  }

  soon(): void {
    this.reconciling = this.reconciling
      .then(() => this.now())
      .catch((error: unknown) => {
        // A group whose stored log is damaged cannot run here; going on without it would leave its
        // partition one replica short in silence. Stopping says so, and a wiped node rebuilds.
        if (error instanceof AssertionError || error instanceof CorruptionError) {
          this.deps.host.fail(error, { during: 'reconcile' });
        } else this.deps.logger.error({ err: error }, 'reconciling partition groups failed');
      });
  }

  /** Starts no pass after this; resolves when the pass under way ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.reconciling;
  }

  private async now(): Promise<void> {
    if (this.stopping) return;
    const state = this.deps.controller.state;
    if (state.appliedIndex < this.fromIndex) return;
    const local = this.deps.router.local;
    const plan = reconcile(state, this.deps.nodeId, [...local.keys()] as GroupId[]);
    await forEachBounded(plan.create, groupLoadParallel, (spec) => this.create(spec));
    await this.removeOrphans(state);
    for (const id of plan.remove) {
      this.deps.logger.info({ group: id }, 'removing a running group no longer assigned here');
      local.get(id)?.replica.close();
      local.delete(id);
      this.deps.voteGate.forget(id);
      await this.deps.host.removeGroup(id, (batch) => {
        this.deps.store.deletePartition(batch, id as number as PartitionId);
        return Promise.resolve();
      });
    }
  }

  private async create(spec: PartitionGroupSpec): Promise<void> {
    if (this.stopping) return;
    const { deps } = this;
    const { groupId, replicas } = spec;
    const replica = new PartitionReplica(
      groupId as number as PartitionId,
      deps.kv,
      deps.store,
      deps.leaderData.sourceFor(groupId),
      deps.logger,
      deps.clock,
      () => deps.controller.state.activeVersion,
      deps.partitionLimits,
    );
    await replica.open();
    const group = await deps.host.addGroup(groupId, replica, bootstrapOf(spec, deps.nodeId));
    if (group.storage.lastIndex() === 0 && joinsRunningGroup(spec, deps.nodeId))
      deps.voteGate.gateJoin(groupId);
    deps.router.local.set(groupId, { group, replica });
    if (group.status().term === 0 && replicas[0] === deps.nodeId && deps.voteGate.mayCampaign(groupId))
      this.campaignFresh(groupId);
  }

  /**
   * Deletes groups stored here that the controller no longer assigns to this node and that do not
   * run: a topic deleted, or a replica moved away, while this node was down. Group ids are never
   * reused, so an id below the next one to be handed out and absent from the assignments is gone.
   */
  private async removeOrphans(state: ControllerState): Promise<void> {
    if (this.orphansRemovedAtIndex === state.appliedIndex) return;
    this.orphansRemovedAtIndex = state.appliedIndex;
    const assigned = assignedHere(state, this.deps.nodeId);
    const { logs, host, store, kv, logger } = this.deps;
    for (const id of await logs.storedGroups()) {
      if (id === controllerGroup || id >= state.nextGroupId || assigned.has(id) || host.group(id)) continue;
      const stored = await logs.load(id);
      // What is left of a group removed earlier is its term and vote alone: keep it.
      if (stored.snapshot === undefined && stored.lastIndex === 0 && stored.hardState.commit === 0) {
        logs.unload(id);
        continue;
      }
      logger.info({ group: id }, 'deleting the data of a group no longer assigned here');
      const batch = new StorageBatch();
      logs.deleteGroup(batch, id, stored.hardState);
      store.deletePartition(batch, id as number as PartitionId);
      await batch.commit(kv, { sync: true });
      logs.unload(id);
    }
  }

  /**
   * The preferred replica of a new group campaigns at once, and again a few ticks later if no leader
   * emerged: the other replicas may not have created the group yet when the first votes arrive.
   */
  private campaignFresh(groupId: GroupId): void {
    const host = this.deps.host;
    host.campaign(groupId);
    this.deps.clock.after(this.deps.tickMs * freshCampaignRetryTicks, () => {
      const group = host.group(groupId);
      if (!this.stopping && group !== undefined && group.leader === 0) host.campaign(groupId);
    });
  }
}

/** The partition groups the controller assigns to a node (as a replica or a move's target). */
export function assignedHere(state: ControllerState, nodeId: NodeId): Set<number> {
  const assigned = new Set<number>();
  for (const t of state.topics.values()) {
    for (const p of t.partitions) {
      if (p.replicas.includes(nodeId) || p.targetReplicas?.includes(nodeId) === true) assigned.add(p.groupId);
    }
  }
  return assigned;
}

/**
 * The configuration a group with no log yet starts from. Every replica, joining or not, starts from
 * the group's first configuration: the leader's log holds only the changes made since, and replayed
 * onto an empty configuration they made a joining replica believe it was the only voter (it then
 * elected itself and acknowledged writes alone). A state kept before the controller recorded it
 * falls back to the current replicas, for their members only.
 */
export function bootstrapOf(spec: PartitionGroupSpec, self: NodeId): { confState: ConfState } | undefined {
  if (spec.bootstrapReplicas !== undefined) return { confState: confOf(spec.bootstrapReplicas) };
  return spec.replicas.includes(self) ? { confState: confOf(spec.replicas) } : undefined;
}

/**
 * Whether the replica `self` creates now joins a group that already runs elsewhere rather than
 * starting it: it is only a move's target, or the group's members are no longer the ones it was
 * created with (a member of a group that never ran but has a move pending starts it: were every
 * member to count as joining, none would ask for a vote and the group would never elect).
 */
export function joinsRunningGroup(spec: PartitionGroupSpec, self: NodeId): boolean {
  const initial = spec.bootstrapReplicas ?? spec.replicas;
  if (!spec.replicas.includes(self)) return true;
  return initial.length !== spec.replicas.length || !initial.every((id) => spec.replicas.includes(id));
}

/** A configuration with `voters` and nothing else, as a new group starts from. */
export function confOf(voters: readonly NodeId[]): ConfState {
  return { voters: [...voters], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
}
