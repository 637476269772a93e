export {
  KvWriteBatch,
  collectRange,
  firstInRange,
  withIterator,
  type KvEntry,
  type KvIterator,
  type KvOp,
  type KvRange,
  type KvStore,
  type EngineMemory,
  type KvWriteOptions,
} from './kv-store.js';
export { compareBytes, bytesEqual } from './bytes.js';
export { MemoryKvStore, type CrashOptions, type FaultKind } from './memory-kv-store.js';
export { RocksKvStore, type RocksKvStoreOptions } from './rocks-kv-store.js';
export { CountingKvStore, type KvCounts } from './counting-kv-store.js';
