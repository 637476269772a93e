/**
 * Lets a removal wait for the reads that began before it: a read takes the current epoch and
 * releases it when done; `passed()` opens a new epoch and resolves once no read of an older one is
 * left. Reads that begin later are not waited for, so a steady stream of reads cannot starve it.
 */
export class ReaderEpochs {
  private epoch = 0;
  private readonly active = new Map<number, number>();
  private readonly waiters: { epoch: number; resolve: () => void }[] = [];

  enter(): number {
    this.active.set(this.epoch, (this.active.get(this.epoch) ?? 0) + 1);
    return this.epoch;
  }

  exit(epoch: number): void {
    const left = (this.active.get(epoch) ?? 1) - 1;
    if (left > 0) this.active.set(epoch, left);
    else this.active.delete(epoch);
    this.wake();
  }

  passed(): Promise<void> {
    const epoch = this.epoch++;
    return new Promise((resolve) => {
      this.waiters.push({ epoch, resolve });
      this.wake();
    });
  }

  private wake(): void {
    let oldest = Infinity;
    for (const e of this.active.keys()) oldest = Math.min(oldest, e);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (oldest > w.epoch) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
