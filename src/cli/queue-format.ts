import {
  partitionsByGroup,
  type QueueGroupDeletion,
  type QueueMessage,
  type QueuePartitionGroups,
  type QueuePartitionStats,
  type ReceiptOutcome,
} from '../client/index.js';
import { asText, table } from './output-format.js';

/** `--json`: key and value as UTF-8 text, as `consume --json` prints them; else the value alone. */
export function formatQueueMessage(m: QueueMessage, json: boolean): string {
  if (!json) return asText(m.value) ?? '';
  return JSON.stringify({
    partition: m.partition,
    offset: m.offset,
    key: asText(m.key),
    value: asText(m.value),
    deliveryCount: m.deliveryCount,
    receipt: m.receipt,
  });
}

/** `--json`: {"receipt","ok"[,"leaseExpiresAtMs"][,"error":{"code","message"}]}; else `RECEIPT ok|CODE: message`. */
export function formatOutcome(o: ReceiptOutcome, json: boolean, withExpiry: boolean): string {
  if (json) {
    return JSON.stringify(
      o.ok
        ? { receipt: o.receipt, ok: true, ...(withExpiry ? { leaseExpiresAtMs: o.leaseExpiresAtMs } : {}) }
        : { receipt: o.receipt, ok: false, error: { code: o.error.code, message: o.error.message } },
    );
  }
  if (!o.ok) return `${o.receipt} ${o.error.code}: ${o.error.message}`;
  return withExpiry
    ? `${o.receipt} ok, until ${new Date(o.leaseExpiresAtMs).toISOString()}`
    : `${o.receipt} ok`;
}

export interface QueueTotals {
  readonly depth: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly oldestAgeMs: number;
  readonly deadLettered: number;
}

export function totals(stats: readonly QueuePartitionStats[]): QueueTotals {
  const sum = (f: (s: QueuePartitionStats) => number): number => stats.reduce((n, s) => n + f(s), 0);
  return {
    depth: sum((s) => s.depth),
    inFlight: sum((s) => s.inFlight),
    delayed: sum((s) => s.delayed),
    oldestAgeMs: Math.max(0, ...stats.map((s) => s.oldestAgeMs)),
    deadLettered: sum((s) => s.deadLettered),
  };
}

export function statsJson(topic: string, queue: string, stats: readonly QueuePartitionStats[]): string {
  return JSON.stringify({ topic, queue, partitions: stats, total: totals(stats) });
}

export function statsTable(stats: readonly QueuePartitionStats[]): string[] {
  const row = (name: string, s: QueueTotals): string[] => [
    name,
    String(s.depth),
    String(s.inFlight),
    String(s.delayed),
    String(s.oldestAgeMs),
    String(s.deadLettered),
  ];
  return table(
    ['PARTITION', 'DEPTH', 'IN-FLIGHT', 'DELAYED', 'OLDEST-AGE-MS', 'DEAD-LETTERED'],
    [...stats.map((s) => row(String(s.partition), s)), row('total', totals(stats))],
  );
}

export function deletionJson(topic: string, queue: string, deletions: readonly QueueGroupDeletion[]): string {
  return JSON.stringify({
    topic,
    queue,
    deleted: deletions.filter((d) => d.ok).length,
    partitions: deletions,
  });
}

/** One line per partition where the group was not deleted, then the count. */
export function deletionLines(
  topic: string,
  queue: string,
  deletions: readonly QueueGroupDeletion[],
): string[] {
  const lines = deletions
    .filter((d) => !d.ok)
    .map((d) =>
      d.code === 'QUEUE_GROUP_NOT_FOUND'
        ? `partition ${d.partition}: no queue group ${queue}`
        : `partition ${d.partition}: ${d.code ?? 'failed'}: ${d.message ?? ''}`,
    );
  const deleted = deletions.filter((d) => d.ok).length;
  return [
    ...lines,
    `deleted queue group ${queue} of ${topic} on ${deleted} of ${deletions.length} partitions`,
  ];
}

/** `{topic, groups: [{queue, partitions}], failed: [{partition, code, message}]}` on one line. */
export function listingJson(topic: string, listing: readonly QueuePartitionGroups[]): string {
  return JSON.stringify({
    topic,
    groups: [...partitionsByGroup(listing)].map(([queue, partitions]) => ({ queue, partitions })),
    failed: listing.filter((p) => !p.ok),
  });
}

/** One line per group with the partitions holding it, then one per partition that failed. */
export function listingLines(topic: string, listing: readonly QueuePartitionGroups[]): string[] {
  const groups = [...partitionsByGroup(listing)];
  const lines = groups.map(([queue, ps]) => `${queue}  partitions ${ps.join(',')}`);
  if (groups.length === 0) lines.push(`no queue groups on ${topic}`);
  for (const p of listing) if (!p.ok) lines.push(`partition ${p.partition}: ${p.code}: ${p.message}`);
  return lines;
}
