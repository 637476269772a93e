/**
 * The files entry data lives in, named by increasing segment ids. Positional writes and reads, so
 * writes staged by different batches may land in any order; nothing is durable before `sync`.
 */
export interface SegmentFiles {
  /**
   * Every write starts at a multiple of this many bytes, and may leave that many bytes of padding
   * after its data: the next write begins past it (O_DIRECT writes whole blocks).
   */
  readonly writeAlignBytes: number;
  /** Ids of the segments that exist, ascending. */
  list(): Promise<number[]>;
  /** Writes `chunks` back to back from `offset` of segment `id`, creating it when missing. */
  write(id: number, offset: number, chunks: readonly Uint8Array[]): Promise<void>;
  /** Makes every write to segment `id` durable, its creation included. */
  sync(id: number): Promise<void>;
  /** Exactly `length` bytes from `offset`; fails when the segment is missing or shorter. */
  read(id: number, offset: number, length: number): Promise<Uint8Array>;
  /** Removes segment `id`; reads already started on it still complete. */
  remove(id: number): Promise<void>;
  close(): Promise<void>;
}
