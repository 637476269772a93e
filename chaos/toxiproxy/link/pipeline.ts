import type { Socket } from 'node:net';
import type { Prng } from '../../../lib/index.js';
import { createStage } from './create-stage.js';
import type { EndKind, Held, Stage, StageMemory, StageOutput } from './stage.js';
import type { Toxic } from './toxic.js';

export interface PipelineEnv {
  readonly prng: Prng;
  /** Above this many held bytes (stages plus the destination's write buffer) the source is paused. */
  readonly bytesMax: number;
  /** The end has reached the destination. */
  onEnd(kind: EndKind): void;
  onPressure?(paused: boolean): void;
}

/** A toxic's place in the chain. */
interface SlotState {
  readonly name: string;
  readonly memory: StageMemory;
  /** Bumped when the stage is replaced or removed, so a stale stage's output is ignored. */
  generation: number;
  /** The slot has been given an end: later input is dropped. */
  inputEnded: boolean;
}

interface Slot extends SlotState {
  stage: Stage;
}

/**
 * One direction of a proxied connection: bytes from `source` pass a chain of toxic stages, in the
 * order the toxics were added, to `dest`. The chain changes while bytes flow; a stage that leaves
 * hands what it held to the next one, so nothing is lost or reordered.
 */
export class Pipeline {
  private readonly slots: Slot[] = [];
  private sinkEnded = false;
  private paused = false;
  private disposed = false;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    toxics: readonly Toxic[],
    private readonly env: PipelineEnv,
  ) {
    for (const toxic of toxics) this.add(toxic);
    dest.on('drain', () => this.checkPressure());
  }

  write(chunk: Buffer): void {
    this.deliver(0, chunk);
    this.checkPressure();
  }

  /** The source's EOF. */
  end(): void {
    this.deliverEnd(0, 'eof');
  }

  add(toxic: Toxic): void {
    const state: SlotState = {
      name: toxic.name,
      memory: { transmitted: 0 },
      generation: 0,
      inputEnded: this.sinkEnded,
    };
    this.slots.push(Object.assign(state, { stage: this.stageFor(toxic, state) }));
  }

  update(toxic: Toxic): void {
    const at = this.indexOf(toxic.name);
    const slot = this.slots[at];
    if (slot === undefined || this.disposed) return;
    const held = slot.stage.detach('replaced');
    slot.generation++;
    slot.stage = this.stageFor(toxic, slot);
    this.passOn(at + 1, held);
  }

  remove(name: string): void {
    const at = this.indexOf(name);
    const slot = this.slots[at];
    if (slot === undefined || this.disposed) return;
    const held = slot.stage.detach('removed');
    slot.generation++;
    this.slots.splice(at, 1);
    this.passOn(at, held);
  }

  heldBytes(): number {
    let bytes = this.dest.writableLength;
    for (const slot of this.slots) bytes += slot.stage.heldBytes();
    return bytes;
  }

  dispose(): void {
    this.disposed = true;
    for (const slot of this.slots) {
      slot.stage.detach('closed');
      slot.generation++;
    }
  }

  private stageFor(toxic: Toxic, slot: SlotState): Stage {
    return createStage(toxic, { out: this.outputOf(slot), prng: this.env.prng, memory: slot.memory });
  }

  /** Where a stage's output goes: the next slot, looked up on each call since the chain changes. */
  private outputOf(slot: SlotState): StageOutput {
    const generation = slot.generation;
    const next = (): number =>
      slot.generation === generation ? this.slots.findIndex((other) => other === slot) + 1 : 0;
    return {
      data: (chunk) => {
        const at = next();
        if (at === 0) return;
        this.deliver(at, chunk);
        this.checkPressure();
      },
      end: (kind) => {
        const at = next();
        if (at !== 0) this.deliverEnd(at, kind);
      },
    };
  }

  private passOn(at: number, held: Held): void {
    for (const chunk of held.chunks) this.deliver(at, chunk);
    if (held.end !== undefined) this.deliverEnd(at, held.end);
    this.checkPressure();
  }

  private deliver(at: number, chunk: Buffer): void {
    if (this.disposed) return;
    const slot = this.slots[at];
    if (slot === undefined) {
      if (!this.sinkEnded && this.dest.writable) this.dest.write(chunk);
    } else if (!slot.inputEnded) {
      slot.stage.push(chunk);
    }
  }

  private deliverEnd(at: number, kind: EndKind): void {
    if (this.disposed) return;
    const slot = this.slots[at];
    if (slot === undefined) {
      if (this.sinkEnded) return;
      this.sinkEnded = true;
      this.env.onEnd(kind);
    } else if (!slot.inputEnded) {
      slot.inputEnded = true;
      slot.stage.end(kind);
    }
  }

  private checkPressure(): void {
    if (this.disposed) return;
    const held = this.heldBytes();
    if (!this.paused && held > this.env.bytesMax) {
      this.paused = true;
      this.source.pause();
      this.env.onPressure?.(true);
    } else if (this.paused && held <= this.env.bytesMax / 4) {
      this.paused = false;
      this.source.resume();
      this.env.onPressure?.(false);
    }
  }

  private indexOf(name: string): number {
    return this.slots.findIndex((slot) => slot.name === name);
  }
}
