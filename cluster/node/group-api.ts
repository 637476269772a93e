import type { NodeId } from '../../lib/index.js';
import type { ServiceClient } from '../../rpc/index.js';
import type { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import type {
  GroupAssignor,
  GroupStateName,
  OffsetToCommit,
  TopicPartitionRef,
} from '../controller/index.js';

/**
 * Consumer groups as a node offers them to its gRPC services. The coordinator of every group is the
 * controller leader: the calls that need it (join, sync, heartbeat, leave, commit, fetch offsets) throw
 * NOT_COORDINATOR elsewhere, and the services forward them there first.
 */
export interface GroupApi {
  /** The controller leader's node id and client address; COORDINATOR_NOT_AVAILABLE when there is none. */
  coordinator(): { readonly nodeId: NodeId; readonly address: string };
  isCoordinator(): boolean;
  /** A client for another node's BrokerService (forwarding, partition offsets), reused across calls. */
  broker(address: string): ServiceClient<typeof BrokerService>;

  join(input: JoinInput): Promise<JoinOutcome>;
  sync(input: SyncInput): Promise<SyncOutcome>;
  heartbeat(groupId: string, generationId: number, memberId: string): void;
  leave(groupId: string, memberId: string): Promise<void>;
  commitOffsets(input: CommitInput): Promise<void>;
  /** Committed offsets (-1 when none); all the group has when `partitions` is empty. */
  fetchOffsets(groupId: string, partitions: readonly TopicPartitionRef[]): readonly CommittedOffsetView[];

  /** Groups with members or committed offsets, from this node's controller replica. */
  listGroups(): readonly GroupSummary[];
  describeGroup(groupId: string): GroupDetail;
  /** Writes offsets computed by the caller; the group must have no members. */
  resetOffsets(groupId: string, offsets: readonly OffsetToCommit[]): Promise<void>;
}

export interface JoinInput {
  readonly groupId: string;
  readonly memberId: string;
  readonly instanceId: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly assignor: GroupAssignor;
}

export interface JoinOutcome {
  readonly generationId: number;
  readonly memberId: string;
  readonly members: readonly string[];
}

export interface SyncInput {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly owned: readonly TopicPartitionRef[];
}

export interface SyncOutcome {
  readonly generationId: number;
  readonly assignment: readonly TopicPartitionRef[];
}

export interface CommitInput {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly offsets: readonly OffsetToCommit[];
}

export interface CommittedOffsetView {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string;
  /** False while an open transaction holds offsets of this partition that it has not committed yet. */
  readonly stable: boolean;
}

export interface GroupSummary {
  readonly groupId: string;
  readonly state: GroupStateName;
}

export interface GroupMemberView {
  readonly memberId: string;
  readonly instanceId: string;
  readonly clientId: string;
  readonly clientHost: string;
  /** What it owns now. */
  readonly owned: readonly TopicPartitionRef[];
  readonly target: readonly TopicPartitionRef[];
}

export interface GroupDetail {
  readonly groupId: string;
  readonly state: GroupStateName;
  readonly generationId: number;
  readonly members: readonly GroupMemberView[];
  /** Every partition of the subscribed topics and every partition with a committed offset. */
  readonly offsets: readonly CommittedOffsetView[];
}
