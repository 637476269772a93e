export { startCluster, TestCluster, tsxLauncher, repoRoot, type ClusterOptions } from './test-cluster.js';
export { TestNode } from './test-node.js';
export { PartitionWriter, PartitionLedger, type AckedBatch, type WriterOptions } from './produce.js';
export { readPartition, fromDetail, type ReadRecord } from './fetch.js';
export { verifyPartition, type VerifySummary } from './verify.js';
export {
  waitForLeader,
  createTopic,
  clusterStatus,
  transferLeadership,
  waitInSync,
  type Leader,
} from './admin.js';
export { ClientPool, sleep, type ClusterAccess } from './rpc.js';
export { RawGroupMember, settleAll, type GroupMemberOptions, type TopicPartition } from './group-member.js';
export { killAllTracked } from './cleanup.js';
export { freePortRange } from './ports.js';
export { TcpProxy, ProxyMesh, type ProxyMode } from './tcp-proxy.js';
export { readTopicValues } from './read-values.js';
export { cliJson } from './cli.js';
export { WorkerProcess, until } from './worker-process.js';
