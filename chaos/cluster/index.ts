export { ChaosCluster, type ChaosClusterOptions } from './chaos-cluster.js';
export { ChaosNode } from './chaos-node.js';
export type { ClusterUnderTest, NodeProcesses, NodeUnderTest } from './cluster-under-test.js';
export { ExternalCluster, type ExternalClusterOptions } from './external-cluster.js';
export { readLinksFile, type LinkProxySpec } from './links-file.js';
export { LinkProxies, clientId, linkName, linkOfName, type Link, type CutDirection } from './link-proxies.js';
export { freePort, freePortRange } from './free-port.js';
