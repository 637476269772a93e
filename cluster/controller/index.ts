export {
  controllerGroupIdValue,
  controllerLimits,
  firstPartitionGroupId,
  producerEpochMax,
  producerIdBlockSizeDefault,
  type ApplyContext,
  type ControllerCommand,
  type ControllerCommandType,
  type ControllerLimits,
  type ControllerOutput,
  type ControllerResult,
  type ControllerState,
  type NodeInfo,
  type NodeMembership,
  type PartitionAssignment,
  type TopicCreateResult,
  type TopicInfo,
  type TopicSpec,
  type TransactionalIdInfo,
} from './controller-types.js';
export {
  cleanupPolicies,
  defaultTopicConfig,
  resolveTopicConfig,
  topicConfigBounds,
  topicNameCharsMax,
  validateTopicName,
  type CleanupPolicy,
  type TopicConfig,
  type TopicConfigInput,
} from './topic-config.js';
export {
  applyControllerCommand,
  initialControllerState,
  type ControllerApplyOutcome,
} from './apply-controller-command.js';
export { applyControllerEntry } from './apply-controller-entry.js';
export {
  announcedVersion,
  isVersionActive,
  logicalVersionMax,
  nodeLogicalVersion,
  raisableVersion,
  requireVersionActive,
  unannouncedLogicalVersion,
} from './logical-version.js';
export { controllerCommandVersions, requireCommandActive } from './command-versions.js';
export {
  controllerEntryVersion,
  controllerSnapshotVersion,
  decodeControllerCommand,
  decodeControllerEntry,
  decodeControllerSnapshot,
  encodeControllerEntry,
  encodeControllerSnapshot,
  type ControllerEntry,
} from './controller-codec.js';
export {
  activeNodeIds,
  nodeLoads,
  placePartitions,
  type NodeLoad,
  type PlacementResult,
} from './placement.js';
export { reconcile, type PartitionGroupSpec, type ReconcilePlan } from './reconcile.js';
export {
  offsetKey,
  withCommittedOffsets,
  type CommittedOffset,
  type GroupOffsets,
  type GroupOffsetsByGroup,
  type OffsetToCommit,
} from './group-offsets.js';
export {
  generationMax,
  groupAssignors,
  groupLimits,
  type ConsumerGroup,
  type ConsumerGroups,
  type GroupAssignor,
  type GroupCommand,
  type GroupLimits,
  type GroupMember,
  type GroupOutput,
  type TopicPartitionRef,
} from './group-types.js';
export {
  groupStateName,
  heartbeatVerdict,
  syncAnswer,
  type GroupStateName,
  type HeartbeatVerdict,
} from './consumer-groups.js';
export { assignSticky, type AssignorMember } from './sticky-assignor.js';
export { assignRange } from './range-assignor.js';
export { assignRoundRobin } from './round-robin-assignor.js';
export { checkOffsetCommitter, type CommitterRejection } from './offset-committer-check.js';
export { toPartitionSet, type PartitionSet } from './partition-set.js';
export {
  isOpenTxnState,
  isPrepareState,
  txnLimits,
  txnStates,
  type PendingTxnOffset,
  type TxnCommand,
  type TxnPartition,
  type TxnState,
} from './txn-types.js';
export { hasPendingTxnOffset } from './pending-txn-offsets.js';
export { planDrain, planRebalance, type PartitionMove } from './replica-moves.js';
export {
  aclKey,
  aclOperations,
  aclPatternTypes,
  aclResourceTypes,
  clusterResourceName,
  emptySecurityState,
  securityLimits,
  type AclOperation,
  type AclPatternType,
  type AclResourceType,
  type AclRule,
  type QuotaRecord,
  type SecurityCommand,
  type SecurityState,
  type UserRecord,
} from './security-types.js';
export { applySecurityCommand, checkAclRule } from './apply-security-command.js';
export { userNameBytesMax, userNameProblem } from './user-name.js';
