export { Nemesis } from './nemesis.js';
export type { NemesisContext } from './nemesis-context.js';
export { planFaults, allFaultKinds, type PlannedFault } from './fault-plan.js';
export { cutFor, partitionShapes, type PartitionShape, type Cut } from './partition-shapes.js';
