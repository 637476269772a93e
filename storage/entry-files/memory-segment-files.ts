import { assert, CorruptionError, RaftlogError } from '../../lib/index.js';
import { alignUp } from './align-up.js';
import type { SegmentFiles } from './segment-files.js';

interface MemorySegment {
  bytes: Uint8Array;
  length: number;
  /** What a crash leaves: the segment as of its last sync, or nothing when never synced. */
  synced: Uint8Array | undefined;
}

/**
 * The simulator's segment files, with the durability of a real disk: `crash()` keeps each segment as
 * its last `sync` left it and drops segments never synced (their directory entry was not durable).
 */
export class MemorySegmentFiles implements SegmentFiles {
  private readonly segments = new Map<number, MemorySegment>();
  private fault = false;

  /** With `writeAlignBytes` above 1, writes are checked and padded as O_DIRECT's would be. */
  constructor(readonly writeAlignBytes = 1) {
    assert(Number.isSafeInteger(writeAlignBytes) && writeAlignBytes >= 1, 'writeAlignBytes must be positive');
  }

  list(): Promise<number[]> {
    return Promise.resolve([...this.segments.keys()].sort((a, b) => a - b));
  }

  write(id: number, offset: number, chunks: readonly Uint8Array[]): Promise<void> {
    return this.attempt(`write segment ${id}`, () => this.writeNow(id, offset, chunks));
  }

  private writeNow(id: number, offset: number, chunks: readonly Uint8Array[]): void {
    const align = this.writeAlignBytes;
    assert(offset % align === 0, `write at ${offset}: not a multiple of ${align}`);
    let s = this.segments.get(id);
    if (s === undefined)
      this.segments.set(id, (s = { bytes: new Uint8Array(0), length: 0, synced: undefined }));
    let dataEnd = offset;
    for (const c of chunks) dataEnd += c.byteLength;
    const end = alignUp(dataEnd, align);
    if (end > s.bytes.length) {
      const grown = new Uint8Array(Math.max(end, s.bytes.length * 2));
      grown.set(s.bytes.subarray(0, s.length));
      s.bytes = grown;
    }
    let at = offset;
    for (const c of chunks) {
      s.bytes.set(c, at);
      at += c.byteLength;
    }
    s.bytes.fill(0, dataEnd, end);
    s.length = Math.max(s.length, end);
  }

  sync(id: number): Promise<void> {
    return this.attempt(`sync segment ${id}`, () => {
      const s = this.segments.get(id);
      if (s !== undefined) s.synced = s.bytes.slice(0, s.length);
    });
  }

  read(id: number, offset: number, length: number): Promise<Uint8Array> {
    return this.attempt(`read segment ${id}`, () => {
      const s = this.segments.get(id);
      if (s === undefined || offset + length > s.length)
        throw new CorruptionError(
          `entry file segment ${id} holds no ${length} bytes at ${offset}: data was lost`,
        );
      return s.bytes.slice(offset, offset + length);
    });
  }

  remove(id: number): Promise<void> {
    this.segments.delete(id);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Makes the next calls fail, as a failing disk would. */
  injectFault(): void {
    this.fault = true;
  }

  /** Loses whatever was not synced, as a power cut would. */
  crash(): void {
    this.fault = false;
    for (const [id, s] of this.segments) {
      if (s.synced === undefined) this.segments.delete(id);
      else {
        s.bytes = s.synced.slice();
        s.length = s.synced.length;
      }
    }
  }

  private attempt<T>(what: string, work: () => T): Promise<T> {
    try {
      if (this.fault) throw new RaftlogError('INTERNAL', `injected fault: ${what}`);
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
