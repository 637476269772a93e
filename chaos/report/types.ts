import type { CheckResult } from '../checker/types.js';
import type { HistoryEvent } from '../history/types.js';

/** Everything the report shows: the run's settings, what it recorded and what the checker found. */
export interface ReportInput {
  readonly scenario: string;
  readonly seed: number;
  readonly nodes: number;
  /** The configured length of the fault phase; the history runs longer (heal and drain). */
  readonly durationS: number;
  /** When the run started, ISO 8601. */
  readonly startedAt: string;
  readonly history: readonly HistoryEvent[];
  readonly result: CheckResult;
  /** The command line that replays the run; derived from the settings when absent. */
  readonly command?: string;
}
