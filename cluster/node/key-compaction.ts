import type { Logger } from 'pino';
import {
  coveredBy,
  defaultCompactionStepLimits,
  type CompactionStepLimits,
  type PartitionStore,
} from '../../storage/index.js';
import type { PartitionStateMachine } from '../partition/index.js';
import { LaneTask, type BackgroundLane } from './background-lane.js';
import type { NodeClock } from './node-clock.js';

/** What the compactor needs of a local partition replica. */
export interface CompactionSubject {
  readonly partitionKey: Parameters<PartitionStore['compactionState']>[0];
  readonly state: PartitionStateMachine;
  /** Offsets below this are in the store. */
  readonly storedEnd: number;
  /** A gap fill is writing the store: compaction waits until it is done. */
  readonly filling: boolean;
}

export interface KeyCompactionLimits {
  /** What one step (one write batch) reads at most. */
  readonly step: CompactionStepLimits;
  /** Memory for one pass's key map. */
  readonly keyMapBytesMax: number;
}

export const defaultKeyCompactionLimits: KeyCompactionLimits = {
  step: defaultCompactionStepLimits,
  keyMapBytesMax: 64 * 1024 * 1024,
};

export interface CompactionRun {
  readonly steps: number;
  readonly bytesRead: number;
  readonly bytesFreed: number;
  readonly elapsedMs: number;
}

/**
 * Brings every local replica's store to the compaction its state machine asks for (the leader's
 * latest `compact` decision, applied alike everywhere), in the background: bounded steps, each its own
 * write batch, the event loop free between them, in the lane it shares with the retention purge. After
 * a pass the engine compacts the partition's key range so the space leaves the disk.
 */
export class KeyCompaction {
  private readonly task: LaneTask;

  constructor(
    private readonly store: PartitionStore,
    private readonly clock: Pick<NodeClock, 'now'>,
    private readonly logger: Logger,
    lane: BackgroundLane,
    /** Lets other work run between two steps (the node yields a turn of its clock). */
    private readonly pause: () => Promise<void>,
    private readonly limits: KeyCompactionLimits = defaultKeyCompactionLimits,
  ) {
    this.task = new LaneTask(lane, logger, 'key compaction');
  }

  /** Starts a round over `subjects` unless one is running; failures are logged, never thrown. */
  kick(subjects: () => Iterable<CompactionSubject>): void {
    this.task.kick(() => this.round(subjects()));
  }

  async round(subjects: Iterable<CompactionSubject>): Promise<void> {
    for (const s of subjects) {
      if (this.task.stopped) return;
      const target = s.state.compactionTarget;
      if (s.filling || s.storedEnd < target.upToOffset) continue;
      if (coveredBy(target, this.store.compactionState(s.partitionKey).done)) continue;
      await this.compact(s);
    }
  }

  /** One pass of one partition toward its target. */
  async compact(s: CompactionSubject): Promise<CompactionRun> {
    const target = s.state.compactionTarget;
    const started = this.clock.now();
    const pass = this.store.compactionPass(s.partitionKey, target, {
      keyMapBytesMax: this.limits.keyMapBytesMax,
      isAborted: (producerId, offset) =>
        s.state.abortedTransactions(offset, offset + 1).some((a) => a.producerId === producerId),
    });
    let steps = 0;
    let bytesRead = 0;
    let bytesFreed = 0;
    for (let more = true; more && !this.task.stopped;) {
      const step = await pass.step(this.limits.step);
      steps++;
      bytesRead += step.bytesRead;
      bytesFreed += step.bytesFreed;
      more = step.more;
      await this.pause();
    }
    // The compacted part is all copies now: the Raft entries it was stored in may go.
    const dropped = pass.completed
      ? await this.store.dropUnreferenced(s.partitionKey, pass.reached.upToOffset)
      : 0;
    if (bytesFreed > 0 || dropped > 0) await this.store.reclaimSpace(s.partitionKey);
    const run = { steps, bytesRead, bytesFreed, elapsedMs: this.clock.now() - started };
    const mbPerS = run.elapsedMs > 0 ? bytesRead / 1e6 / (run.elapsedMs / 1000) : 0;
    this.logger.info(
      { partition: s.partitionKey, ...pass.reached, ...run, mbPerS: Math.round(mbPerS * 10) / 10 },
      'key compaction pass',
    );
    return run;
  }

  /** Ends after the step in progress; no step starts afterwards. */
  stop(): Promise<void> {
    return this.task.stop();
  }
}
