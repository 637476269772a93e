export { ClusterNode, type ClusterNodeOptions } from './cluster-node.js';
export { PeerClients, type PeerCalls } from './peer-clients.js';
export type * from './node-api.js';
export { replicaReadHeader } from './node-api.js';
export type * from './group-api.js';
export type { NodeClock } from './node-clock.js';
export type {
  MarkerRequest,
  PartitionOutcome,
  TransactionsApi,
  TxnOffsetCommitInput,
  TxnView,
} from './txn-api.js';
export type { PartitionGauges } from './node-gauges.js';
export type { VoteGateState } from './vote-gate.js';
export type { RaftEventCounts } from '../host/index.js';
export type * from './queue-api.js';
