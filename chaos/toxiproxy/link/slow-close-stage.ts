import {
  nothingHeld,
  type DetachReason,
  type EndKind,
  type Held,
  type Stage,
  type StageEnv,
} from './stage.js';
import { attribute, type Toxic } from './toxic.js';

/** Passes data at once and holds the end for `delay` ms. */
export class SlowCloseStage implements Stage {
  private readonly delayMs: number;
  private pendingEnd: EndKind | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    toxic: Toxic,
    private readonly env: StageEnv,
  ) {
    this.delayMs = attribute(toxic, 'delay');
  }

  push(chunk: Buffer): void {
    this.env.out.data(chunk);
  }

  end(kind: EndKind): void {
    this.pendingEnd = kind;
    this.timer = setTimeout(() => {
      this.pendingEnd = undefined;
      this.env.out.end(kind);
    }, this.delayMs);
  }

  heldBytes(): number {
    return 0;
  }

  detach(_reason: DetachReason): Held {
    clearTimeout(this.timer);
    return this.pendingEnd === undefined ? nothingHeld : { chunks: [], end: this.pendingEnd };
  }
}
