import { InvalidArgumentError } from 'commander';
import type { CleanupPolicyName, TopicSettings } from '../client/index.js';

/** The settings whose values are of type T. */
type SettingsOf<T> = {
  [K in keyof TopicSettings]-?: NonNullable<TopicSettings[K]> extends T ? K : never;
}[keyof TopicSettings];

export type TopicConfigValue = string | number | boolean;

/**
 * Topic settings under the names Kafka users already type, each with the client field it sets; the
 * queue settings, which Kafka lacks, follow the same dotted style.
 */
const integerKeys: ReadonlyMap<string, SettingsOf<number>> = new Map([
  ['retention.ms', 'retentionMs'],
  ['retention.bytes', 'retentionBytes'],
  ['max.message.bytes', 'maxMessageBytes'],
  ['min.insync.replicas', 'minInsyncReplicas'],
  ['delete.retention.ms', 'deleteRetentionMs'],
  ['min.compaction.lag.ms', 'minCompactionLagMs'],
  ['queue.visibility.timeout.ms', 'queueVisibilityTimeoutMs'],
  ['queue.max.deliveries', 'queueMaxDeliveries'],
  ['queue.message.ttl.ms', 'queueMessageTtlMs'],
]);
const booleanKeys: ReadonlyMap<string, SettingsOf<boolean>> = new Map([
  ['queue.dead.letter.expired', 'queueDeadLetterExpired'],
  ['queue.ordered.by.key', 'queueOrderedByKey'],
]);
// An empty value clears the dead-letter topic, so dead letters are dropped again.
const stringKeys: ReadonlyMap<string, SettingsOf<string>> = new Map([
  ['queue.dead.letter.topic', 'queueDeadLetterTopic'],
]);
const cleanupPolicyKey = 'cleanup.policy';
const knownKeys = [
  cleanupPolicyKey,
  ...integerKeys.keys(),
  ...booleanKeys.keys(),
  ...stringKeys.keys(),
].sort();

/**
 * Collects repeated `--config KEY=VALUE` options into topic settings. Only the form is checked here;
 * the node checks each value's bounds and names the setting when one is out of them.
 */
export function collectTopicConfig(value: string, previous: TopicSettings = {}): TopicSettings {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  const key = value.slice(0, eq).trim();
  const raw = value.slice(eq + 1).trim();
  return { ...previous, ...parseSetting(key, raw) };
}

function parseSetting(key: string, raw: string): TopicSettings {
  if (key === cleanupPolicyKey) return { cleanupPolicy: cleanupPolicy(raw) };
  const integerField = integerKeys.get(key);
  if (integerField !== undefined) return { [integerField]: integer(key, raw) };
  const booleanField = booleanKeys.get(key);
  if (booleanField !== undefined) return { [booleanField]: boolean(key, raw) };
  const stringField = stringKeys.get(key);
  if (stringField !== undefined) return { [stringField]: raw };
  throw new InvalidArgumentError(`unknown topic setting "${key}"; known: ${knownKeys.join(', ')}`);
}

function integer(key: string, raw: string): number {
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new InvalidArgumentError(`${key} must be an integer, got "${raw}"`);
  }
  return Number(raw);
}

function boolean(key: string, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new InvalidArgumentError(`${key} must be true or false, got "${raw}"`);
}

function cleanupPolicy(raw: string): CleanupPolicyName {
  const parts = new Set(raw.split(',').map((p) => p.trim()));
  const only = (...names: string[]) => parts.size === names.length && names.every((n) => parts.has(n));
  if (only('delete')) return 'delete';
  if (only('compact')) return 'compact';
  if (only('compact', 'delete')) return 'compact,delete';
  throw new InvalidArgumentError(`cleanup.policy must be delete, compact or compact,delete, got "${raw}"`);
}

/** The settings under the names `--config` takes, for `topic describe` and `topic alter` output. */
export function kafkaTopicConfig(settings: TopicSettings): Record<string, TopicConfigValue> {
  const out: Record<string, TopicConfigValue> = {};
  if (settings.cleanupPolicy !== undefined) out[cleanupPolicyKey] = settings.cleanupPolicy;
  for (const keys of [integerKeys, booleanKeys, stringKeys]) {
    for (const [key, field] of keys) {
      const v = settings[field];
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}
