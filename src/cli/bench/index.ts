export {
  registerWorkloadBenches,
  describeResult,
  sweepTable,
  type WorkloadFlags,
} from './workload-commands.js';
export { registerSideBySide, runSideBySideCommand, type SideBySideFlags } from './side-by-side-command.js';
export {
  createTopicRetrying,
  ensureTopic,
  RaftlogTarget,
  type RaftlogTargetOptions,
} from './raftlog-target.js';
export { progressBar } from './progress-bar.js';
export { runOpenLoop, type OpenLoopOptions, type OpenLoopOutcome, type OpenLoopResult } from './open-loop.js';
export { LatencyTimeline, type TimelinePoint } from './latency-timeline.js';
export { writePlot, renderSvg, renderHtml, type PlotPanel } from './plot-writer.js';
export { formatTable, latencyColumns, formatMs, formatCount, type Column } from './percentile-table.js';
export {
  runSideBySide,
  sideBySideTable,
  sideBySideJson,
  spreadOf,
  type TargetReport,
  type TargetRun,
} from './side-by-side.js';
export { realBenchTime, type BenchTime } from './bench-time.js';
export { parseExposition, sumOf, type Sample } from './exposition.js';
export type { BenchTarget, BenchSender, BenchSubscription } from './bench-target.js';
