/** The raft/ features a run may drive; each turns itself off when raft/ does not provide it. */
export interface SimFeatures {
  snapshots: boolean;
  confChanges: boolean;
  transfers: boolean;
  readIndex: boolean;
  crashes: boolean;
}

export interface SimOptions {
  seed: number;
  nodes: number;
  /** Ticks of faults and load; the final healing phase comes on top. */
  ticks: number;
  features: SimFeatures;
  electionTimeoutTicks: number;
  heartbeatIntervalTicks: number;
  /** Message delivery and Ready processing happen in rounds; a tick is this many rounds. */
  roundsPerTick: number;
  /** Nodes ever started in one run (initial members plus nodes added later). */
  nodesMax: number;
  /**
   * 'amnesiac' makes a crash wipe a node's disk: a broken disk that the checkers must catch. It exists
   * only to test the simulator itself.
   */
  disk: 'honest' | 'amnesiac';
  /** Fixed at `--trace`: print every event (for reading a failing seed). */
  verbose: boolean;
}

export const allFeatures: SimFeatures = {
  snapshots: true,
  confChanges: true,
  transfers: true,
  readIndex: true,
  crashes: true,
};

export const featureNames = Object.keys(allFeatures) as (keyof SimFeatures)[];

export function defaultOptions(seed: number, overrides: Partial<SimOptions> = {}): SimOptions {
  const nodes = overrides.nodes ?? 3;
  return {
    seed,
    nodes,
    ticks: 600,
    features: { ...allFeatures },
    electionTimeoutTicks: 10,
    heartbeatIntervalTicks: 2,
    roundsPerTick: 4,
    nodesMax: nodes + 3,
    disk: 'honest',
    verbose: false,
    ...overrides,
  };
}

/** The command that replays a run exactly. */
export function replayCommand(options: SimOptions): string {
  const off = featureNames.filter((f) => !options.features[f]);
  const without = off.length > 0 ? ` --without ${off.join(',')}` : '';
  return `npm run sim -- --seed ${options.seed} --ticks ${options.ticks} --nodes ${options.nodes}${without}`;
}
