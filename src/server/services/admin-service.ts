import { RaftlogError } from '../../../lib/index.js';
import { controllerLimits } from '../../../cluster/controller/index.js';
import type { ServiceImpl } from '../../../rpc/index.js';
import type { AdminService } from '../../../proto/gen/raftlog/v1/admin_pb.js';
import {
  type CreateTopicRequest,
  type CreateTopicsRequest,
  type TransferLeadershipRequest,
} from '../../../proto/gen/raftlog/v1/admin_pb.js';
import { errorDetail } from './error-detail.js';
import { clusterStatus, partitionMove, topicDescription } from './admin-mapping.js';
import { groupAdminHandlers } from './group-admin.js';
import type { ServiceDeps } from './service-deps.js';
import { adminTxnHandlers } from './txn-handlers.js';
import { topicConfigFromProto, topicConfigToProto } from './topic-config-mapping.js';
import { checkAddress, checkCount, checkNodeId, checkTopicName } from './validate-request.js';

const internalTopicPrefix = '__';

/** AdminService over the node's controller operations. */
export function adminService(deps: ServiceDeps): ServiceImpl<typeof AdminService> {
  const { api } = deps;
  return {
    ...groupAdminHandlers(deps),
    ...adminTxnHandlers(deps),
    createTopic: async (request) => ({
      topic: topicDescription(await api.createTopic(createTopicInput(request))),
    }),
    createTopics: async (request) => ({ results: await createTopics(api, request) }),
    deleteTopic: async (request) => {
      await api.deleteTopic(checkTopicName(request.name));
      return {};
    },
    listTopics: (request) => {
      const topics = api
        .listTopics()
        .filter((t) => request.includeInternal || !t.name.startsWith(internalTopicPrefix))
        .map((t) => ({ name: t.name, partitions: t.partitions, replicationFactor: t.replicationFactor }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return Promise.resolve({ topics });
    },
    describeTopic: (request) =>
      Promise.resolve({ topic: topicDescription(api.describeTopic(checkTopicName(request.name))) }),
    updateTopicConfig: async (request) => {
      const name = checkTopicName(request.name);
      if (request.config === undefined) throw new RaftlogError('INVALID_ARGUMENT', 'config is required');
      const config = await api.updateTopicConfig(name, topicConfigFromProto(request.config, name));
      return { config: topicConfigToProto(config) };
    },
    createPartitions: async (request) => {
      const name = checkTopicName(request.name);
      await api.createPartitions(
        name,
        checkCount(request.partitions, 'partitions', controllerLimits.partitionsPerTopicMax),
      );
      return {};
    },
    clusterStatus: (request) =>
      Promise.resolve(
        clusterStatus(api.clusterStatus({ omitPartitions: request.omitPartitions }), {
          nodeId: api.nodeId,
          metricsUrl: deps.metricsUrl ?? '',
        }),
      ),
    transferLeadership: async (request) => {
      const moved = await api.transferLeadership(transferInput(request));
      return { leaderId: moved.leaderId, term: BigInt(moved.term) };
    },
    addReplica: async (request) => {
      await api.addReplica(
        checkTopicName(request.topic),
        request.partition,
        checkNodeId(request.nodeId, 'node_id'),
      );
      return {};
    },
    removeReplica: async (request) => {
      await api.removeReplica(
        checkTopicName(request.topic),
        request.partition,
        checkNodeId(request.nodeId, 'node_id'),
      );
      return {};
    },
    addNode: async (request) => {
      const peerAddress = request.peerAddress === '' ? undefined : checkAddress(request.peerAddress);
      await api.registerNode(
        checkNodeId(request.nodeId, 'node_id'),
        checkAddress(request.address),
        peerAddress,
      );
      return {};
    },
    removeNode: async (request) => api.removeNode(checkNodeId(request.nodeId, 'node_id')),
    reassignPartition: async (request) => {
      const replicas = request.replicas.map((id, i) => checkNodeId(id, `replicas[${i}]`));
      checkCount(replicas.length, 'replicas', controllerLimits.replicationFactorMax);
      await api.reassignPartition(checkTopicName(request.topic), request.partition, replicas);
      return {};
    },
    rebalancePartitions: async (request) => {
      const moves = await api.rebalancePartitions({ dryRun: request.dryRun, movesMax: request.movesMax });
      return { moves: moves.map(partitionMove) };
    },
  };
}

type CreateTopicInput = ReturnType<typeof createTopicInput>;

function createTopicInput(request: CreateTopicRequest) {
  const { partitionsPerTopicMax, replicationFactorMax } = controllerLimits;
  if (request.replicationFactor > replicationFactorMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `replication_factor must be at most ${replicationFactorMax}, got ${request.replicationFactor}`,
    );
  }
  const name = checkTopicName(request.name);
  return {
    name,
    partitions: checkCount(request.partitions, 'partitions', partitionsPerTopicMax),
    replicationFactor: request.replicationFactor,
    config: topicConfigFromProto(request.config, name),
    validateOnly: request.validateOnly,
  };
}

/**
 * Entries that fail the request checks get their error without reaching the controller; the others
 * go in one controller command. Results keep the request order.
 */
async function createTopics(api: ServiceDeps['api'], request: CreateTopicsRequest) {
  const { topicsPerBatchMax } = controllerLimits;
  checkCount(request.topics.length, 'topics', topicsPerBatchMax);
  const checked = request.topics.map((entry) => {
    try {
      return createTopicInput(entry);
    } catch (error) {
      if (!(error instanceof RaftlogError)) throw error;
      return error;
    }
  });
  const inputs = checked.filter((c): c is CreateTopicInput => !(c instanceof RaftlogError));
  const created = inputs.length === 0 ? [] : await api.createTopics(inputs, request.validateOnly);
  let next = 0;
  return checked.map((c, i) => {
    const outcome =
      c instanceof RaftlogError ? { name: request.topics[i]?.name ?? '', error: c } : created[next++];
    if (outcome === undefined) throw new RaftlogError('INTERNAL', 'create-topics answered fewer results');
    return 'error' in outcome
      ? { name: outcome.name, error: errorDetail(outcome.error) }
      : { name: outcome.name, topic: topicDescription(outcome.topic) };
  });
}

function transferInput(request: TransferLeadershipRequest) {
  const targetNodeId = request.targetNodeId === 0 ? 0 : checkNodeId(request.targetNodeId, 'target_node_id');
  if (request.controller) {
    if (request.topic !== '' || request.partition !== 0) {
      throw new RaftlogError('INVALID_ARGUMENT', 'a controller transfer names no topic or partition');
    }
    return { topic: '', partition: 0, controller: true, targetNodeId } as const;
  }
  return {
    topic: checkTopicName(request.topic),
    partition: request.partition,
    controller: false,
    targetNodeId,
  } as const;
}
