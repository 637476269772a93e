import type { Logger } from 'pino';
import { defaultPurgeStepLimits, type PartitionStore, type PurgeStepLimits } from '../../storage/index.js';
import { BackgroundLane, LaneTask } from './background-lane.js';

export interface RetentionPurgeLimits {
  /** Stored bytes one pass frees at most; the rest waits for the next pass. */
  readonly passBytesMax: number;
  /** What one step (one write batch) deletes at most. */
  readonly step: PurgeStepLimits;
}

export const defaultRetentionPurgeLimits: RetentionPurgeLimits = {
  passBytesMax: 256 * 1024 * 1024,
  step: defaultPurgeStepLimits,
};

export interface PurgePassResult {
  readonly steps: number;
  readonly batches: number;
  readonly bytes: number;
}

/**
 * Deletes the stored batches that retention left below the log start, in the background: bounded
 * steps, each its own write batch, with the event loop free between them, so a pass over gigabytes
 * never holds the ready cycle that every group of the node shares. One pass at a time.
 */
export class RetentionPurge {
  private readonly task: LaneTask;

  constructor(
    private readonly store: PartitionStore,
    private readonly logger: Logger,
    private readonly limits: RetentionPurgeLimits,
    /** Lets other work run between two steps (the node yields a turn of its clock). */
    private readonly pause: () => Promise<void>,
    lane: BackgroundLane = new BackgroundLane(),
  ) {
    this.task = new LaneTask(lane, logger, 'retention purge');
  }

  /** Starts a pass unless one is running; a failure (corruption found) is logged, never thrown. */
  kick(): void {
    this.task.kick(() => this.pass());
  }

  /** One pass over every partition with batches below its log start, up to `passBytesMax`. */
  async pass(): Promise<PurgePassResult> {
    let steps = 0;
    let batches = 0;
    let bytes = 0;
    for (const partition of this.store.partitionsToPurge()) {
      for (let more = true; more;) {
        if (this.task.stopped || bytes >= this.limits.passBytesMax) return { steps, batches, bytes };
        const step = await this.store.purgeStep(partition, this.limits.step);
        steps++;
        batches += step.batches;
        bytes += step.bytes;
        more = step.more;
        await this.pause();
      }
    }
    if (batches > 0) this.logger.debug({ steps, batches, bytes }, 'retention purge pass');
    return { steps, batches, bytes };
  }

  /** Ends after the step in progress; no step starts afterwards. */
  stop(): Promise<void> {
    return this.task.stop();
  }
}
