import {
  nothingHeld,
  type DetachReason,
  type EndKind,
  type Held,
  type Stage,
  type StageEnv,
} from './stage.js';
import { attribute, type Toxic } from './toxic.js';

/**
 * Drops every byte; closes the connection after `timeout` ms, never when 0. The source's EOF still
 * passes. Removing the toxic closes the connection, as Toxiproxy's cleanup of this toxic does, so a
 * healed link starts over on a fresh connection.
 */
export class TimeoutStage implements Stage {
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    toxic: Toxic,
    private readonly env: StageEnv,
  ) {
    const timeoutMs = attribute(toxic, 'timeout');
    if (timeoutMs > 0) this.timer = setTimeout(() => env.out.end('close'), timeoutMs);
  }

  push(_chunk: Buffer): void {}

  end(kind: EndKind): void {
    clearTimeout(this.timer);
    this.env.out.end(kind);
  }

  heldBytes(): number {
    return 0;
  }

  detach(reason: DetachReason): Held {
    clearTimeout(this.timer);
    return reason === 'removed' ? { chunks: [], end: 'close' } : nothingHeld;
  }
}
