import { clusterResourceName, type AclOperation } from '../../../cluster/controller/index.js';
import type * as admin from '../../../proto/gen/raftlog/v1/admin_pb.js';
import type * as broker from '../../../proto/gen/raftlog/v1/broker_pb.js';
import type { Resource } from './acl-authorizer.js';

/** One permission a call needs. */
export interface Access {
  readonly operation: AclOperation;
  readonly resource: Resource;
}

/** What a method needs, judged from its request (each message of a client stream, for streams). */
export type AccessRule = (request: never) => readonly Access[];

/** A rule, or 'public' for calls anyone may make, or a rule with the requests anyone may make. */
export type MethodRule =
  AccessRule | 'public' | { readonly rule: AccessRule; readonly publicWhen: (request: never) => boolean };

const topic = (name: string, operation: AclOperation): Access => ({
  operation,
  resource: { type: 'topic', name },
});
export { topic as topicAccess };
const group = (name: string, operation: AclOperation): Access => ({
  operation,
  resource: { type: 'group', name },
});
const txnId = (name: string, operation: AclOperation): Access => ({
  operation,
  resource: { type: 'transactional-id', name },
});
const cluster = (operation: AclOperation): Access => ({
  operation,
  resource: { type: 'cluster', name: clusterResourceName },
});
/** One access per distinct topic, so a request naming a topic a thousand times is checked once. */
const topics = (names: readonly string[], operation: AclOperation): Access[] =>
  [...new Set(names)].map((name) => topic(name, operation));

const produceAccess = (r: broker.ProduceRequest): Access[] => [
  topic(r.topic, 'produce'),
  ...(r.transactionalId === '' ? [] : [txnId(r.transactionalId, 'produce')]),
];

/**
 * The permission of every client-facing method. Metadata and ListTopics need only an authenticated
 * caller: their answers are filtered to the topics it may describe (response-filters.ts), as Kafka's are.
 * Methods missing here need admin on the cluster.
 */
export const brokerAccess: Record<string, AccessRule> = {
  produce: produceAccess,
  produceStream: (r: broker.ProduceStreamRequest) =>
    r.produce === undefined ? [] : produceAccess(r.produce),
  produceRecords: (r: broker.ProduceRecordsRequest) => [topic(r.topic, 'produce')],
  fetch: (r: broker.FetchRequest) =>
    topics(
      r.partitions.map((p) => p.topic),
      'consume',
    ),
  fetchStream: (r: broker.FetchStreamRequest) =>
    topics(
      r.partitions.map((p) => p.topic),
      'consume',
    ),
  fetchRecords: (r: broker.FetchRecordsRequest) => [topic(r.topic, 'consume')],
  fetchRecordsStream: (r: broker.FetchRecordsStreamRequest) => [topic(r.topic, 'consume')],
  listOffsets: (r: broker.ListOffsetsRequest) =>
    topics(
      r.partitions.map((p) => p.topic),
      'describe',
    ),
  metadata: () => [],
  findCoordinator: (r: broker.FindCoordinatorRequest) => [
    Number(r.kind) === 2 ? txnId(r.key, 'describe') : group(r.key, 'describe'),
  ],
  initProducer: (r: broker.InitProducerRequest) =>
    r.transactionalId === '' ? [] : [txnId(r.transactionalId, 'produce')],
  addPartitionsToTxn: (r: broker.AddPartitionsToTxnRequest) => [
    txnId(r.transactionalId, 'produce'),
    ...topics(
      r.partitions.map((p) => p.topic),
      'produce',
    ),
  ],
  addOffsetsToTxn: (r: broker.AddOffsetsToTxnRequest) => [
    txnId(r.transactionalId, 'produce'),
    group(r.groupId, 'consume'),
  ],
  txnOffsetCommit: (r: broker.TxnOffsetCommitRequest) => [
    txnId(r.transactionalId, 'produce'),
    group(r.groupId, 'consume'),
    ...topics(
      r.offsets.map((o) => o.topic),
      'consume',
    ),
  ],
  endTxn: (r: broker.EndTxnRequest) => [txnId(r.transactionalId, 'produce')],
  joinGroup: (r: broker.JoinGroupRequest) => [group(r.groupId, 'consume'), ...topics(r.topics, 'describe')],
  syncGroup: (r: broker.SyncGroupRequest) => [group(r.groupId, 'consume')],
  heartbeat: (r: broker.HeartbeatRequest) => [group(r.groupId, 'consume')],
  leaveGroup: (r: broker.LeaveGroupRequest) => [group(r.groupId, 'consume')],
  commitOffsets: (r: broker.CommitOffsetsRequest) => [
    group(r.groupId, 'consume'),
    ...topics(
      r.offsets.map((o) => o.topic),
      'consume',
    ),
  ],
  fetchOffsets: (r: broker.FetchOffsetsRequest) => [group(r.groupId, 'describe')],
  // A queue group is a group: leasing and settling consume from it and from the topic.
  lease: (r: broker.LeaseRequest) => [group(r.queue, 'consume'), topic(r.topic, 'consume')],
  ack: (r: broker.AckRequest) => [
    ...settleAccess(r),
    ...(r.transactionalId === '' ? [] : [txnId(r.transactionalId, 'produce')]),
  ],
  nack: settleAccess,
  extendLease: settleAccess,
  queueStats: (r: broker.QueueStatsRequest) => [group(r.queue, 'describe'), topic(r.topic, 'describe')],
  // Deleting a queue group throws away its acks, so it takes what changing the topic's settings takes
  // (alter, as UpdateTopicConfig) besides consuming as the group.
  deleteQueueGroup: (r: broker.DeleteQueueGroupRequest) => [
    group(r.queue, 'consume'),
    topic(r.topic, 'alter'),
  ],
  // Groups the caller may not describe are left out of the answer (secure-service.ts).
  listQueueGroups: (r: broker.ListQueueGroupsRequest) => [topic(r.topic, 'describe')],
};

function settleAccess(r: { queue: string; leases: readonly broker.LeaseRef[] }): Access[] {
  return [
    group(r.queue, 'consume'),
    ...topics(
      r.leases.map((l) => l.topic),
      'consume',
    ),
  ];
}

export const adminAccess: Record<string, MethodRule> = {
  createTopic: (r: admin.CreateTopicRequest) => [topic(r.name, 'admin')],
  // Topic by topic, in the answer (item-authorization.ts).
  createTopics: () => [],
  deleteTopic: (r: admin.DeleteTopicRequest) => [topic(r.name, 'admin')],
  listTopics: () => [],
  describeTopic: (r: admin.DescribeTopicRequest) => [topic(r.name, 'describe')],
  updateTopicConfig: (r: admin.UpdateTopicConfigRequest) => [topic(r.name, 'alter')],
  createPartitions: (r: admin.CreatePartitionsRequest) => [topic(r.name, 'alter')],
  // A node starting with an empty directory asks its peers which cluster they form (cluster id and
  // controller progress, no partitions) before any user can exist: that much is public.
  clusterStatus: {
    rule: () => [cluster('describe')],
    publicWhen: (r: admin.ClusterStatusRequest) => r.omitPartitions,
  },
  transferLeadership: () => [cluster('admin')],
  addReplica: () => [cluster('admin')],
  removeReplica: () => [cluster('admin')],
  addNode: () => [cluster('admin')],
  removeNode: () => [cluster('admin')],
  listGroups: () => [cluster('describe')],
  describeGroups: (r: admin.DescribeGroupsRequest) => r.groupIds.map((g) => group(g, 'describe')),
  resetGroupOffsets: (r: admin.ResetGroupOffsetsRequest) => [
    group(r.groupId, 'alter'),
    topic(r.topic, 'describe'),
  ],
  listTransactions: () => [cluster('describe')],
  describeTransactions: (r: admin.DescribeTransactionsRequest) =>
    r.transactionalIds.map((t) => txnId(t, 'describe')),
};

/** Logging in needs no credentials; everything else about users, ACLs and quotas is the cluster's. */
export const securityAccess: Record<string, MethodRule> = {
  scramStart: 'public',
  scramFinish: 'public',
  whoAmI: () => [],
  upsertUser: () => [cluster('alter')],
  deleteUser: () => [cluster('alter')],
  listUsers: () => [cluster('describe')],
  addAcls: () => [cluster('alter')],
  removeAcls: () => [cluster('alter')],
  listAcls: () => [cluster('describe')],
  setQuota: () => [cluster('alter')],
  listQuotas: () => [cluster('describe')],
};

/** Names the first missing permission: "produce on topic 'orders'". */
export const describeAccess = (a: Access): string =>
  a.resource.type === 'cluster'
    ? `${a.operation} on the cluster`
    : `${a.operation} on ${a.resource.type} '${a.resource.name}'`;
