export {
  defaultPartitionLimits,
  partitionLimitsMax,
  type AbortedTransaction,
  type Acks,
  type ApplyContext,
  type CompactionBounds,
  type PartitionCommand,
  type PartitionEntry,
  type PartitionLimits,
  type PartitionResult,
} from './partition-types.js';
export { PartitionStateMachine, type PartitionStateData } from './partition-state-machine.js';
export { applyPartitionEntry } from './apply-partition-entry.js';
export {
  appendHeaderBytes,
  decodePartitionEntry,
  encodePartitionEntry,
  partitionCommandTypes,
} from './partition-command-codec.js';
export {
  decodePartitionSnapshot,
  encodePartitionSnapshot,
  partitionSnapshotVersion,
} from './partition-snapshot-codec.js';
export {
  encodePartitionSnapshotAt,
  partitionSnapshotLayoutFor,
  partitionSnapshotLayouts,
  type PartitionSnapshotLayout,
} from './partition-snapshot-layouts.js';
export {
  partitionCommandVersions,
  requirePartitionCommandActive,
  type PartitionCommandType,
} from './partition-command-versions.js';
export { encodeMarkerBatch, readMarkerType, type MarkerInput, type MarkerType } from './control-record.js';
export { validateAppendBatch, type AppendBatchRules } from './validate-append-batch.js';
export { lastSequenceOf, nextSequence, sequenceMax } from './sequence.js';
export type { BatchMetadata } from './batch-window.js';
export type { ProducerEntry } from './producer-state.js';
export { QueueBook, validateQueueGroupName } from './queue-book.js';
export { isAvailable } from './queue-group.js';
export {
  queueLimits,
  type LeaseGranted,
  type PendingMessage,
  type QueueGrant,
  type QueueDeleteCommand,
  type QueueLeaseCommand,
  type QueueOp,
  type QueueOpKind,
  type QueueSettleCommand,
  type QueueWaiting,
  type SettleOutcome,
} from './queue-types.js';
