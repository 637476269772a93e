import type { OffsetToCommit } from './group-offsets.js';

/** One partition of a topic, as groups name it. */
export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** A member of a consumer group, as every controller replica holds it. */
export interface GroupMember {
  /** Made in apply from the joining entry's index, so every replica makes the same one. */
  readonly memberId: string;
  /** Static membership id; '' for a dynamic member. */
  readonly instanceId: string;
  readonly clientId: string;
  /** The client's address as the node that took its JoinGroup saw it. */
  readonly clientHost: string;
  /** Subscribed topics, sorted, no duplicates. */
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /** What the coordinator wants it to consume, sorted. */
  readonly target: readonly TopicPartitionRef[];
  /**
   * What it consumes as far as the coordinator knows, sorted: what it last reported (SyncGroup), within
   * target ∪ what it owned before, plus what that SyncGroup's answer handed it.
   */
  readonly owned: readonly TopicPartitionRef[];
  readonly joinedAtMs: number;
}

/** How the coordinator spreads partitions over a group's members (the proto's Assignor). */
export const groupAssignors = ['range', 'round-robin', 'sticky'] as const;
export type GroupAssignor = (typeof groupAssignors)[number];

export interface ConsumerGroup {
  readonly groupId: string;
  /** Chosen by the first member; every member asks for the same one. */
  readonly assignor: GroupAssignor;
  /** Grows by one whenever the target assignment changes. */
  readonly generation: number;
  readonly members: ReadonlyMap<string, GroupMember>;
}

/** Groups with at least one member; a group whose last member leaves is forgotten (its offsets stay). */
export type ConsumerGroups = ReadonlyMap<string, ConsumerGroup>;

export type GroupCommand =
  | {
      readonly op: 'join';
      readonly groupId: string;
      /** '' on a first join. */
      readonly memberId: string;
      readonly instanceId: string;
      readonly clientId: string;
      readonly clientHost: string;
      readonly topics: readonly string[];
      readonly sessionTimeoutMs: number;
      readonly rebalanceTimeoutMs: number;
      readonly assignor: GroupAssignor;
    }
  | {
      readonly op: 'sync';
      readonly groupId: string;
      readonly generationId: number;
      readonly memberId: string;
      readonly owned: readonly TopicPartitionRef[];
    }
  | { readonly op: 'leave'; readonly groupId: string; readonly memberId: string }
  /** Proposed by the coordinator for a member silent longer than its session timeout. */
  | { readonly op: 'expire-member'; readonly groupId: string; readonly memberId: string }
  | {
      readonly op: 'commit-offsets';
      readonly groupId: string;
      /** -1 with memberId '' for a commit without membership. */
      readonly generationId: number;
      readonly memberId: string;
      readonly offsets: readonly OffsetToCommit[];
    }
  /** Offsets computed by the node (earliest, latest, timestamp…); only for a group without members. */
  | { readonly op: 'reset-offsets'; readonly groupId: string; readonly offsets: readonly OffsetToCommit[] };

export type GroupCommandOp = GroupCommand['op'];

export type GroupOutput =
  | {
      readonly op: 'joined';
      readonly generationId: number;
      readonly memberId: string;
      readonly members: readonly string[];
    }
  | {
      readonly op: 'synced';
      readonly generationId: number;
      readonly assignment: readonly TopicPartitionRef[];
    }
  | { readonly op: 'left'; readonly generationId: number }
  | { readonly op: 'committed'; readonly count: number };

export interface GroupLimits {
  readonly groupsMax: number;
  readonly membersPerGroupMax: number;
  readonly topicsPerSubscriptionMax: number;
  readonly groupIdCharsMax: number;
  readonly memberIdCharsMax: number;
  readonly clientIdCharsMax: number;
  readonly clientHostCharsMax: number;
  readonly instanceIdCharsMax: number;
  readonly sessionTimeoutMsMin: number;
  readonly sessionTimeoutMsMax: number;
  readonly rebalanceTimeoutMsMax: number;
  readonly offsetsPerCommitMax: number;
  readonly offsetMetadataCharsMax: number;
  /** Groups with committed offsets (members or not). */
  readonly groupsWithOffsetsMax: number;
}

/** Fixed in code, like every controller limit, so replicas reject the same commands. */
export const groupLimits: GroupLimits = {
  groupsMax: 10_000,
  membersPerGroupMax: 1_000,
  topicsPerSubscriptionMax: 100,
  groupIdCharsMax: 255,
  memberIdCharsMax: 255 + 24,
  clientIdCharsMax: 255,
  clientHostCharsMax: 255,
  instanceIdCharsMax: 255,
  sessionTimeoutMsMin: 1_000,
  sessionTimeoutMsMax: 30 * 60 * 1000,
  rebalanceTimeoutMsMax: 30 * 60 * 1000,
  offsetsPerCommitMax: 10_000,
  offsetMetadataCharsMax: 4_096,
  groupsWithOffsetsMax: 100_000,
};

/** Generations travel as int32. */
export const generationMax = 0x7fff_ffff;
