export interface SimClusterOptions {
  readonly seed: number;
  /** Workload and fault steps; each advances the clock by 1–10 simulated ms. */
  readonly steps: number;
  /** 3 by default; 5 works too. */
  readonly nodes: number;
  /** Crashes, partitions, cuts and lossy links during the steps (healed before the final checks). */
  readonly faults: boolean;
  /** The operator's leadership transfers, replica moves and topic deletions during the steps. */
  readonly admin: boolean;
  readonly topicsMax: number;
  /** Simulated time allowed after the faults heal for leaders, acks and replicas to settle. */
  readonly settleMsMax: number;
  /**
   * Every topic keeps only a few KiB and every group snapshots (and compacts its log) each 10 entries,
   * so entry-file segments fill, empty and are removed while nodes crash and links fail. Otherwise half
   * the topics keep everything, which holds every segment from their first on.
   */
  readonly churn?: boolean;
  /** Transactional producers beside the idempotent ones, and read_committed readers checking them. */
  readonly transactions?: boolean;
  /**
   * Nodes start on the build before this one (logical version 1) and are upgraded one by one during
   * the steps (rolling-upgrade.ts); after the run one goes back to the old build and must refuse to run.
   */
  readonly upgrade?: boolean;
}

export const defaultSimClusterOptions: Omit<SimClusterOptions, 'seed'> = {
  steps: 3_000,
  nodes: 3,
  faults: true,
  admin: true,
  topicsMax: 2,
  settleMsMax: 30_000,
};

export function replayCommand(o: SimClusterOptions): string {
  return `npm run sim:cluster -- --seed ${o.seed} --steps ${o.steps} --nodes ${o.nodes}${o.faults ? '' : ' --no-faults'}${o.admin ? '' : ' --no-admin'}${o.churn === true ? ' --churn' : ''}${o.transactions === true ? ' --txn' : ''}${o.upgrade === true ? ' --upgrade' : ''}`;
}
