// One picker for the harness and the chaos cluster, so neither hands out a port the other holds.
export { freePortRange } from '../../../chaos/cluster/index.js';
