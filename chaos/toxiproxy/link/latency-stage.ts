import { HeldQueue } from './held-queue.js';
import type { DetachReason, EndKind, Held, Stage, StageEnv } from './stage.js';
import { attribute, type Toxic } from './toxic.js';

/**
 * Delays each chunk by latency ± jitter from the moment it arrived, keeping the order (a chunk never
 * overtakes an earlier one); an end follows the data before it without a delay of its own.
 */
export class LatencyStage implements Stage {
  private readonly queue = new HeldQueue();
  private readonly latencyMs: number;
  private readonly jitterMs: number;
  private lastDueMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private detached = false;

  constructor(
    toxic: Toxic,
    private readonly env: StageEnv,
  ) {
    this.latencyMs = attribute(toxic, 'latency');
    this.jitterMs = attribute(toxic, 'jitter');
  }

  push(chunk: Buffer): void {
    this.queue.pushChunk(chunk, this.dueAfter(this.delayMs()));
    this.schedule();
  }

  end(kind: EndKind): void {
    this.queue.pushEnd(kind, this.dueAfter(0));
    this.schedule();
  }

  heldBytes(): number {
    return this.queue.heldBytes;
  }

  detach(_reason: DetachReason): Held {
    this.detached = true;
    clearTimeout(this.timer);
    return this.queue.drainAll();
  }

  private delayMs(): number {
    if (this.jitterMs <= 0) return this.latencyMs;
    return Math.max(0, this.latencyMs + this.env.prng.intBetween(-this.jitterMs, this.jitterMs - 1));
  }

  private dueAfter(delayMs: number): number {
    this.lastDueMs = Math.max(performance.now() + delayMs, this.lastDueMs);
    return this.lastDueMs;
  }

  private schedule(): void {
    const head = this.queue.peek();
    if (this.timer !== undefined || head === undefined || this.detached) return;
    const waitMs = Math.max(0, Math.ceil(head.dueMs - performance.now()));
    this.timer = setTimeout(() => this.release(), waitMs);
  }

  private release(): void {
    this.timer = undefined;
    const nowMs = performance.now();
    for (let head = this.queue.peek(); head !== undefined && head.dueMs <= nowMs; head = this.queue.peek()) {
      this.queue.shift();
      if ('chunk' in head) this.env.out.data(head.chunk);
      else this.env.out.end(head.end);
      if (this.detached) return;
    }
    this.schedule();
  }
}
