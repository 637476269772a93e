export {
  assert,
  assertNever,
  assertSafeInteger,
  assertNonNegativeInteger,
  AssertionError,
} from './assert.js';
export * from './ids.js';
export { Prng, seedsFrom, type SeedSource } from './prng.js';
export { BoundedQueue } from './bounded-queue.js';
export { errorCodes, isErrorCode, isRetriable, type ErrorCode, type GrpcStatusName } from './error-code.js';
export { RaftlogError, CorruptionError, type RaftlogErrorOptions } from './raftlog-error.js';
export { NewerFormatError } from './newer-format-error.js';
export { VersionBehindError } from './version-behind-error.js';
export { requireClusterVersion } from './version-not-active.js';
export { OffsetOutOfRangeError, type LogPositions } from './offset-out-of-range-error.js';
export * from './record-batch/index.js';
export { fnv1a32, murmur2, partitionForKey, type HashName } from './partition-hash.js';
export { sleepAfter, type Clock, type Timer } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { unzeroedBytes } from './unzeroed-bytes.js';
