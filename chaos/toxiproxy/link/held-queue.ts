import type { EndKind, Held } from './stage.js';

export interface HeldChunk {
  chunk: Buffer;
  readonly dueMs: number;
}

export interface HeldEnd {
  readonly end: EndKind;
  readonly dueMs: number;
}

export type HeldEntry = HeldChunk | HeldEnd;

/**
 * What an entry costs beyond its bytes, counted in `heldBytes` so that a stream of tiny chunks is
 * bounded too.
 */
const entryOverheadBytes = 64;

/**
 * The chunks (and at most one end, last) a stage holds, with the bytes they add up to. It grows as
 * needed: the pipeline bounds it by pausing its source.
 */
export class HeldQueue {
  private entries: (HeldEntry | undefined)[] = [];
  private head = 0;
  private bytes = 0;

  get heldBytes(): number {
    return this.bytes + (this.entries.length - this.head) * entryOverheadBytes;
  }

  peek(): HeldEntry | undefined {
    return this.entries[this.head];
  }

  pushChunk(chunk: Buffer, dueMs: number): void {
    this.entries.push({ chunk, dueMs });
    this.bytes += chunk.length;
  }

  pushEnd(end: EndKind, dueMs: number): void {
    this.entries.push({ end, dueMs });
  }

  shift(): HeldEntry | undefined {
    const entry = this.entries[this.head];
    if (entry === undefined) return undefined;
    this.entries[this.head] = undefined;
    this.head++;
    if ('chunk' in entry) this.bytes -= entry.chunk.length;
    if (this.head > 1024 && this.head * 2 > this.entries.length) this.compact();
    return entry;
  }

  /** Cuts up to `size` bytes off the chunk at the head (which must be a chunk). */
  takeFromHead(size: number): Buffer {
    const entry = this.peek();
    if (entry === undefined || !('chunk' in entry)) throw new Error('no chunk at the head of the queue');
    if (size >= entry.chunk.length) {
      this.shift();
      return entry.chunk;
    }
    const piece = entry.chunk.subarray(0, size);
    entry.chunk = entry.chunk.subarray(size);
    this.bytes -= size;
    return piece;
  }

  drainAll(): Held {
    const chunks: Buffer[] = [];
    let end: EndKind | undefined;
    for (let entry = this.shift(); entry !== undefined; entry = this.shift()) {
      if ('chunk' in entry) chunks.push(entry.chunk);
      else end = entry.end;
    }
    return { chunks, end };
  }

  private compact(): void {
    this.entries = this.entries.slice(this.head);
    this.head = 0;
  }
}
