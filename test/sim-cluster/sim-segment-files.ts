import type { Prng } from '../../lib/index.js';
import type { MemorySegmentFiles, SegmentFiles } from '../../storage/index.js';
import type { ProcessClock } from './process-clock.js';
import type { SimClusterStats } from './sim-cluster-stats.js';

/**
 * One incarnation's view of the node's entry files, timed like SimDisk: a write lands at once, a
 * sync completes some simulated ms later, and a crash before then (the process clock dies with the
 * incarnation) leaves the segment as its last completed sync did.
 */
export class SimSegmentFiles implements SegmentFiles {
  constructor(
    private readonly files: MemorySegmentFiles,
    private readonly clock: ProcessClock,
    private readonly prng: Prng,
    private readonly fsyncMsMax: number,
    private readonly stats: SimClusterStats,
  ) {}

  get writeAlignBytes(): number {
    return this.files.writeAlignBytes;
  }

  list(): Promise<number[]> {
    return this.files.list();
  }

  write(id: number, offset: number, chunks: readonly Uint8Array[]): Promise<void> {
    return this.files.write(id, offset, chunks);
  }

  async sync(id: number): Promise<void> {
    await this.clock.sleep(this.prng.intBetween(0, this.fsyncMsMax));
    await this.files.sync(id);
  }

  read(id: number, offset: number, length: number): Promise<Uint8Array> {
    return this.files.read(id, offset, length);
  }

  remove(id: number): Promise<void> {
    this.stats.entrySegmentsRemoved++;
    return this.files.remove(id);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
