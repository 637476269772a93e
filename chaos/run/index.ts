export { runChaos, type ChaosOutcome } from './run-chaos.js';
export {
  scenarios,
  kindsOf,
  externalFaultKinds,
  workloadNames,
  type WorkloadName,
  type ChaosOptions,
  type ExternalTarget,
} from './chaos-options.js';
export { Progress } from './progress.js';
export { verdictOf, type Verdict } from './verdict.js';
