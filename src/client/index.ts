export { RaftlogClient, parseBootstrap, type RaftlogClientOptions } from './raftlog-client.js';
export { Producer, type ProducerOptions, type ProducerClient } from './producer.js';
export { Consumer, type ConsumerOptions, type ConsumerClient, type Assignment } from './consumer.js';
export {
  QueueConsumer,
  type QueueConsumerClient,
  type ReceiptOutcome,
  type RunOptions,
} from './queue-consumer.js';
export type { QueueConsumerOptions } from './queue-consumer-options.js';
export type { NackOptions, QueueMessage } from './queue-message.js';
export { decodeReceipt, encodeReceipt, type LeaseRef } from './queue-receipt.js';
export type { LeaseOutcome } from './lease-settler.js';
export { queueStats, type QueuePartitionStats } from './queue-stats.js';
export { deleteQueueGroup, type QueueGroupDeletion } from './queue-delete-group.js';
export { listQueueGroups, partitionsByGroup, type QueuePartitionGroups } from './queue-list-groups.js';
export type { PartitionResult } from './ask-partition-leaders.js';
export { redrive, type RedriveOptions, type RedriveResult } from './redrive.js';
export { deliverAtHeader } from './deliver-at.js';
export { Admin, type AdminOptions, type CreateTopicInput, type TopicCreateResult } from './admin.js';
export type {
  ClusterStatus,
  NodeInfo,
  NodeMembershipName,
  PartitionMove,
  PartitionStatus,
  TopicDetails,
  TopicSettings,
  CleanupPolicyName,
  TopicSummary,
} from './admin-mapping.js';
export type {
  GroupDetails,
  GroupListing,
  GroupMemberInfo,
  GroupOffsetReset,
  GroupPartitionLag,
  GroupStateName,
  ResetGroupOffsetsInput,
} from './group-admin-mapping.js';
export type { ClusterMetadata, PartitionInfo, TopicInfo } from './cluster-metadata.js';
export {
  transactionStateNames,
  type TransactionDetails,
  type TransactionStateName,
  type TransactionSummary,
} from './txn-admin-mapping.js';
export { Partitioner, murmur2, fnv1a32, partitionForKey, type HashName } from './partitioner.js';
export { backoffMs, decideRetry, defaultRetryOptions, type RetryOptions } from './retry-policy.js';
export { withRetry, type WithRetryOptions } from './with-retry.js';
export { decodeFetchedRecords } from './fetched-records.js';
export { errorFromDetail, toRaftlogError } from './errors.js';
export type {
  AcksMode,
  ConsumerRecord,
  ProducerRecord,
  RecordAck,
  RecordHeader,
  StartPosition,
  TopicPartitionRef,
} from './types.js';
export type { GroupOptions, PartitionsListener } from './group-options.js';
export type { GroupMetadata } from './group-membership.js';
export type { GroupCloseOptions } from './group-session.js';
export { offsetsAfter, type PartitionOffset } from './offset-tracker.js';
export type { TransactionScope } from './producer.js';
export type { TxnPhase } from './transaction-state.js';
export { tlsCredentials, type ClientTlsFiles } from './tls.js';
export { SecurityAdmin } from './security-admin.js';
export { ScramTokenSource, type UserCredentials } from './scram-token-source.js';
export { useHostAliases } from './host-aliases.js';
export { useNativeCrc32c } from './native-crc32c.js';
