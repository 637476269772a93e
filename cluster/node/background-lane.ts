import type { Logger } from 'pino';
import type { Clock } from '../../lib/index.js';

/**
 * Runs background storage work (the retention purge, key compaction) one task at a time: a
 * compaction step must never interleave with a purge step, or it could write back a batch the purge
 * just deleted below the log start.
 */
export class BackgroundLane {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Lets ready cycles (and everything else queued) run between two steps of background work. */
export const yieldOn = (clock: Pick<Clock, 'soon'>): Promise<void> =>
  new Promise((resolve) => clock.soon(resolve));

/** One kind of background work in a lane: at most one run at a time, none after `stop`. */
export class LaneTask {
  private running: Promise<unknown> | undefined;
  private stoppedFlag = false;

  constructor(
    private readonly lane: BackgroundLane,
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** Queues `task` unless a run is queued or running; a failure is logged, never thrown. */
  kick(task: () => Promise<unknown>): void {
    if (this.running !== undefined || this.stoppedFlag) return;
    this.running = this.lane
      .run(task)
      .catch((error: unknown) => this.logger.error({ err: error }, `${this.what} failed; retrying next pass`))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Ends after the step in progress (the task checks `stopped` between steps). */
  async stop(): Promise<void> {
    this.stoppedFlag = true;
    await this.running;
  }
}
