import type { MessageInitShape } from '@bufbuild/protobuf';
import { RaftlogError } from '../../../lib/index.js';
import {
  defaultTopicConfig,
  resolveTopicConfig,
  type CleanupPolicy as DomainCleanupPolicy,
  type TopicConfig as DomainTopicConfig,
  type TopicConfigInput,
} from '../../../cluster/controller/index.js';
import {
  CleanupPolicy,
  type TopicConfig,
  type TopicConfigSchema,
} from '../../../proto/gen/raftlog/v1/topic_pb.js';
import { safeFromInt64 } from './proto-mapping.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The set fields of a proto TopicConfig as a controller input, each checked against the controller's
 * bounds here so a bad value is refused before it costs a Raft round trip. `topic` is the topic the
 * config is for, as its dead-letter topic must be another one.
 */
export function topicConfigFromProto(config: TopicConfig | undefined, topic: string): TopicConfigInput {
  if (config === undefined) return {};
  const input: TopicConfigInput = { ...logSettingsFromProto(config), ...queueSettingsFromProto(config) };
  const resolved = resolveTopicConfig(defaultTopicConfig, input, topic);
  if ('rejection' in resolved) throw new RaftlogError(resolved.rejection.code, resolved.rejection.message);
  return input;
}

function logSettingsFromProto(config: TopicConfig): TopicConfigInput {
  const input: Mutable<TopicConfigInput> = {};
  if (config.retentionMs !== undefined) input.retentionMs = safeFromInt64(config.retentionMs, 'retention_ms');
  if (config.retentionBytes !== undefined) {
    input.retentionBytes = safeFromInt64(config.retentionBytes, 'retention_bytes');
  }
  if (config.maxMessageBytes !== undefined) input.maxMessageBytes = config.maxMessageBytes;
  if (config.minInsyncReplicas !== undefined) input.minInsyncReplicas = config.minInsyncReplicas;
  if (config.deleteRetentionMs !== undefined) {
    input.deleteRetentionMs = safeFromInt64(config.deleteRetentionMs, 'delete_retention_ms');
  }
  if (config.minCompactionLagMs !== undefined) {
    input.minCompactionLagMs = safeFromInt64(config.minCompactionLagMs, 'min_compaction_lag_ms');
  }
  const policy = cleanupPolicyFromProto(config.cleanupPolicy);
  if (policy !== undefined) input.cleanupPolicy = policy;
  return input;
}

function queueSettingsFromProto(config: TopicConfig): TopicConfigInput {
  const input: Mutable<TopicConfigInput> = {};
  if (config.queueVisibilityTimeoutMs !== undefined) {
    input.queueVisibilityTimeoutMs = config.queueVisibilityTimeoutMs;
  }
  if (config.queueMaxDeliveries !== undefined) input.queueMaxDeliveries = config.queueMaxDeliveries;
  if (config.queueDeadLetterTopic !== undefined) input.queueDeadLetterTopic = config.queueDeadLetterTopic;
  if (config.queueMessageTtlMs !== undefined) {
    input.queueMessageTtlMs = safeFromInt64(config.queueMessageTtlMs, 'queue_message_ttl_ms');
  }
  if (config.queueDeadLetterExpired !== undefined) {
    input.queueDeadLetterExpired = config.queueDeadLetterExpired;
  }
  if (config.queueOrderedByKey !== undefined) input.queueOrderedByKey = config.queueOrderedByKey;
  return input;
}

const policies: readonly (readonly [CleanupPolicy, DomainCleanupPolicy])[] = [
  [CleanupPolicy.DELETE, 'delete'],
  [CleanupPolicy.COMPACT, 'compact'],
  [CleanupPolicy.COMPACT_DELETE, 'compact,delete'],
];

function cleanupPolicyFromProto(policy: CleanupPolicy): DomainCleanupPolicy | undefined {
  if (policy === CleanupPolicy.UNSPECIFIED) return undefined;
  const found = policies.find(([wire]) => wire === policy);
  if (found === undefined) {
    throw new RaftlogError('INVALID_ARGUMENT', `unknown cleanup_policy value ${policy as number}`);
  }
  return found[1];
}

export function topicConfigToProto(config: DomainTopicConfig): MessageInitShape<typeof TopicConfigSchema> {
  return {
    retentionMs: BigInt(config.retentionMs),
    retentionBytes: BigInt(config.retentionBytes),
    cleanupPolicy:
      policies.find(([, domain]) => domain === config.cleanupPolicy)?.[0] ?? CleanupPolicy.DELETE,
    maxMessageBytes: config.maxMessageBytes,
    minInsyncReplicas: config.minInsyncReplicas,
    deleteRetentionMs: BigInt(config.deleteRetentionMs),
    minCompactionLagMs: BigInt(config.minCompactionLagMs),
    queueVisibilityTimeoutMs: config.queueVisibilityTimeoutMs,
    queueMaxDeliveries: config.queueMaxDeliveries,
    queueDeadLetterTopic: config.queueDeadLetterTopic,
    queueMessageTtlMs: BigInt(config.queueMessageTtlMs),
    queueDeadLetterExpired: config.queueDeadLetterExpired,
    queueOrderedByKey: config.queueOrderedByKey,
  };
}
