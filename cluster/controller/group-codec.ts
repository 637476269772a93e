import { RaftlogError } from '../../lib/index.js';
import type { OffsetToCommit } from './group-offsets.js';
import type {
  ConsumerGroup,
  ConsumerGroups,
  GroupAssignor,
  GroupCommand,
  GroupCommandOp,
  GroupMember,
  TopicPartitionRef,
} from './group-types.js';
import { asArray, asInt, asObject, asString } from './json-shape.js';

type FieldKind = 'int' | 'string' | 'string[]' | 'partitions' | 'offsets' | 'assignor';

const groupCommandFields = {
  join: {
    groupId: 'string',
    memberId: 'string',
    instanceId: 'string',
    clientId: 'string',
    clientHost: 'string',
    topics: 'string[]',
    sessionTimeoutMs: 'int',
    rebalanceTimeoutMs: 'int',
    assignor: 'assignor',
  },
  sync: { groupId: 'string', generationId: 'int', memberId: 'string', owned: 'partitions' },
  leave: { groupId: 'string', memberId: 'string' },
  'expire-member': { groupId: 'string', memberId: 'string' },
  'commit-offsets': { groupId: 'string', generationId: 'int', memberId: 'string', offsets: 'offsets' },
  'reset-offsets': { groupId: 'string', offsets: 'offsets' },
} as const satisfies Record<GroupCommandOp, Record<string, FieldKind>>;

function isGroupOp(op: string): op is GroupCommandOp {
  return Object.hasOwn(groupCommandFields, op);
}

function decodePartition(value: unknown, path: string): TopicPartitionRef {
  const o = asObject(value, path);
  return { topic: asString(o.topic, `${path}.topic`), partition: asInt(o.partition, `${path}.partition`) };
}

function decodeOffset(value: unknown, path: string): OffsetToCommit {
  const o = asObject(value, path);
  return {
    ...decodePartition(value, path),
    offset: asInt(o.offset, `${path}.offset`),
    metadata: asString(o.metadata, `${path}.metadata`),
  };
}

function decodeField(kind: FieldKind, value: unknown, path: string): unknown {
  switch (kind) {
    case 'int':
      return asInt(value, path);
    case 'string':
      return asString(value, path);
    case 'string[]':
      return asArray(value, path).map((v, i) => asString(v, `${path}[${i}]`));
    case 'partitions':
      return asArray(value, path).map((v, i) => decodePartition(v, `${path}[${i}]`));
    case 'offsets':
      return asArray(value, path).map((v, i) => decodeOffset(v, `${path}[${i}]`));
    case 'assignor':
      return decodeAssignor(value, path);
  }
}

/**
 * Entries and snapshots written before groups chose an assignor hold none: they all had sticky. Any
 * other string decodes as it is; the join's apply refuses one that names no assignor.
 */
function decodeAssignor(value: unknown, path: string): GroupAssignor {
  return value === undefined ? 'sticky' : (asString(value, path) as GroupAssignor);
}

/** Rebuilds a group command from known fields only, so stray fields never reach the state machine. */
export function decodeGroupCommand(value: unknown, path: string): GroupCommand {
  const o = asObject(value, path);
  const op = asString(o.op, `${path}.op`);
  if (!isGroupOp(op)) throw new RaftlogError('CORRUPT_MESSAGE', `unknown group command '${op}'`);
  const command: Record<string, unknown> = { op };
  for (const [field, kind] of Object.entries(groupCommandFields[op] as Record<string, FieldKind>)) {
    command[field] = decodeField(kind, o[field], `${path}.${field}`);
  }
  return command as unknown as GroupCommand;
}

/** Snapshot form: groups sorted by id, members by id (the sets inside are kept sorted already). */
export function encodeGroups(groups: ConsumerGroups): unknown[] {
  return [...groups.keys()].sort().map((id) => {
    const g = groups.get(id) as ConsumerGroup;
    return {
      groupId: g.groupId,
      assignor: g.assignor,
      generation: g.generation,
      members: [...g.members.keys()].sort().map((m) => g.members.get(m)),
    };
  });
}

function decodeMember(value: unknown, path: string): GroupMember {
  const o = asObject(value, path);
  const parts = (v: unknown, p: string) => asArray(v, p).map((x, i) => decodePartition(x, `${p}[${i}]`));
  return {
    memberId: asString(o.memberId, `${path}.memberId`),
    instanceId: asString(o.instanceId, `${path}.instanceId`),
    clientId: asString(o.clientId, `${path}.clientId`),
    clientHost: asString(o.clientHost, `${path}.clientHost`),
    topics: asArray(o.topics, `${path}.topics`).map((t, i) => asString(t, `${path}.topics[${i}]`)),
    sessionTimeoutMs: asInt(o.sessionTimeoutMs, `${path}.sessionTimeoutMs`),
    rebalanceTimeoutMs: asInt(o.rebalanceTimeoutMs, `${path}.rebalanceTimeoutMs`),
    target: parts(o.target, `${path}.target`),
    owned: parts(o.owned, `${path}.owned`),
    joinedAtMs: asInt(o.joinedAtMs, `${path}.joinedAtMs`),
  };
}

export function decodeGroups(value: unknown, path: string): ConsumerGroups {
  // Snapshots written before consumer groups existed have no such field.
  if (value === undefined) return new Map();
  const groups = new Map<string, ConsumerGroup>();
  asArray(value, path).forEach((g, i) => {
    const o = asObject(g, `${path}[${i}]`);
    const members = asArray(o.members, `${path}[${i}].members`).map((m, j) =>
      decodeMember(m, `${path}[${i}].members[${j}]`),
    );
    const groupId = asString(o.groupId, `${path}[${i}].groupId`);
    groups.set(groupId, {
      groupId,
      assignor: decodeAssignor(o.assignor, `${path}[${i}].assignor`),
      generation: asInt(o.generation, `${path}[${i}].generation`),
      members: new Map(members.map((m) => [m.memberId, m])),
    });
  });
  return groups;
}
