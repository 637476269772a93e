import { asArray, asInt, asObject, asString } from './json-shape.js';

/** One partition's committed position for a consumer group. */
export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume (last processed + 1). */
  readonly offset: number;
  readonly metadata: string;
  /** The leader timestamp of the command that committed it. */
  readonly committedAtMs: number;
}

/** A group's committed offsets keyed by `offsetKey(topic, partition)`. */
export type GroupOffsets = ReadonlyMap<string, CommittedOffset>;

/** Group id to its committed offsets; part of the controller state, so offsets survive failover. */
export type GroupOffsetsByGroup = ReadonlyMap<string, GroupOffsets>;

export function offsetKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string;
}

/**
 * Writes offsets into a group's map, returning the new map of all groups (the old one is unchanged):
 * the one path by which both plain commits and committed transactions store offsets.
 */
export function withCommittedOffsets(
  all: GroupOffsetsByGroup,
  groupId: string,
  offsets: readonly OffsetToCommit[],
  timestampMs: number,
): GroupOffsetsByGroup {
  if (offsets.length === 0) return all;
  const group = new Map(all.get(groupId) ?? []);
  for (const o of offsets) {
    group.set(offsetKey(o.topic, o.partition), { ...o, committedAtMs: timestampMs });
  }
  return new Map(all).set(groupId, group);
}

/**
 * Every group's offsets without those of `topic` (deleted: a topic created later under its name
 * starts from scratch, and consumers must not resume it at the old positions, as in Kafka). A group
 * left with no offsets is dropped from the map; its members, if any, stay in `groups`.
 */
export function withoutTopicOffsets(all: GroupOffsetsByGroup, topic: string): GroupOffsetsByGroup {
  let changed: Map<string, GroupOffsets> | undefined;
  for (const [groupId, offsets] of all) {
    const kept = new Map([...offsets].filter(([, o]) => o.topic !== topic));
    if (kept.size === offsets.size) continue;
    changed ??= new Map(all);
    if (kept.size === 0) changed.delete(groupId);
    else changed.set(groupId, kept);
  }
  return changed ?? all;
}

/** Snapshot form: groups sorted by id, offsets sorted by topic then partition. */
export function encodeGroupOffsets(all: GroupOffsetsByGroup): unknown[] {
  return [...all.keys()].sort().map((groupId) => ({
    groupId,
    offsets: [...(all.get(groupId)?.values() ?? [])].sort((a, b) =>
      a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
    ),
  }));
}

export function decodeGroupOffsets(value: unknown, path: string): GroupOffsetsByGroup {
  // Snapshots written before groups existed have no such field.
  if (value === undefined) return new Map();
  const all = new Map<string, GroupOffsets>();
  asArray(value, path).forEach((g, i) => {
    const o = asObject(g, `${path}[${i}]`);
    const offsets = asArray(o.offsets, `${path}[${i}].offsets`).map((x, j) => {
      const p = `${path}[${i}].offsets[${j}]`;
      const c = asObject(x, p);
      return {
        topic: asString(c.topic, `${p}.topic`),
        partition: asInt(c.partition, `${p}.partition`),
        offset: asInt(c.offset, `${p}.offset`),
        metadata: asString(c.metadata, `${p}.metadata`),
        committedAtMs: asInt(c.committedAtMs, `${p}.committedAtMs`),
      };
    });
    all.set(
      asString(o.groupId, `${path}[${i}].groupId`),
      new Map(offsets.map((c) => [offsetKey(c.topic, c.partition), c])),
    );
  });
  return all;
}
