export { ClusterNode, type ClusterNodeOptions } from './cluster-node.js';
export type * from './node-api.js';
export { replicaReadHeader } from './node-api.js';
export type * from './group-api.js';
