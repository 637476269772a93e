export type { Entry, EntryType, HardState, ConfState, SnapshotMetadata, Snapshot } from './log-types.js';
export type { RaftStorage } from './raft-storage.js';
export { RaftStorageError } from './raft-storage.js';
export { MemoryRaftStorage } from './memory-raft-storage.js';
export { validateConfig, type RaftConfig } from './config.js';
export type { Message, MessageType, SnapshotChunk } from './message.js';
export { makeMessage } from './message.js';
export {
  encodeConfChange,
  decodeConfChange,
  nextConfState,
  isJoint,
  allMembers,
  type ConfChange,
  type ConfChangeType,
} from './conf-change.js';
export type { ReadState } from './read-only.js';
export type { Role } from './raft.js';
export type { ProgressState } from './progress.js';
export { RawNode, type Ready, type RaftStatus, type SoftState } from './raw-node.js';
export { termMax, logIndexMax, termJumpMax, implausibility } from './message-bounds.js';
