export * from './kv/index.js';
export { StorageBatch } from './storage-batch.js';
export * from './entry-files/index.js';
export {
  RaftLogStore,
  type KnownTerm,
  type RaftLogState,
  type RaftLogStoreOptions,
  type RetainedEntries,
} from './raft-log-store.js';
export { LogCompactedError, LogUnavailableError } from './raft-log-errors.js';
export {
  defaultPurgeStepLimits,
  PartitionStore,
  retentionScanBatchesMaxDefault,
  type EntryArchive,
  type EntryBatch,
  type PartitionInfo,
  type PartitionStoreOptions,
  type PurgeStepLimits,
  type PurgeStepResult,
  type ReadResult,
} from './partition-store.js';
export { keyspace, type Keyspace } from './keys.js';
export {
  checkClusterId,
  clearRejoining,
  readNodeIdentity,
  writeNodeIdentity,
  type NodeIdentity,
  type StoredIdentity,
} from './node-identity.js';
export {
  CompactionPass,
  compactionKeyMapBytesMaxDefault,
  defaultCompactionStepLimits,
  reclaimPartitionSpace,
  type CompactionPassOptions,
  type CompactionStepLimits,
  type CompactionStepResult,
} from './compaction-pass.js';
export { coveredBy, type CompactionState, type CompactionTarget } from './compaction-state.js';
