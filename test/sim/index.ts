export {
  runSimulation,
  SimFailure,
  settleLeaderTicksMax,
  type SimResult,
  type NodeSummary,
} from './simulation.js';
export {
  defaultOptions,
  replayCommand,
  allFeatures,
  featureNames,
  type SimOptions,
  type SimFeatures,
} from './sim-options.js';
export { InvariantViolation } from './invariant-violation.js';
export { ElectionSafetyChecker } from './election-safety-checker.js';
export { LogMatchingChecker } from './log-matching-checker.js';
export { CommittedLogChecker } from './committed-log-checker.js';
export { StateMachineChecker } from './state-machine-checker.js';
export { AckChecker } from './ack-checker.js';
export { formatSummary } from './summary.js';
