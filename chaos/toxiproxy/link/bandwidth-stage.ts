import { HeldQueue } from './held-queue.js';
import type { DetachReason, EndKind, Held, Stage, StageEnv } from './stage.js';
import { attribute, type Toxic } from './toxic.js';

/** Toxiproxy sends at most 100 ms worth of bytes at once, so a slow rate still flows steadily. */
const sliceMs = 100;

/**
 * Passes bytes at `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy counts): each piece leaves once the
 * previous ones have had their transmission time, measured on a virtual clock so timer lateness
 * does not lower the rate.
 */
export class BandwidthStage implements Stage {
  private readonly queue = new HeldQueue();
  /** Bytes per millisecond, since 1 KB/s is 1 byte/ms. */
  private readonly rate: number;
  private nextFreeMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private detached = false;

  constructor(
    toxic: Toxic,
    private readonly env: StageEnv,
  ) {
    this.rate = attribute(toxic, 'rate');
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
    const head = this.queue.peek();
    if (this.timer !== undefined || head === undefined || this.detached) return;
    if (!('chunk' in head)) {
      this.queue.shift();
      this.env.out.end(head.end);
      return;
    }
    const size = Math.min(head.chunk.length, this.rate * sliceMs);
    const nowMs = performance.now();
    this.nextFreeMs = Math.max(nowMs, this.nextFreeMs) + size / this.rate;
    this.timer = setTimeout(() => this.send(size), Math.max(0, this.nextFreeMs - nowMs));
  }

  private send(size: number): void {
    this.timer = undefined;
    this.env.out.data(this.queue.takeFromHead(size));
    this.pump();
  }
}
