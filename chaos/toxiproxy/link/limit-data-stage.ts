import { nothingHeld, type EndKind, type Held, type Stage, type StageEnv } from './stage.js';
import { attribute, type Toxic } from './toxic.js';

/**
 * Passes at most `bytes` bytes over the life of the connection (the count survives updates of the
 * toxic), then closes it. As in Toxiproxy the limit is checked when data arrives, so a limit of 0
 * closes on the first chunk.
 */
export class LimitDataStage implements Stage {
  private readonly bytesMax: number;

  constructor(
    toxic: Toxic,
    private readonly env: StageEnv,
  ) {
    this.bytesMax = attribute(toxic, 'bytes');
  }

  push(chunk: Buffer): void {
    const memory = this.env.memory;
    const remaining = Math.max(0, this.bytesMax - memory.transmitted);
    const piece = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
    memory.transmitted += piece.length;
    if (piece.length > 0) this.env.out.data(piece);
    if (memory.transmitted >= this.bytesMax) this.env.out.end('close');
  }

  end(kind: EndKind): void {
    this.env.out.end(kind);
  }

  heldBytes(): number {
    return 0;
  }

  detach(): Held {
    return nothingHeld;
  }
}
