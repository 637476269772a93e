import type { MessageInitShape } from '@bufbuild/protobuf';
import { RaftlogError } from '../../../lib/index.js';
import type { MetadataView, PartitionView } from '../../../cluster/node/node-api.js';
import type {
  MetadataRequest,
  MetadataResponseSchema,
  TopicMetadataSchema,
} from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { validateTopicName } from '../../../cluster/controller/index.js';
import { errorDetail, leaderNotAvailable } from './error-detail.js';
import { int64 } from './proto-mapping.js';
import type { ServiceDeps } from './service-deps.js';

type Response = MessageInitShape<typeof MetadataResponseSchema>;
type TopicMetadataInit = MessageInitShape<typeof TopicMetadataSchema>;

/**
 * Metadata: a topic that cannot be described (bad name, missing) is reported in its own entry, so
 * one typo does not hide the rest of the answer. Entries follow the order of the request.
 */
export function metadata(deps: ServiceDeps, request: MetadataRequest): Response {
  const requested = [...new Set(request.topics)];
  if (requested.length > deps.limits.metadataTopicsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `Metadata may name at most ${deps.limits.metadataTopicsMax} topics, got ${requested.length}`,
    );
  }
  const valid = requested.filter((name) => validateTopicName(name) === undefined);
  const view = deps.api.metadata(valid);
  const described = new Map(view.topics.map((t) => [t.name, topicMetadata(t)]));
  const topics =
    requested.length === 0
      ? [...described.values()]
      : requested.map((name) => described.get(name) ?? invalidTopic(name));
  return {
    clusterId: view.clusterId,
    brokers: view.brokers.map((b) => ({ nodeId: b.nodeId, address: b.address, rack: '' })),
    controllerId: view.controllerId,
    topics,
  };
}

function topicMetadata(topic: MetadataView['topics'][number]): TopicMetadataInit {
  if ('missing' in topic) {
    const missing = new RaftlogError('TOPIC_NOT_FOUND', `topic '${topic.name}' does not exist`);
    return { name: topic.name, error: errorDetail(missing) };
  }
  return { name: topic.name, partitions: topic.partitionViews.map(partitionMetadata) };
}

function invalidTopic(name: string): TopicMetadataInit {
  const rejection = validateTopicName(name);
  const error = new RaftlogError(
    rejection?.code ?? 'TOPIC_NOT_FOUND',
    rejection?.message ?? `topic '${name}' does not exist`,
  );
  return { name, error: errorDetail(error) };
}

function partitionMetadata(p: PartitionView) {
  return {
    partition: p.partition,
    leaderId: p.leaderId,
    leaderTerm: int64(p.term),
    replicas: [...p.replicas],
    inSyncReplicas: [...p.inSync],
    ...(p.leaderId === 0 ? { error: errorDetail(leaderNotAvailable(p)) } : {}),
  };
}
