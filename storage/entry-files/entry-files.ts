import { assert, CorruptionError, crc32c } from '../../lib/index.js';
import type { StorageBatch } from '../storage-batch.js';
import { alignUp } from './align-up.js';
import type { Placement } from './placement.js';
import { ReaderEpochs } from './reader-epochs.js';
import type { SegmentFiles } from './segment-files.js';

/** A segment is closed once this many bytes are placed in it; the next placement opens a new one. */
export const segmentBytesMaxDefault = 64 * 1024 * 1024;
/** Reads of adjacent placements are merged into one read of at most this many bytes. */
const readRunBytesMax = 4 * 1024 * 1024;

/**
 * Entries with at most this much data stay in the engine: a ready cycle whose entries are all this
 * small (one record at a time) then syncs the engine alone, not a file first and the engine after.
 */
export const inlineBytesMaxDefault = 4096;

export interface EntryFilesOptions {
  readonly segmentBytesMax?: number;
  readonly inlineBytesMax?: number;
}

interface Run {
  offset: number;
  readonly chunks: Uint8Array[];
  bytes: number;
}

/**
 * Entry data in append-only segment files, outside the engine: the engine keeps, per entry, where its
 * data lies (`Placement`). Space is placed synchronously while a batch is staged, so batches staged
 * together never overlap; the bytes are written, and synced, when the batch commits, before its
 * engine write, so a stored placement never names bytes a crash could lose. Segments are removed
 * whole, once no stored entry lies in them (`collect`). A restart starts a new segment: nothing is
 * ever written into a segment a crash may have cut.
 */
export class EntryFiles {
  private active: number;
  private placedInActive = 0;
  private readonly segments: Set<number>;
  /** Per segment, batches that placed data in it and have not settled: it must stay. */
  private readonly inFlight = new Map<number, number>();
  private readonly staged = new WeakMap<StorageBatch, Map<number, Run[]>>();
  private readonly readers = new ReaderEpochs();
  private readonly segmentBytesMax: number;
  /** Entries with at most this much data are not placed here (RaftLogStore keeps them inline). */
  readonly inlineBytesMax: number;
  private collecting = false;

  private constructor(
    private readonly files: SegmentFiles,
    existing: readonly number[],
    options: EntryFilesOptions,
  ) {
    this.segments = new Set(existing);
    this.active = (existing[existing.length - 1] ?? 0) + 1;
    this.segmentBytesMax = options.segmentBytesMax ?? segmentBytesMaxDefault;
    this.inlineBytesMax = options.inlineBytesMax ?? inlineBytesMaxDefault;
    assert(this.segmentBytesMax > 0, 'segmentBytesMax must be positive');
  }

  static async open(files: SegmentFiles, options: EntryFilesOptions = {}): Promise<EntryFiles> {
    return new EntryFiles(files, await files.list(), options);
  }

  /** Segments on disk (for metrics and tests). */
  get segmentIds(): number[] {
    return [...this.segments].sort((a, b) => a - b);
  }

  /** Places `data` in the active segment and stages its write (and sync) into `batch`. */
  place(batch: StorageBatch, data: Uint8Array): Placement {
    if (this.placedInActive >= this.segmentBytesMax) {
      this.active++;
      this.placedInActive = 0;
    }
    const runs = this.runsOf(batch, this.active);
    const last = runs[runs.length - 1];
    const extendsLast = last !== undefined && last.offset + last.bytes === this.placedInActive;
    // A new run begins where the segment's writes may begin: past the padding of the run before.
    if (!extendsLast) this.placedInActive = alignUp(this.placedInActive, this.files.writeAlignBytes);
    const placement = {
      segment: this.active,
      offset: this.placedInActive,
      length: data.byteLength,
      crc: crc32c(data),
    };
    this.placedInActive += data.byteLength;
    this.segments.add(placement.segment);
    if (extendsLast) {
      last.chunks.push(data);
      last.bytes += data.byteLength;
    } else runs.push({ offset: placement.offset, chunks: [data], bytes: data.byteLength });
    return placement;
  }

  /**
   * Runs `work`, which reads placements from the engine and then their data, so that no segment it
   * may read is removed meanwhile.
   */
  async reading<T>(work: () => Promise<T>): Promise<T> {
    const epoch = this.readers.enter();
    try {
      return await work();
    } finally {
      this.readers.exit(epoch);
    }
  }

  /** The data of each placement, checked against its CRC32C. Call within `reading`. */
  async read(placements: readonly Placement[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = new Array<Uint8Array>(placements.length);
    const reads: Promise<void>[] = [];
    for (let i = 0; i < placements.length;) {
      const first = placements[i]!;
      let j = i + 1;
      let end = first.offset + first.length;
      while (j < placements.length) {
        const p = placements[j]!;
        if (
          p.segment !== first.segment ||
          p.offset !== end ||
          end + p.length - first.offset > readRunBytesMax
        )
          break;
        end += p.length;
        j++;
      }
      reads.push(this.readRun(placements, i, j, end - first.offset, out));
      i = j;
    }
    await Promise.all(reads);
    return out;
  }

  /**
   * Removes the segments below `lowestStored` (the lowest segment a stored entry lies in, from a scan
   * of the engine begun after this call) that no unsettled batch placed data in, once the reads that
   * began before are done. Returns the segments removed.
   */
  async collect(scanLowestStored: () => Promise<number>): Promise<number[]> {
    if (this.collecting) return [];
    this.collecting = true;
    try {
      return await this.collectNow(scanLowestStored);
    } finally {
      this.collecting = false;
    }
  }

  private async collectNow(scanLowestStored: () => Promise<number>): Promise<number[]> {
    let bound = this.active;
    for (const segment of this.inFlight.keys()) bound = Math.min(bound, segment);
    if (!this.segmentIds.some((s) => s < bound)) return [];
    bound = Math.min(bound, await scanLowestStored());
    const dead = this.segmentIds.filter((s) => s < bound);
    if (dead.length === 0) return [];
    for (const s of dead) this.segments.delete(s);
    await this.readers.passed();
    for (const s of dead) await this.files.remove(s);
    return dead;
  }

  close(): Promise<void> {
    return this.files.close();
  }

  private async readRun(
    placements: readonly Placement[],
    from: number,
    to: number,
    bytes: number,
    out: Uint8Array[],
  ): Promise<void> {
    const first = placements[from]!;
    const run = bytes === 0 ? new Uint8Array(0) : await this.files.read(first.segment, first.offset, bytes);
    for (let i = from; i < to; i++) {
      const p = placements[i]!;
      const data = run.subarray(p.offset - first.offset, p.offset - first.offset + p.length);
      if (crc32c(data) !== p.crc)
        throw new CorruptionError(`entry file segment ${p.segment}: checksum mismatch at ${p.offset}`);
      out[i] = data;
    }
  }

  private runsOf(batch: StorageBatch, segment: number): Run[] {
    let bySegment = this.staged.get(batch);
    if (bySegment === undefined) {
      bySegment = new Map();
      this.staged.set(batch, bySegment);
      const staged = bySegment;
      batch.writeFirst(() => this.persist(staged));
      batch.whenSettled(() => {
        for (const s of staged.keys()) this.release(s);
      });
    }
    let runs = bySegment.get(segment);
    if (runs === undefined) {
      bySegment.set(segment, (runs = []));
      this.inFlight.set(segment, (this.inFlight.get(segment) ?? 0) + 1);
    }
    return runs;
  }

  private release(segment: number): void {
    const left = (this.inFlight.get(segment) ?? 1) - 1;
    if (left > 0) this.inFlight.set(segment, left);
    else this.inFlight.delete(segment);
  }

  /** Writes a batch's runs and syncs every segment they touch, all segments at once. */
  private async persist(bySegment: ReadonlyMap<number, readonly Run[]>): Promise<void> {
    await Promise.all(
      [...bySegment].map(async ([segment, runs]) => {
        for (const run of runs) await this.files.write(segment, run.offset, run.chunks);
        await this.files.sync(segment);
      }),
    );
  }
}
