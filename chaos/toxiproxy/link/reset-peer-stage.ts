import { nothingHeld, type DetachReason, type Held, type Stage, type StageEnv } from './stage.js';
import { attribute, type Toxic } from './toxic.js';

/**
 * On the first data (or EOF) it sees, waits `timeout` ms and resets the connection: both peers get
 * an RST. Data after the trigger is dropped. Once triggered, removing the toxic resets at once, as
 * Toxiproxy cannot interrupt the wait either.
 */
export class ResetPeerStage implements Stage {
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private state: 'armed' | 'triggered' | 'fired' = 'armed';

  constructor(
    toxic: Toxic,
    private readonly env: StageEnv,
  ) {
    this.timeoutMs = attribute(toxic, 'timeout');
  }

  push(_chunk: Buffer): void {
    this.trigger();
  }

  end(): void {
    this.trigger();
  }

  heldBytes(): number {
    return 0;
  }

  detach(_reason: DetachReason): Held {
    clearTimeout(this.timer);
    return this.state === 'triggered' ? { chunks: [], end: 'reset' } : nothingHeld;
  }

  private trigger(): void {
    if (this.state !== 'armed') return;
    this.state = 'triggered';
    this.timer = setTimeout(() => {
      this.state = 'fired';
      this.env.out.end('reset');
    }, this.timeoutMs);
  }
}
