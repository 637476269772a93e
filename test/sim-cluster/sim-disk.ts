import {
  KvWriteBatch,
  type KvIterator,
  type KvRange,
  type KvStore,
  type KvWriteOptions,
  type MemoryKvStore,
} from '../../storage/index.js';
import type { Prng } from '../../lib/index.js';
import type { ProcessClock } from './process-clock.js';

/**
 * One incarnation's view of the node's disk: a synced write lands at once, unsynced (visible, in the
 * WAL buffer), and becomes durable only when its fsync completes some simulated ms later. A crash in
 * between (the process clock dies with the incarnation, so the fsync never completes) finds it among
 * the unsynced writes that MemoryKvStore.crash() drops or keeps a prefix of; meanwhile the node goes
 * on stepping groups and receiving messages while the write is awaited, as with RocksDB.
 */
export class SimDisk implements KvStore {
  constructor(
    private readonly disk: MemoryKvStore,
    private readonly clock: ProcessClock,
    private readonly prng: Prng,
    /** An fsync takes uniform [0, fsyncMsMax] simulated ms. */
    private readonly fsyncMsMax: number,
  ) {}

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.disk.get(key);
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.disk.getMany(keys);
  }

  iterator(range?: KvRange): KvIterator {
    return this.disk.iterator(range);
  }

  async write(batch: KvWriteBatch, options: KvWriteOptions): Promise<void> {
    await this.disk.write(batch, { sync: false });
    if (!options.sync) return;
    await this.clock.sleep(this.prng.intBetween(0, this.fsyncMsMax));
    await this.disk.write(new KvWriteBatch(), { sync: true });
  }

  close(): Promise<void> {
    return this.disk.close();
  }
}
