import type { KeyRef } from '../workload/index.js';

/** What a run drives while the nemesis acts: the log workload or the queue workload. */
export interface RunWorkload {
  readonly topic: string;
  readonly keys: readonly KeyRef[];
  start(): void;
  /** A few words for the progress line, e.g. "sends ok 10 fail 0 info 1". */
  progress(): string;
  /** Stops every worker after its current operation and waits for them all. */
  stop(): Promise<void>;
  /** The final phase, after heal: reads or acks until all that was acknowledged is seen, or the deadline. */
  drain(deadlineMs: number): Promise<void>;
}
