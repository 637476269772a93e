/**
 * The narrow port between raftlog and its key-value engine. Keys compare as unsigned bytes. A write
 * batch is atomic; `sync: true` makes it, and every write before it, durable before the promise
 * resolves (RocksDB WAL semantics).
 */
export interface KvRange {
  readonly gt?: Uint8Array;
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly lte?: Uint8Array;
  readonly reverse?: boolean;
  /** Entries returned at most; unbounded when absent. */
  readonly limit?: number;
  /** Bytes the engine may prefetch per round trip; larger means fewer native calls on long scans. */
  readonly highWaterMarkBytes?: number;
  /** Skip reading values (they come back empty). */
  readonly keysOnly?: boolean;
}

export interface KvEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface KvIterator {
  /** The next entry in range order, or undefined at the end. */
  next(): Promise<KvEntry | undefined>;
  /**
   * Repositions within the range: forward to the first key >= target, reverse to the last key
   * <= target. A target outside the range ends the iteration. Not allowed while next() is pending.
   */
  seek(target: Uint8Array): void;
  /** Releases the engine snapshot; always call it (see `withIterator`). */
  close(): Promise<void>;
}

export interface KvWriteOptions {
  readonly sync: boolean;
}

export interface KvStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** Iterates over a consistent snapshot taken when the iterator is created. */
  iterator(range?: KvRange): KvIterator;
  write(batch: KvWriteBatch, options: KvWriteOptions): Promise<void>;
  /**
   * Rewrites the engine's files holding [gte, lt) so deleted and overwritten values free their space
   * (RocksDB CompactRange); engines without files leave it out.
   */
  compactRange?(gte: Uint8Array, lt: Uint8Array): Promise<void>;
  /** What the engine holds in memory outside the JavaScript heap; engines without such memory leave it out. */
  memoryBytes?(): EngineMemory;
  close(): Promise<void>;
}

/** An engine's own memory, by use (RocksDB's estimates, in bytes). */
export interface EngineMemory {
  /** Memtables, active and immutable, not yet flushed. */
  readonly memtables: number;
  /** Index and filter blocks of open table files that the block cache does not hold. */
  readonly tableReaders: number;
  /** The block cache, pinned blocks included. */
  readonly blockCache: number;
}

export type KvOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array }
  /** Deletes every key in [gte, lt). */
  | { readonly type: 'delRange'; readonly gte: Uint8Array; readonly lt: Uint8Array };

/**
 * Operations applied atomically, in order. The batch keeps references: callers must not mutate a
 * key or value after adding it.
 */
export class KvWriteBatch {
  private readonly list: KvOp[] = [];
  private bytes = 0;

  put(key: Uint8Array, value: Uint8Array): this {
    this.list.push({ type: 'put', key, value });
    this.bytes += key.length + value.length;
    return this;
  }

  del(key: Uint8Array): this {
    this.list.push({ type: 'del', key });
    this.bytes += key.length;
    return this;
  }

  delRange(gte: Uint8Array, lt: Uint8Array): this {
    this.list.push({ type: 'delRange', gte, lt });
    this.bytes += gte.length + lt.length;
    return this;
  }

  get ops(): readonly KvOp[] {
    return this.list;
  }
  get length(): number {
    return this.list.length;
  }
  /** Key and value bytes added so far. */
  get sizeBytes(): number {
    return this.bytes;
  }
}

/** Runs `fn` with an iterator and always closes it. */
export async function withIterator<T>(
  kv: KvStore,
  range: KvRange,
  fn: (it: KvIterator) => Promise<T>,
): Promise<T> {
  const it = kv.iterator(range);
  try {
    return await fn(it);
  } finally {
    await it.close();
  }
}

/** Collects a range; callers bound it with `limit` or a narrow range. */
export async function collectRange(kv: KvStore, range: KvRange): Promise<KvEntry[]> {
  return withIterator(kv, range, async (it) => {
    const out: KvEntry[] = [];
    for (let e = await it.next(); e !== undefined; e = await it.next()) out.push(e);
    return out;
  });
}

/** The first entry of a range (the last one when `reverse`), or undefined. */
export async function firstInRange(kv: KvStore, range: KvRange): Promise<KvEntry | undefined> {
  return withIterator(kv, { ...range, limit: 1 }, (it) => it.next());
}
