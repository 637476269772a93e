import { InvalidArgumentError } from 'commander';
import type { CleanupPolicyName, TopicSettings } from '../client/index.js';

type IntegerSetting = Exclude<keyof TopicSettings, 'cleanupPolicy'>;

/** Topic settings under the names Kafka users already type, each with the client field it sets. */
const integerKeys: ReadonlyMap<string, IntegerSetting> = new Map([
  ['retention.ms', 'retentionMs'],
  ['retention.bytes', 'retentionBytes'],
  ['max.message.bytes', 'maxMessageBytes'],
  ['min.insync.replicas', 'minInsyncReplicas'],
  ['delete.retention.ms', 'deleteRetentionMs'],
  ['min.compaction.lag.ms', 'minCompactionLagMs'],
]);
const cleanupPolicyKey = 'cleanup.policy';
const knownKeys = [cleanupPolicyKey, ...integerKeys.keys()].sort();

/**
 * Collects repeated `--config KEY=VALUE` options into topic settings. Only the form is checked here;
 * the node checks each value's bounds and names the setting when one is out of them.
 */
export function collectTopicConfig(value: string, previous: TopicSettings = {}): TopicSettings {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  const key = value.slice(0, eq).trim();
  const raw = value.slice(eq + 1).trim();
  if (key === cleanupPolicyKey) return { ...previous, cleanupPolicy: cleanupPolicy(raw) };
  const field = integerKeys.get(key);
  if (field === undefined) {
    throw new InvalidArgumentError(`unknown topic setting "${key}"; known: ${knownKeys.join(', ')}`);
  }
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new InvalidArgumentError(`${key} must be an integer, got "${raw}"`);
  }
  return { ...previous, [field]: Number(raw) };
}

function cleanupPolicy(raw: string): CleanupPolicyName {
  const parts = new Set(raw.split(',').map((p) => p.trim()));
  const only = (...names: string[]) => parts.size === names.length && names.every((n) => parts.has(n));
  if (only('delete')) return 'delete';
  if (only('compact')) return 'compact';
  if (only('compact', 'delete')) return 'compact,delete';
  throw new InvalidArgumentError(`cleanup.policy must be delete, compact or compact,delete, got "${raw}"`);
}

/** The settings under their Kafka names, for `topic describe` and `topic alter` output. */
export function kafkaTopicConfig(settings: TopicSettings): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (settings.cleanupPolicy !== undefined) out[cleanupPolicyKey] = settings.cleanupPolicy;
  for (const [key, field] of integerKeys) {
    const v = settings[field];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
