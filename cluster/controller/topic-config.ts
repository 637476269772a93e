import type { ErrorCode } from '../../lib/index.js';

/** 'compact,delete' compacts by key and also drops data past the retention limits, as in Kafka. */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';

export const cleanupPolicies: readonly CleanupPolicy[] = ['delete', 'compact', 'compact,delete'];

export interface TopicConfig {
  /** How long a batch is kept after its max timestamp; -1 keeps it forever. */
  readonly retentionMs: number;
  /** Bytes kept per partition before the oldest batches go; -1 means no size limit. */
  readonly retentionBytes: number;
  readonly cleanupPolicy: CleanupPolicy;
  /** The largest RecordBatch a producer may send to this topic, header included. */
  readonly maxMessageBytes: number;
  /**
   * In-sync replicas an acks=quorum write needs before it is even proposed (NOT_ENOUGH_REPLICAS
   * otherwise), as Kafka's min.insync.replicas. Raft's majority stays the floor of durability.
   */
  readonly minInsyncReplicas: number;
  /** How long a tombstone of a compacted topic stays readable after compaction reaches it. */
  readonly deleteRetentionMs: number;
  /** The youngest a record may be (by append time) and still be compacted away. */
  readonly minCompactionLagMs: number;
  /** How long a queue lease lasts when the consumer asks for no timeout of its own. */
  readonly queueVisibilityTimeoutMs: number;
  /** Deliveries after which a queued message is dead-lettered; 0 redelivers it forever. */
  readonly queueMaxDeliveries: number;
  /**
   * Where dead-lettered messages go; '' drops them. It may name a topic that does not exist yet, so
   * the two can be created in either order.
   */
  readonly queueDeadLetterTopic: string;
  /** A queued message older than this (by its record timestamp) is never leased again; 0: it never expires. */
  readonly queueMessageTtlMs: number;
  /** Expired messages go to the dead-letter topic (when one is set) instead of being dropped. */
  readonly queueDeadLetterExpired: boolean;
  /** No message is leased while an earlier one with the same key is leased or waiting. */
  readonly queueOrderedByKey: boolean;
}

/** What a create or alter request may set; anything left out keeps the default (or current) value. */
export type TopicConfigInput = { readonly [K in keyof TopicConfig]?: TopicConfig[K] };

export const defaultTopicConfig: TopicConfig = {
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  cleanupPolicy: 'delete',
  maxMessageBytes: 1024 * 1024,
  minInsyncReplicas: 1,
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  minCompactionLagMs: 0,
  queueVisibilityTimeoutMs: 30_000,
  queueMaxDeliveries: 0,
  queueDeadLetterTopic: '',
  queueMessageTtlMs: 0,
  queueDeadLetterExpired: false,
  queueOrderedByKey: false,
};

/** Bounds of each setting; -1 ("unlimited") is accepted besides them where noted above. */
export const topicConfigBounds = {
  retentionMs: { min: 1_000, max: 100 * 365 * 24 * 60 * 60 * 1000 },
  retentionBytes: { min: 1024, max: 2 ** 50 },
  // The upper bound is the RecordBatch format's own batchBytesMax.
  maxMessageBytes: { min: 1024, max: 8 * 1024 * 1024 },
  // A topic's replication factor is at most the cluster's size; a larger value refuses every write.
  minInsyncReplicas: { min: 1, max: 64 },
  deleteRetentionMs: { min: 0, max: 100 * 365 * 24 * 60 * 60 * 1000 },
  minCompactionLagMs: { min: 0, max: 100 * 365 * 24 * 60 * 60 * 1000 },
  queueVisibilityTimeoutMs: { min: 1_000, max: 12 * 60 * 60 * 1000 },
  queueMaxDeliveries: { min: 0, max: 1000 },
  queueMessageTtlMs: { min: 0, max: 100 * 365 * 24 * 60 * 60 * 1000 },
} as const;

export const topicNameCharsMax = 249;
const topicNamePattern = /^[a-zA-Z0-9._-]+$/;

export interface Rejection {
  readonly code: ErrorCode;
  readonly message: string;
}

export function validateTopicName(name: unknown): Rejection | undefined {
  if (typeof name !== 'string' || name.length === 0) {
    return { code: 'INVALID_TOPIC_NAME', message: 'topic name must be a non-empty string' };
  }
  if (name.length > topicNameCharsMax) {
    return {
      code: 'INVALID_TOPIC_NAME',
      message: `topic name has ${name.length} characters, at most ${topicNameCharsMax} allowed`,
    };
  }
  if (name === '.' || name === '..') {
    return { code: 'INVALID_TOPIC_NAME', message: `topic name may not be '${name}'` };
  }
  if (!topicNamePattern.test(name)) {
    return {
      code: 'INVALID_TOPIC_NAME',
      message: `topic name '${name}' may contain only ASCII letters, digits, '.', '_' and '-'`,
    };
  }
  return undefined;
}

/**
 * A setting as users name it: the dotted Kafka-style name the CLI and README use, then the proto
 * field (retentionMs: "retention.ms (retention_ms)").
 */
export function settingLabel(key: keyof TopicConfig): string {
  const words = key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`).split(' ');
  return `${words.join('.')} (${words.join('_')})`;
}

function checkBounded(key: keyof typeof topicConfigBounds, value: unknown, allowUnlimited: boolean) {
  const { min, max } = topicConfigBounds[key];
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    if (allowUnlimited && value === -1) return undefined;
    if (value >= min && value <= max) return undefined;
  }
  const unlimited = allowUnlimited ? ' or -1 (unlimited)' : '';
  return {
    code: 'INVALID_ARGUMENT',
    message: `${settingLabel(key)} must be an integer in [${min}, ${max}]${unlimited}`,
  } as const;
}

function checkBoolean(key: 'queueDeadLetterExpired' | 'queueOrderedByKey', value: unknown) {
  return typeof value === 'boolean'
    ? undefined
    : ({ code: 'INVALID_ARGUMENT', message: `${settingLabel(key)} must be true or false` } as const);
}

function checkCleanupPolicy(policy: unknown) {
  if (cleanupPolicies.some((c) => c === policy)) return undefined;
  return {
    code: 'INVALID_ARGUMENT',
    message: `${settingLabel('cleanupPolicy')} must be one of ${cleanupPolicies.map((c) => `'${c}'`).join(', ')}`,
  } as const;
}

/** A topic that dead-lettered into itself would lease its dead letters again, forever. */
function checkDeadLetterTopic(deadLetterTopic: unknown, topic: string): Rejection | undefined {
  if (deadLetterTopic === '') return undefined;
  const invalid = validateTopicName(deadLetterTopic);
  if (invalid !== undefined) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `${settingLabel('queueDeadLetterTopic')}: ${invalid.message}`,
    };
  }
  if (deadLetterTopic === topic) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `${settingLabel('queueDeadLetterTopic')} may not be the topic itself ('${topic}')`,
    };
  }
  return undefined;
}

// Only known keys are taken, so a stray field in a decoded command never reaches the state.
function mergeTopicConfig(base: TopicConfig, input: TopicConfigInput): TopicConfig {
  return {
    retentionMs: input.retentionMs ?? base.retentionMs,
    retentionBytes: input.retentionBytes ?? base.retentionBytes,
    cleanupPolicy: input.cleanupPolicy ?? base.cleanupPolicy,
    maxMessageBytes: input.maxMessageBytes ?? base.maxMessageBytes,
    minInsyncReplicas: input.minInsyncReplicas ?? base.minInsyncReplicas,
    deleteRetentionMs: input.deleteRetentionMs ?? base.deleteRetentionMs,
    minCompactionLagMs: input.minCompactionLagMs ?? base.minCompactionLagMs,
    queueVisibilityTimeoutMs: input.queueVisibilityTimeoutMs ?? base.queueVisibilityTimeoutMs,
    queueMaxDeliveries: input.queueMaxDeliveries ?? base.queueMaxDeliveries,
    queueDeadLetterTopic: input.queueDeadLetterTopic ?? base.queueDeadLetterTopic,
    queueMessageTtlMs: input.queueMessageTtlMs ?? base.queueMessageTtlMs,
    queueDeadLetterExpired: input.queueDeadLetterExpired ?? base.queueDeadLetterExpired,
    queueOrderedByKey: input.queueOrderedByKey ?? base.queueOrderedByKey,
  };
}

function checkTopicConfig(config: TopicConfig, topic: string): Rejection | undefined {
  return (
    checkBounded('retentionMs', config.retentionMs, true) ??
    checkBounded('retentionBytes', config.retentionBytes, true) ??
    checkBounded('maxMessageBytes', config.maxMessageBytes, false) ??
    checkBounded('minInsyncReplicas', config.minInsyncReplicas, false) ??
    checkBounded('deleteRetentionMs', config.deleteRetentionMs, false) ??
    checkBounded('minCompactionLagMs', config.minCompactionLagMs, false) ??
    checkBounded('queueVisibilityTimeoutMs', config.queueVisibilityTimeoutMs, false) ??
    checkBounded('queueMaxDeliveries', config.queueMaxDeliveries, false) ??
    checkBounded('queueMessageTtlMs', config.queueMessageTtlMs, false) ??
    checkBoolean('queueDeadLetterExpired', config.queueDeadLetterExpired) ??
    checkBoolean('queueOrderedByKey', config.queueOrderedByKey) ??
    checkDeadLetterTopic(config.queueDeadLetterTopic, topic) ??
    checkCleanupPolicy(config.cleanupPolicy)
  );
}

/**
 * Merges `input` over `base` and checks every resulting value, so a config in the controller state
 * is always complete and within bounds. `topic` is the topic the config is for: its dead-letter
 * topic must be another one.
 */
export function resolveTopicConfig(
  base: TopicConfig,
  input: TopicConfigInput,
  topic: string,
): { config: TopicConfig } | { rejection: Rejection } {
  const config = mergeTopicConfig(base, input);
  const rejection = checkTopicConfig(config, topic);
  return rejection === undefined ? { config } : { rejection };
}
