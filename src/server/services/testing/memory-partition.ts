import { RaftlogError, RecordBatchView } from '../../../../lib/index.js';
import type { FetchOutcome } from '../../../../cluster/node/node-api.js';

/** One partition's log in memory: batches with their offsets, and the readers waiting for more. */
export class MemoryPartition {
  readonly batches: RecordBatchView[] = [];
  nextOffset = 0;
  private readonly waiters = new Set<() => void>();

  /** Copies the batch (request bytes are views into a gRPC frame) and gives it the next offsets. */
  append(batch: Uint8Array): RecordBatchView {
    const stored = new RecordBatchView(batch.slice()).withBaseOffset(this.nextOffset, { inPlace: true });
    this.batches.push(stored);
    this.nextOffset = stored.nextOffset;
    for (const wake of this.waiters) wake();
    return stored;
  }

  read(offset: number, bytesMax: number): FetchOutcome {
    if (offset > this.nextOffset) {
      throw new RaftlogError('OFFSET_OUT_OF_RANGE', `offset ${offset} is past the end ${this.nextOffset}`);
    }
    const picked: RecordBatchView[] = [];
    let bytes = 0;
    for (const batch of this.batches) {
      if (batch.lastOffset < offset) continue;
      if (picked.length > 0 && bytes + batch.sizeBytes > bytesMax) break;
      picked.push(batch);
      bytes += batch.sizeBytes;
    }
    const records = new Uint8Array(bytes);
    let at = 0;
    for (const batch of picked) {
      records.set(batch.bytes, at);
      at += batch.sizeBytes;
    }
    const last = picked.at(-1);
    return {
      records,
      nextOffset: last === undefined ? offset : last.nextOffset,
      highWatermark: this.nextOffset,
      lastStableOffset: this.nextOffset,
      logStartOffset: 0,
      abortedTransactions: [],
    };
  }

  waitFor(offset: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.nextOffset > offset || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        this.waiters.delete(wake);
        resolve();
      };
      const wake = (): void => {
        if (this.nextOffset > offset) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      signal.addEventListener('abort', finish, { once: true });
      this.waiters.add(wake);
    });
  }

  get waiterCount(): number {
    return this.waiters.size;
  }
}
