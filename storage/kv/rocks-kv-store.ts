import rocksdb from 'rocksdb';
import { RaftlogError } from '../../lib/index.js';
import { compareBytes } from './bytes.js';
import type {
  EngineMemory,
  KvEntry,
  KvIterator,
  KvRange,
  KvStore,
  KvWriteBatch,
  KvWriteOptions,
} from './kv-store.js';

type RocksDb = ReturnType<typeof rocksdb>;
type RocksIterator = ReturnType<RocksDb['iterator']>;
type RocksBatchOp = Parameters<RocksDb['batch']>[0][number];

export interface RocksKvStoreOptions {
  readonly createIfMissing?: boolean;
  /** Block cache size in bytes. */
  readonly cacheSizeBytes?: number;
  /** Memtable size in bytes (default `writeBufferBytesDefault`). */
  readonly writeBufferSizeBytes?: number;
  readonly compression?: boolean;
}

/**
 * Memtable size. The binding's 4 MiB flushes a small L0 file every few hundred records, and every
 * file spans the Raft log's and the partitions' keys, so each L0→L1 compaction rewrites much of L1.
 * Under `bench produce` (150k records of 1 KiB, 3 replicas, one node's figures) the compaction thread
 * wrote 0.09–0.11 GB in 3.5–4.6 s of work at 4 MiB, 0.03 GB in 0.8–1.1 s at 32 MiB, and throughput
 * no longer fell from run to run. RocksDB keeps at most two memtables, filled as written, so a busy
 * node holds up to 64 MiB there and an idle one little.
 */
export const writeBufferBytesDefault = 32 * 1024 * 1024;

const defaultHighWaterMarkBytes = 64 * 1024;
/** Key-only prefetch while expanding a delRange: keys are small, so take many per native call. */
const delRangeHighWaterMarkBytes = 1024 * 1024;

/** Prefix 0x00 belongs to no keyspace: deleting this key is a no-op that carries a WAL sync. */
const syncBarrierKey = Buffer.of(0x00);

/** Buffers wrap the caller's memory without copying; the binding only accepts Buffers as keys. */
function buf(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** Plain Uint8Array views, so callers see the same type from every KvStore. */
function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function failure(what: string, cause: unknown): RaftlogError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new RaftlogError('INTERNAL', `rocksdb ${what} failed: ${message}`, { cause });
}

function call<T>(
  what: string,
  fn: (cb: (err: Error | undefined | null, result: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn((err, result) => (err ? reject(failure(what, err)) : resolve(result)));
  });
}

/**
 * The only code that touches the `rocksdb` package. Writes are serialized through one queue: a
 * delRange is expanded into point deletes by reading the range first (the binding has no DeleteRange),
 * and the queue keeps that read and the batch write atomic with respect to other writes.
 */
export class RocksKvStore implements KvStore {
  private writeQueue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly db: RocksDb,
    readonly location: string,
  ) {}

  static async open(location: string, options: RocksKvStoreOptions = {}): Promise<RocksKvStore> {
    const db = rocksdb(location);
    await call<void>('open', (cb) =>
      db.open(
        {
          createIfMissing: options.createIfMissing ?? true,
          compression: options.compression ?? true,
          ...(options.cacheSizeBytes === undefined ? {} : { cacheSize: options.cacheSizeBytes }),
          writeBufferSize: options.writeBufferSizeBytes ?? writeBufferBytesDefault,
        },
        (err) => cb(err, undefined),
      ),
    );
    return new RocksKvStore(db, location);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const [value] = await this.getMany([key]);
    return value;
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.checkOpen();
    if (keys.length === 0) return Promise.resolve([]);
    return call<(Buffer | undefined)[]>('get', (cb) =>
      this.db.getMany(keys.map(buf), { asBuffer: true }, cb),
    ).then((values) => values.map((v) => (v === undefined ? undefined : view(v))));
  }

  iterator(range: KvRange = {}): KvIterator {
    this.checkOpen();
    return new RocksIteratorAdapter(this.db.iterator(toRocksRange(range)), range.keysOnly === true);
  }

  write(batch: KvWriteBatch, options: KvWriteOptions): Promise<void> {
    this.checkOpen();
    const result = this.writeQueue.then(() => this.writeNow(batch, options));
    this.writeQueue = result.catch(() => undefined);
    return result;
  }

  /** Runs on the binding's worker thread, beside reads and writes; the engine frees what it can. */
  compactRange(gte: Uint8Array, lt: Uint8Array): Promise<void> {
    this.checkOpen();
    return call<void>('compactRange', (cb) =>
      this.db.compactRange(buf(gte), buf(lt), (err) => cb(err, undefined)),
    );
  }

  memoryBytes(): EngineMemory {
    const property = (name: string): number => {
      if (this.closed) return 0;
      const value = Number(this.db.getProperty(`rocksdb.${name}`));
      return Number.isSafeInteger(value) ? value : 0;
    };
    return {
      memtables: property('size-all-mem-tables'),
      tableReaders: property('estimate-table-readers-mem'),
      blockCache: property('block-cache-usage'),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeQueue;
    await call<void>('close', (cb) => this.db.close((err) => cb(err, undefined)));
  }

  private async writeNow(batch: KvWriteBatch, options: KvWriteOptions): Promise<void> {
    const ops: RocksBatchOp[] = [];
    for (const op of batch.ops) {
      switch (op.type) {
        case 'put':
          ops.push({ type: 'put', key: buf(op.key), value: buf(op.value) });
          break;
        case 'del':
          ops.push({ type: 'del', key: buf(op.key) });
          break;
        case 'delRange':
          for (const key of await this.keysIn(op.gte, op.lt)) ops.push({ type: 'del', key });
          // Puts earlier in this batch are not in the engine yet: delete them too, keeping order.
          for (const key of putKeysIn(ops, op.gte, op.lt)) ops.push({ type: 'del', key });
          break;
      }
    }
    if (ops.length === 0) {
      if (!options.sync) return;
      // The binding skips an empty batch entirely; a synced write must still flush earlier ones.
      ops.push({ type: 'del', key: syncBarrierKey });
    }
    await call<void>('write', (cb) =>
      this.db.batch(ops, { sync: options.sync }, (err) => cb(err, undefined)),
    );
  }

  private async keysIn(gte: Uint8Array, lt: Uint8Array): Promise<Buffer[]> {
    const it = this.iterator({ gte, lt, keysOnly: true, highWaterMarkBytes: delRangeHighWaterMarkBytes });
    const keys: Buffer[] = [];
    try {
      for (let e = await it.next(); e !== undefined; e = await it.next()) keys.push(buf(e.key));
    } finally {
      await it.close();
    }
    return keys;
  }

  private checkOpen(): void {
    if (this.closed) throw new RaftlogError('SHUTTING_DOWN', `kv store ${this.location} is closed`);
  }
}

function putKeysIn(ops: readonly RocksBatchOp[], gte: Uint8Array, lt: Uint8Array): Buffer[] {
  return ops
    .filter((o) => o.type === 'put' && compareBytes(o.key, gte) >= 0 && compareBytes(o.key, lt) < 0)
    .map((o) => o.key);
}

function toRocksRange(range: KvRange): Parameters<RocksDb['iterator']>[0] {
  const options: Parameters<RocksDb['iterator']>[0] = {
    reverse: range.reverse === true,
    values: range.keysOnly !== true,
    highWaterMark: range.highWaterMarkBytes ?? defaultHighWaterMarkBytes,
  };
  // The binding seeks by one lower (upper) bound and stops at the first key outside the other, so
  // when both an exclusive and an inclusive bound are given only the tighter one is passed.
  const { gt, gte, lt, lte } = range;
  if (gt !== undefined && (gte === undefined || compareBytes(gt, gte) >= 0)) options.gt = buf(gt);
  else if (gte !== undefined) options.gte = buf(gte);
  if (lt !== undefined && (lte === undefined || compareBytes(lt, lte) <= 0)) options.lt = buf(lt);
  else if (lte !== undefined) options.lte = buf(lte);
  if (range.limit !== undefined) options.limit = range.limit;
  return options;
}

class RocksIteratorAdapter implements KvIterator {
  private ended = false;

  constructor(
    private readonly it: RocksIterator,
    private readonly keysOnly: boolean,
  ) {}

  next(): Promise<KvEntry | undefined> {
    return new Promise((resolve, reject) => {
      this.it.next((err, key, value) => {
        if (err) reject(failure('iterator next', err));
        else if (key === undefined) resolve(undefined);
        else
          resolve({
            key: view(key),
            value: this.keysOnly || value === undefined ? new Uint8Array(0) : view(value),
          });
      });
    });
  }

  seek(target: Uint8Array): void {
    try {
      this.it.seek(buf(target));
    } catch (cause) {
      throw failure('iterator seek', cause);
    }
  }

  close(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.ended = true;
    return call<void>('iterator end', (cb) => this.it.end((err) => cb(err, undefined)));
  }
}
