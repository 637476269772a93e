import type { TopicDetails } from '../client/index.js';
import { kafkaTopicConfig } from './topic-config-option.js';

export const configHelp =
  'a topic setting KEY=VALUE, Kafka names (retention.ms, cleanup.policy…) and queue.* settings; repeatable';

/** The topic as JSON, its settings under the names `--config` takes. */
export function withKafkaConfig(
  t: TopicDetails,
): Omit<TopicDetails, 'config'> & { config: Record<string, unknown> } {
  return { ...t, config: kafkaTopicConfig(t.config) };
}
