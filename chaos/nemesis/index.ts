export { Nemesis, type NemesisContext } from './nemesis.js';
export { planFaults, allFaultKinds, type PlannedFault } from './fault-plan.js';
export { cutFor, partitionShapes, type PartitionShape, type Cut } from './partition-shapes.js';
