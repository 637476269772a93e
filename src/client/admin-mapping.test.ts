import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { CleanupPolicy, TopicConfigSchema } from '../../proto/gen/raftlog/v1/topic_pb.js';
import { toTopicSettings, toWireTopicConfig, type TopicSettings } from './admin-mapping.js';

describe('topic settings mapping', () => {
  it('round-trips every setting, the queue ones included, through the wire form', () => {
    const settings: TopicSettings = {
      retentionMs: 60_000,
      retentionBytes: -1,
      cleanupPolicy: 'compact,delete',
      maxMessageBytes: 2048,
      minInsyncReplicas: 2,
      deleteRetentionMs: 0,
      minCompactionLagMs: 5,
      queueVisibilityTimeoutMs: 5_000,
      queueMaxDeliveries: 4,
      queueDeadLetterTopic: 'jobs.dlq',
      queueMessageTtlMs: 3_600_000,
      queueDeadLetterExpired: false,
      queueOrderedByKey: true,
    };
    const wire = create(TopicConfigSchema, toWireTopicConfig(settings));
    expect(wire).toMatchObject({ queueMessageTtlMs: 3_600_000n, queueDeadLetterExpired: false });
    expect(toTopicSettings(wire)).toEqual(settings);
  });

  it('leaves unset settings out, so an alter changes only what it names', () => {
    const wire = create(TopicConfigSchema, toWireTopicConfig({ queueOrderedByKey: false }));
    expect(wire.queueDeadLetterTopic).toBeUndefined();
    expect(wire.cleanupPolicy).toBe(CleanupPolicy.UNSPECIFIED);
    expect(toTopicSettings(wire)).toEqual({ queueOrderedByKey: false });
  });
});
