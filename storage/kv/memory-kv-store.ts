import { RaftlogError } from '../../lib/index.js';
import { compareBytes } from './bytes.js';
import type {
  KvEntry,
  KvIterator,
  KvOp,
  KvRange,
  KvStore,
  KvWriteBatch,
  KvWriteOptions,
} from './kv-store.js';

interface Row {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export type FaultKind = 'read' | 'write';

export interface CrashOptions {
  /**
   * How many of the unsynced writes survive, oldest first. RocksDB's WAL is sequential, so what an
   * unsynced crash keeps is always a prefix of the writes since the last sync. Default 0.
   */
  readonly unsyncedWritesKept?: number;
}

/** First index whose key is >= key (or > key with `strict`). */
function lowerBound(rows: readonly Row[], key: Uint8Array, strict = false): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareBytes(rows[mid]!.key, key);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function applyOps(rows: Row[], ops: readonly KvOp[]): void {
  for (const op of ops) {
    switch (op.type) {
      case 'put': {
        const i = lowerBound(rows, op.key);
        const row = { key: op.key, value: op.value };
        if (i < rows.length && compareBytes(rows[i]!.key, op.key) === 0) rows[i] = row;
        else rows.splice(i, 0, row);
        break;
      }
      case 'del': {
        const i = lowerBound(rows, op.key);
        if (i < rows.length && compareBytes(rows[i]!.key, op.key) === 0) rows.splice(i, 1);
        break;
      }
      case 'delRange': {
        if (compareBytes(op.gte, op.lt) >= 0) break;
        const from = lowerBound(rows, op.gte);
        rows.splice(from, lowerBound(rows, op.lt) - from);
        break;
      }
    }
  }
}

/** Copies what the caller handed in, so later mutation of its buffers cannot reach the store. */
function ownOps(batch: KvWriteBatch): KvOp[] {
  return batch.ops.map((op) => {
    switch (op.type) {
      case 'put':
        return { type: 'put', key: op.key.slice(), value: op.value.slice() };
      case 'del':
        return { type: 'del', key: op.key.slice() };
      case 'delRange':
        return { type: 'delRange', gte: op.gte.slice(), lt: op.lt.slice() };
    }
  });
}

/**
 * The in-memory twin of RocksKvStore for the simulator and unit tests: sorted rows, byte-order keys,
 * snapshot iterators (copy-on-write while an iterator is open), RocksDB's durability model (`crash()`
 * keeps only what a synced write made durable) and injectable read/write faults.
 */
export class MemoryKvStore implements KvStore {
  private live: Row[] = [];
  /** What survives a crash: the state as of the last synced write. */
  private durable: Row[] = [];
  private unsynced: KvOp[][] = [];
  private liveShared = false;
  private epoch = 0;
  private closed = false;
  private readonly faults: Record<FaultKind, { count: number; error: Error }[]> = { read: [], write: [] };

  /** Makes the next `count` reads or writes fail with `error`; a failed write changes nothing. */
  injectFault(kind: FaultKind, error?: Error, count = 1): void {
    const e = error ?? new RaftlogError('INTERNAL', `injected ${kind} fault`);
    this.faults[kind].push({ count, error: e });
  }

  /** Simulates a process crash and restart: unsynced writes are lost, open iterators are dead. */
  crash(options: CrashOptions = {}): void {
    const kept = this.unsynced.slice(0, options.unsyncedWritesKept ?? 0);
    const rows = [...this.durable];
    for (const ops of kept) applyOps(rows, ops);
    this.durable = rows;
    this.live = [...rows];
    this.liveShared = false;
    this.unsynced = [];
    this.epoch++;
    this.closed = false;
  }

  /** Writes since the last synced one: the ones a crash may lose. */
  get unsyncedWriteCount(): number {
    return this.unsynced.length;
  }

  get size(): number {
    return this.live.length;
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.run('read', () => this.lookup(key));
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.run('read', () => keys.map((k) => this.lookup(k)));
  }

  iterator(range: KvRange = {}): KvIterator {
    this.checkOpen();
    this.liveShared = true;
    return new MemoryIterator(
      this.live,
      range,
      () => this.takeFault('read'),
      () => this.epoch,
    );
  }

  write(batch: KvWriteBatch, options: KvWriteOptions): Promise<void> {
    return this.run('write', () => {
      const ops = ownOps(batch);
      if (this.liveShared) {
        this.live = [...this.live];
        this.liveShared = false;
      }
      applyOps(this.live, ops);
      this.unsynced.push(ops);
      if (options.sync) {
        for (const pending of this.unsynced) applyOps(this.durable, pending);
        this.unsynced = [];
      }
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private lookup(key: Uint8Array): Uint8Array | undefined {
    const i = lowerBound(this.live, key);
    const row = this.live[i];
    return row !== undefined && compareBytes(row.key, key) === 0 ? row.value.slice() : undefined;
  }

  private async run<T>(kind: FaultKind, fn: () => T): Promise<T> {
    this.checkOpen();
    const fault = this.takeFault(kind);
    // Resolve on a later tick, as a real engine would, so callers cannot rely on synchronous effects.
    await Promise.resolve();
    if (fault !== undefined) throw fault;
    return fn();
  }

  private takeFault(kind: FaultKind): Error | undefined {
    const queue = this.faults[kind];
    const head = queue[0];
    if (head === undefined) return undefined;
    if (--head.count <= 0) queue.shift();
    return head.error;
  }

  private checkOpen(): void {
    if (this.closed) throw new RaftlogError('SHUTTING_DOWN', 'kv store is closed');
  }
}

class MemoryIterator implements KvIterator {
  private pos: number;
  private returned = 0;
  private readonly epoch: number;
  private closed = false;

  constructor(
    private readonly rows: readonly Row[],
    private readonly range: KvRange,
    private readonly takeFault: () => Error | undefined,
    private readonly currentEpoch: () => number,
  ) {
    this.epoch = currentEpoch();
    this.pos = range.reverse === true ? this.upperIndex() - 1 : this.lowerIndex();
  }

  next(): Promise<KvEntry | undefined> {
    if (this.closed) return Promise.reject(new RaftlogError('INTERNAL', 'iterator is closed'));
    if (this.epoch !== this.currentEpoch()) {
      return Promise.reject(new RaftlogError('UNAVAILABLE', 'iterator did not survive a crash'));
    }
    const fault = this.takeFault();
    if (fault !== undefined) return Promise.reject(fault);
    const { limit, reverse, keysOnly } = this.range;
    if (limit !== undefined && this.returned >= limit) return Promise.resolve(undefined);
    const row = this.rows[this.pos];
    if (row === undefined || this.pos < this.lowerIndex() || this.pos >= this.upperIndex()) {
      return Promise.resolve(undefined);
    }
    this.pos += reverse === true ? -1 : 1;
    this.returned++;
    return Promise.resolve({
      key: row.key.slice(),
      value: keysOnly === true ? new Uint8Array(0) : row.value.slice(),
    });
  }

  seek(target: Uint8Array): void {
    // As in RocksDB: a target outside the range ends the iteration instead of clamping.
    if (this.range.reverse === true) this.pos = lowerBound(this.rows, target, true) - 1;
    else this.pos = lowerBound(this.rows, target);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private lowerIndex(): number {
    const { gt, gte } = this.range;
    let i = 0;
    if (gte !== undefined) i = Math.max(i, lowerBound(this.rows, gte));
    if (gt !== undefined) i = Math.max(i, lowerBound(this.rows, gt, true));
    return i;
  }

  private upperIndex(): number {
    const { lt, lte } = this.range;
    let i = this.rows.length;
    if (lt !== undefined) i = Math.min(i, lowerBound(this.rows, lt));
    if (lte !== undefined) i = Math.min(i, lowerBound(this.rows, lte, true));
    return i;
  }
}
