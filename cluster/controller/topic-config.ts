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

function checkBounded(key: keyof typeof topicConfigBounds, value: unknown, allowUnlimited: boolean) {
  const { min, max } = topicConfigBounds[key];
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    if (allowUnlimited && value === -1) return undefined;
    if (value >= min && value <= max) return undefined;
  }
  const unlimited = allowUnlimited ? ' or -1 (unlimited)' : '';
  return {
    code: 'INVALID_ARGUMENT',
    message: `${key} must be an integer in [${min}, ${max}]${unlimited}`,
  } as const;
}

/**
 * Merges `input` over `base` and checks every resulting value, so a config in the controller state
 * is always complete and within bounds.
 */
export function resolveTopicConfig(
  base: TopicConfig,
  input: TopicConfigInput,
): { config: TopicConfig } | { rejection: Rejection } {
  // Only known keys are taken, so a stray field in a decoded command never reaches the state.
  const config: TopicConfig = {
    retentionMs: input.retentionMs ?? base.retentionMs,
    retentionBytes: input.retentionBytes ?? base.retentionBytes,
    cleanupPolicy: input.cleanupPolicy ?? base.cleanupPolicy,
    maxMessageBytes: input.maxMessageBytes ?? base.maxMessageBytes,
    minInsyncReplicas: input.minInsyncReplicas ?? base.minInsyncReplicas,
    deleteRetentionMs: input.deleteRetentionMs ?? base.deleteRetentionMs,
    minCompactionLagMs: input.minCompactionLagMs ?? base.minCompactionLagMs,
  };
  const rejection =
    checkBounded('retentionMs', config.retentionMs, true) ??
    checkBounded('retentionBytes', config.retentionBytes, true) ??
    checkBounded('maxMessageBytes', config.maxMessageBytes, false) ??
    checkBounded('minInsyncReplicas', config.minInsyncReplicas, false) ??
    checkBounded('deleteRetentionMs', config.deleteRetentionMs, false) ??
    checkBounded('minCompactionLagMs', config.minCompactionLagMs, false) ??
    (cleanupPolicies.includes(config.cleanupPolicy)
      ? undefined
      : ({
          code: 'INVALID_ARGUMENT',
          message: `cleanupPolicy must be one of ${cleanupPolicies.map((c) => `'${c}'`).join(', ')}`,
        } as const));
  return rejection === undefined ? { config } : { rejection };
}
