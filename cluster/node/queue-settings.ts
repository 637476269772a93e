import type { TopicConfig } from '../controller/index.js';

/** A topic's queue settings as the leader needs them to plan leases (from the topic's config). */
export interface QueueSettings {
  readonly visibilityTimeoutMs: number;
  /** 0: never dead-letter. */
  readonly maxDeliveries: number;
  /** '': messages past max deliveries (or expired) are dropped. */
  readonly deadLetterTopic: string;
  /** 0: messages never expire. */
  readonly messageTtlMs: number;
  readonly deadLetterExpired: boolean;
  readonly orderedByKey: boolean;
}

/** The record header that delays a message: decimal ms since the Unix epoch. */
export const deliverAtHeader = 'raftlog-deliver-at-ms';

export function queueSettingsOf(config: TopicConfig): QueueSettings {
  return {
    visibilityTimeoutMs: config.queueVisibilityTimeoutMs,
    maxDeliveries: config.queueMaxDeliveries,
    deadLetterTopic: config.queueDeadLetterTopic,
    messageTtlMs: config.queueMessageTtlMs,
    deadLetterExpired: config.queueDeadLetterExpired,
    orderedByKey: config.queueOrderedByKey,
  };
}
