export { runClusterSimulation, type SimClusterFailure, type SimClusterResult } from './cluster-simulation.js';
export { defaultSimClusterOptions, replayCommand, type SimClusterOptions } from './sim-cluster-options.js';
export type { SimClusterStats } from './sim-cluster-stats.js';
export { BrokerViolation } from './broker-violation.js';
export { formatClusterResult } from './format-result.js';
