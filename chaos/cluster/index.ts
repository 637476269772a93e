export { ChaosCluster, type ChaosClusterOptions } from './chaos-cluster.js';
export { ChaosNode } from './chaos-node.js';
export { LinkProxies, clientId, linkName, type Link, type CutDirection } from './link-proxies.js';
