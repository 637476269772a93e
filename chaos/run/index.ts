export { runChaos, type ChaosOutcome } from './run-chaos.js';
export { scenarios, kindsOf, type ChaosOptions } from './chaos-options.js';
export { Progress } from './progress.js';
export { verdictOf, type Verdict } from './verdict.js';
