import type { Prng } from '../../../lib/index.js';

/**
 * How a pipeline ends: the source's EOF, a toxic closing the connection (Toxiproxy then closes both
 * sides), or a toxic resetting it (RST to both peers). An end travels down the chain behind the data
 * already in it, as Toxiproxy's closed channels do.
 */
export type EndKind = 'eof' | 'close' | 'reset';

export interface StageOutput {
  data(chunk: Buffer): void;
  end(kind: EndKind): void;
}

/** What a stage still held when it left the chain; the pipeline passes it on in order. */
export interface Held {
  readonly chunks: readonly Buffer[];
  readonly end: EndKind | undefined;
}

export const nothingHeld: Held = { chunks: [], end: undefined };

/** Why a stage leaves the chain: its toxic was removed or updated, or the connection closed. */
export type DetachReason = 'removed' | 'replaced' | 'closed';

/** Per connection and toxic, kept across updates of the toxic (limit_data counts its bytes here). */
export interface StageMemory {
  transmitted: number;
}

export interface StageEnv {
  readonly out: StageOutput;
  readonly prng: Prng;
  readonly memory: StageMemory;
}

/** One toxic acting on one direction of one connection. */
export interface Stage {
  push(chunk: Buffer): void;
  end(kind: EndKind): void;
  heldBytes(): number;
  /** Stops the stage's timers; it emits nothing afterwards. */
  detach(reason: DetachReason): Held;
}

export class PassthroughStage implements Stage {
  constructor(private readonly out: StageOutput) {}

  push(chunk: Buffer): void {
    this.out.data(chunk);
  }

  end(kind: EndKind): void {
    this.out.end(kind);
  }

  heldBytes(): number {
    return 0;
  }

  detach(): Held {
    return nothingHeld;
  }
}
