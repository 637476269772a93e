import type { Admin } from '../../src/client/index.js';
import type { ClusterUnderTest } from '../cluster/index.js';
import type { Recorder } from '../workload/index.js';

/** What the nemesis acts on and through. */
export interface NemesisContext {
  readonly cluster: ClusterUnderTest;
  readonly recorder: Recorder;
  readonly admin: Admin;
  readonly topic: string;
  readonly partitions: number;
  /** Current leader of every key (`topic/partition`), 0 for none. */
  readonly leaders: () => ReadonlyMap<string, number>;
  readonly signal: AbortSignal;
}
