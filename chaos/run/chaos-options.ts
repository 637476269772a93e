import type { Launcher } from '../../src/local/index.js';
import type { LinkProxySpec } from '../cluster/index.js';
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
  failover: ['kill', 'partition', 'pause'],
};

/**
 * What a run can do to a cluster it did not start: cut, slow and reset node-to-node links through
 * Toxiproxy, and move leaderships and replicas through the Admin API. Killing, pausing, restarting
 * and damaging nodes need their processes; cutting the client from a leader needs client proxies.
 */
export const externalFaultKinds: readonly FaultKind[] = [
  'partition',
  'latency',
  'transfer-storm',
  'membership',
];

export const workloadNames = ['log', 'queue'] as const;
export type WorkloadName = (typeof workloadNames)[number];

/** A cluster to check that the harness does not start (e.g. a StatefulSet). */
export interface ExternalTarget {
  readonly bootstrap: readonly string[];
  /** Proxies to create from a links file; without them, those already in the Toxiproxy are used. */
  readonly links?: readonly LinkProxySpec[];
  readonly readyTimeoutMs?: number;
}

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
  /** Concurrent one-at-a-time senders (or enqueuers) per partition. */
  readonly sendersPerKey: number;
  /** `log` (default): sends and offset polls; `queue`: enqueues and competing leasing consumers. */
  readonly workload?: WorkloadName;
  /** Competing consumers of the queue workload (default 3). */
  readonly consumers?: number;
  /** The command line that replays the run, for the report. */
  readonly command?: string;
  /** How node processes start; by default as this process was started (compiled or under tsx). */
  readonly launcher?: Launcher;
  /** Check this cluster instead of starting one; `toxiproxyUrl` is then required. */
  readonly external?: ExternalTarget;
}

/** The fault kinds of a scenario, less those an external cluster cannot take. */
export function kindsOf(scenario: string, external = false): readonly FaultKind[] {
  const kinds = scenarios[scenario];
  if (kinds === undefined) {
    throw new Error(`unknown scenario "${scenario}"; choose one of: ${Object.keys(scenarios).join(', ')}`);
  }
  if (!external) return kinds;
  const possible = kinds.filter((k) => externalFaultKinds.includes(k));
  if (possible.length === 0) {
    throw new Error(
      `scenario "${scenario}" needs the nodes' processes; against an external cluster only ${externalFaultKinds.join(', ')} run`,
    );
  }
  return possible;
}
