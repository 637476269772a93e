import type { Logger } from 'pino';
import { RaftlogError, type NodeId } from '../../lib/index.js';
import {
  hasPendingTxnOffset,
  groupStateName,
  offsetKey,
  toPartitionSet,
  type ControllerCommand,
  type ControllerOutput,
  type ControllerState,
  type GroupCommand,
  type GroupOutput,
  type OffsetToCommit,
  type TopicPartitionRef,
} from '../controller/index.js';
import type { ServiceClient } from '../../rpc/index.js';
import type { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import type {
  CommitInput,
  CommittedOffsetView,
  GroupApi,
  GroupDetail,
  GroupSummary,
  JoinInput,
  JoinOutcome,
  SyncInput,
  SyncOutcome,
} from './group-api.js';
import { GroupCoordinator } from './group-coordinator.js';
import { leaderCaughtUp } from './leader-caught-up.js';
import type { RaftGroup } from '../host/index.js';

export interface NodeGroupsDeps {
  readonly state: () => ControllerState;
  /** The controller leader's id, 0 when none is known. */
  readonly controllerLeader: () => NodeId | 0;
  readonly isControllerLeader: () => boolean;
  /** The leader's controller replica has applied everything committed before its term. */
  readonly caughtUp: () => boolean;
  readonly addressOf: (id: NodeId) => string | undefined;
  readonly propose: (command: ControllerCommand) => Promise<ControllerOutput>;
  readonly coordinator: GroupCoordinator;
  readonly broker: (address: string) => ServiceClient<typeof BrokerService>;
}

/** The node's consumer-group operations: commands through the controller, liveness in the coordinator. */
export class NodeGroups implements GroupApi {
  constructor(private readonly deps: NodeGroupsDeps) {}

  coordinator(): { nodeId: NodeId; address: string } {
    const leader = this.deps.controllerLeader();
    const address = leader === 0 ? undefined : this.deps.addressOf(leader);
    if (leader === 0 || address === undefined) {
      throw new RaftlogError('COORDINATOR_NOT_AVAILABLE', 'the controller has no leader right now');
    }
    return { nodeId: leader, address };
  }

  isCoordinator(): boolean {
    return this.deps.isControllerLeader();
  }

  broker(address: string): ServiceClient<typeof BrokerService> {
    return this.deps.broker(address);
  }

  async join(input: JoinInput): Promise<JoinOutcome> {
    const out = await this.run({ op: 'join', ...input }, 'joined');
    this.deps.coordinator.touch(input.groupId, out.memberId);
    return { generationId: out.generationId, memberId: out.memberId, members: out.members };
  }

  async sync(input: SyncInput): Promise<SyncOutcome> {
    const out = await this.run({ op: 'sync', ...input }, 'synced');
    this.deps.coordinator.touch(input.groupId, input.memberId);
    return { generationId: out.generationId, assignment: out.assignment };
  }

  /** As controller leader, expires members whose sessions ran out (a node duty). */
  expireSessions(): Promise<void> {
    return this.deps.coordinator.expireSessions();
  }

  heartbeat(groupId: string, generationId: number, memberId: string): void {
    this.requireCoordinator();
    this.deps.coordinator.heartbeat(groupId, generationId, memberId);
  }

  async leave(groupId: string, memberId: string): Promise<void> {
    await this.run({ op: 'leave', groupId, memberId }, 'left');
  }

  async commitOffsets(input: CommitInput): Promise<void> {
    await this.run({ op: 'commit-offsets', ...input }, 'committed');
    if (input.memberId !== '') this.deps.coordinator.touch(input.groupId, input.memberId);
  }

  fetchOffsets(groupId: string, partitions: readonly TopicPartitionRef[]): readonly CommittedOffsetView[] {
    this.requireCoordinator();
    const committed = this.deps.state().groupOffsets.get(groupId);
    const wanted = partitions.length > 0 ? toPartitionSet(partitions) : [...(committed?.values() ?? [])];
    const state = this.deps.state();
    return wanted.map(({ topic, partition }) => {
      const c = committed?.get(offsetKey(topic, partition));
      const stable = !hasPendingTxnOffset(state, groupId, topic, partition);
      return { topic, partition, offset: c?.offset ?? -1, metadata: c?.metadata ?? '', stable };
    });
  }

  listGroups(): readonly GroupSummary[] {
    const state = this.deps.state();
    const ids = new Set([...state.groups.keys(), ...state.groupOffsets.keys()]);
    return [...ids].sort().map((groupId) => ({ groupId, state: groupStateName(state.groups.get(groupId)) }));
  }

  describeGroup(groupId: string): GroupDetail {
    const state = this.deps.state();
    const group = state.groups.get(groupId);
    const committed = state.groupOffsets.get(groupId);
    if (group === undefined && committed === undefined) {
      throw new RaftlogError('INVALID_ARGUMENT', `group '${groupId}' has neither members nor offsets`);
    }
    const members = [...(group?.members.values() ?? [])];
    const subscribed = new Set(members.flatMap((m) => m.topics));
    const partitions = toPartitionSet([
      ...[...subscribed].flatMap((topic) =>
        Array.from({ length: state.topics.get(topic)?.partitions.length ?? 0 }, (_, partition) => ({
          topic,
          partition,
        })),
      ),
      ...(committed?.values() ?? []),
    ]);
    return {
      groupId,
      state: groupStateName(group),
      generationId: group?.generation ?? 0,
      members: members
        .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
        .map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          owned: m.owned,
          target: m.target,
        })),
      offsets: partitions.map(({ topic, partition }) => {
        const c = committed?.get(offsetKey(topic, partition));
        const stable = !hasPendingTxnOffset(state, groupId, topic, partition);
        return { topic, partition, offset: c?.offset ?? -1, metadata: c?.metadata ?? '', stable };
      }),
    };
  }

  async resetOffsets(groupId: string, offsets: readonly OffsetToCommit[]): Promise<void> {
    await this.run({ op: 'reset-offsets', groupId, offsets }, 'committed', false);
  }

  /**
   * A new leader answers only once it has applied every entry committed before its term (its own
   * first entry is committed and applied): earlier, its state could miss members and offsets.
   */
  private requireCoordinator(): void {
    if (!this.deps.isControllerLeader()) {
      throw new RaftlogError('NOT_COORDINATOR', 'this node does not coordinate groups; ask FindCoordinator');
    }
    if (!this.deps.caughtUp()) {
      throw new RaftlogError('COORDINATOR_NOT_AVAILABLE', 'the coordinator is still loading the group state');
    }
  }

  /** Proposes a group command (on the coordinator unless `anywhere`) and checks its output's kind. */
  private async run<K extends GroupOutput['op']>(
    command: GroupCommand,
    expected: K,
    coordinatorOnly = true,
  ): Promise<Extract<GroupOutput, { op: K }>> {
    if (coordinatorOnly) this.requireCoordinator();
    const output = await this.deps.propose({ type: 'group', command });
    if (output.type !== 'group' || output.output.op !== expected) {
      throw new RaftlogError('INTERNAL', `a group command gave ${output.type} output`);
    }
    return output.output as Extract<GroupOutput, { op: K }>;
  }
}

/** What ClusterNode hands over to build its groups: everything else is derived here. */
export interface NodeGroupsWiring {
  readonly state: () => ControllerState;
  readonly controllerGroup: () => RaftGroup | undefined;
  readonly addressOf: (id: NodeId) => string | undefined;
  readonly propose: (command: ControllerCommand) => Promise<ControllerOutput>;
  readonly broker: (address: string) => ServiceClient<typeof BrokerService>;
  readonly now: () => number;
  readonly logger: Logger;
}

export function createNodeGroups(w: NodeGroupsWiring): NodeGroups {
  const isLeader = (): boolean => w.controllerGroup()?.isLeader() === true;
  const coordinator = new GroupCoordinator({
    now: w.now,
    leaderTerm: () => {
      const group = w.controllerGroup();
      return group?.isLeader() === true ? group.status().term : undefined;
    },
    state: w.state,
    expire: (groupId, memberId) =>
      w.propose({ type: 'group', command: { op: 'expire-member', groupId, memberId } }),
    logger: w.logger,
  });
  return new NodeGroups({
    state: w.state,
    controllerLeader: () => w.controllerGroup()?.leader ?? 0,
    isControllerLeader: isLeader,
    caughtUp: () => leaderCaughtUp(w.controllerGroup(), w.state()),
    addressOf: w.addressOf,
    propose: w.propose,
    coordinator,
    broker: w.broker,
  });
}
