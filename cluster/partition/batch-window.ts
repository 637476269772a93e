export interface BatchMetadata {
  readonly baseSequence: number;
  readonly lastSequence: number;
  readonly baseOffset: number;
}

/** Numbers kept per batch: base sequence, last sequence, base offset. */
const stride = 3;

/**
 * A producer's last batches, oldest first, at most a horizon of them. A partition keeps up to
 * dedupHorizonBatches for every producer it knows, so they lie three numbers a batch in one flat
 * array: about 25 bytes a batch with the array's growth slack, against about 58 for an object each,
 * which is more than the producerBatchBytes a batch is accounted at.
 */
export class BatchWindow implements Iterable<BatchMetadata> {
  constructor(private readonly values: number[] = []) {}

  get length(): number {
    return this.values.length / stride;
  }

  /** Appends `batch`, dropping the oldest once more than `horizon` are kept. */
  push(batch: BatchMetadata, horizon: number): void {
    this.values.push(batch.baseSequence, batch.lastSequence, batch.baseOffset);
    if (this.length > horizon) this.values.splice(0, stride);
  }

  clear(): void {
    this.values.length = 0;
  }

  /** The kept batch that starts at `baseSequence`; retries are almost always of the newest, so from the end. */
  find(baseSequence: number): BatchMetadata | undefined {
    for (let i = this.values.length - stride; i >= 0; i -= stride) {
      if (this.values[i] === baseSequence) return this.at(i);
    }
    return undefined;
  }

  copy(): BatchWindow {
    return new BatchWindow(this.values.slice());
  }

  *[Symbol.iterator](): Iterator<BatchMetadata> {
    for (let i = 0; i < this.values.length; i += stride) yield this.at(i);
  }

  private at(i: number): BatchMetadata {
    return {
      baseSequence: this.values[i]!,
      lastSequence: this.values[i + 1]!,
      baseOffset: this.values[i + 2]!,
    };
  }
}
