import type { KvEntry, KvIterator, KvRange, KvStore, KvWriteBatch, KvWriteOptions } from './kv-store.js';

export interface KvCounts {
  gets: number;
  /** Keys looked up through getMany (get counts here too: it is a getMany of one). */
  keysRead: number;
  iterators: number;
  iteratorSteps: number;
  seeks: number;
  writes: number;
  syncedWrites: number;
}

function zeroCounts(): KvCounts {
  return { gets: 0, keysRead: 0, iterators: 0, iteratorSteps: 0, seeks: 0, writes: 0, syncedWrites: 0 };
}

/** A pass-through that counts engine calls: how tests prove a lookup is a seek, not a scan. */
export class CountingKvStore implements KvStore {
  counts: KvCounts = zeroCounts();

  constructor(readonly inner: KvStore) {}

  reset(): void {
    this.counts = zeroCounts();
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.counts.gets++;
    this.counts.keysRead++;
    return this.inner.get(key);
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.counts.gets++;
    this.counts.keysRead += keys.length;
    return this.inner.getMany(keys);
  }

  iterator(range?: KvRange): KvIterator {
    this.counts.iterators++;
    const inner = this.inner.iterator(range);
    const counts = () => this.counts;
    return {
      next(): Promise<KvEntry | undefined> {
        counts().iteratorSteps++;
        return inner.next();
      },
      seek(target: Uint8Array): void {
        counts().seeks++;
        inner.seek(target);
      },
      close: () => inner.close(),
    };
  }

  write(batch: KvWriteBatch, options: KvWriteOptions): Promise<void> {
    this.counts.writes++;
    if (options.sync) this.counts.syncedWrites++;
    return this.inner.write(batch, options);
  }

  compactRange(gte: Uint8Array, lt: Uint8Array): Promise<void> {
    return this.inner.compactRange?.(gte, lt) ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
