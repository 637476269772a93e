import type { Launcher } from '../../src/local/index.js';
import type { FaultKind } from '../history/index.js';
import { allFaultKinds } from '../nemesis/index.js';

/** Scenario names a user picks from, and the fault kinds each injects. */
export const scenarios: Readonly<Record<string, readonly FaultKind[]>> = {
  all: allFaultKinds,
  partition: ['partition'],
  'client-leader': ['client-leader-cut'],
  kill: ['kill'],
  pause: ['pause'],
  'rolling-restart': ['restart-rolling'],
  'transfer-storm': ['transfer-storm'],
  membership: ['membership'],
  disk: ['disk-bitflip', 'disk-truncate'],
  clock: ['clock-skew'],
  latency: ['latency'],
  crash: ['kill', 'pause', 'restart-rolling'],
  network: ['partition', 'client-leader-cut', 'latency'],
};

export interface ChaosOptions {
  readonly scenario: string;
  readonly nodes: number;
  readonly durationS: number;
  readonly seed: number;
  /** Where the report, the history and the nodes' data and logs go. */
  readonly outDir: string;
  /** Drive this Toxiproxy instead of the built-in server. */
  readonly toxiproxyUrl?: string;
  readonly partitions: number;
  /** Concurrent one-at-a-time senders per partition. */
  readonly sendersPerKey: number;
  /** The command line that replays the run, for the report. */
  readonly command?: string;
  /** How node processes start; by default as this process was started (compiled or under tsx). */
  readonly launcher?: Launcher;
}

export function kindsOf(scenario: string): readonly FaultKind[] {
  const kinds = scenarios[scenario];
  if (kinds === undefined) {
    throw new Error(`unknown scenario "${scenario}"; choose one of: ${Object.keys(scenarios).join(', ')}`);
  }
  return kinds;
}
