import { HeldQueue } from './held-queue.js';
import type { DetachReason, EndKind, Held, Stage, StageEnv } from './stage.js';
import { attribute, type Toxic } from './toxic.js';

/**
 * Cuts chunks into slices of average_size ± size_variation bytes with `delay` microseconds after each
 * slice. Timers have millisecond resolution, so a delay under 1 ms waits about 1 ms.
 */
export class SlicerStage implements Stage {
  private readonly queue = new HeldQueue();
  private readonly averageSize: number;
  private readonly sizeVariation: number;
  private readonly delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private detached = false;

  constructor(
    toxic: Toxic,
    private readonly env: StageEnv,
  ) {
    this.averageSize = attribute(toxic, 'average_size');
    this.sizeVariation = attribute(toxic, 'size_variation');
    this.delayMs = attribute(toxic, 'delay') / 1000;
  }

  push(chunk: Buffer): void {
    this.queue.pushChunk(chunk, 0);
    this.pump();
  }

  end(kind: EndKind): void {
    this.queue.pushEnd(kind, 0);
    this.pump();
  }

  heldBytes(): number {
    return this.queue.heldBytes;
  }

  detach(_reason: DetachReason): Held {
    this.detached = true;
    clearTimeout(this.timer);
    return this.queue.drainAll();
  }

  private pump(): void {
    while (this.timer === undefined && !this.detached) {
      const head = this.queue.peek();
      if (head === undefined) return;
      if (!('chunk' in head)) {
        this.queue.shift();
        this.env.out.end(head.end);
        return;
      }
      this.env.out.data(this.queue.takeFromHead(this.sliceSize()));
      if (this.delayMs > 0) this.timer = setTimeout(() => this.resume(), this.delayMs);
    }
  }

  private resume(): void {
    this.timer = undefined;
    this.pump();
  }

  private sliceSize(): number {
    const variation =
      this.sizeVariation > 0 ? this.env.prng.intBetween(-this.sizeVariation, this.sizeVariation) : 0;
    return Math.max(1, this.averageSize + variation);
  }
}
