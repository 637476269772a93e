import { groupId, NewerFormatError, nodeId, partitionId, RaftlogError } from '../../lib/index.js';
import { decodeGroupCommand, decodeGroups, encodeGroups } from './group-codec.js';
import { decodeGroupOffsets, encodeGroupOffsets } from './group-offsets.js';
import {
  decodeTransactionalIdInfo,
  decodeTxnField,
  encodeTransactionalIdInfo,
  txnCommandFields,
  type TxnFieldKind,
} from './txn-codec.js';
import {
  decodeSecurity,
  decodeSecurityField,
  encodeSecurity,
  securityCommandFields,
  type SecurityFieldKind,
} from './security-codec.js';
import type {
  ControllerCommand,
  ControllerCommandType,
  ControllerState,
  NodeInfo,
  NodeMembership,
  PartitionAssignment,
  TopicInfo,
} from './controller-types.js';
import {
  asArray,
  asBoolean,
  asInt,
  asIntArray,
  asObject,
  asString,
  corrupt,
  decodeVersionedJson,
  encodeVersionedJson,
} from './json-shape.js';
import {
  cleanupPolicies,
  defaultTopicConfig,
  type CleanupPolicy,
  resolveTopicConfig,
  type TopicConfig,
  type TopicConfigInput,
} from './topic-config.js';
import { logicalVersionMax, unannouncedLogicalVersion } from './logical-version.js';

/**
 * Controller entries and snapshots are a version byte followed by JSON: the controller sees a few
 * commands a second at most, and readable bytes are worth more here than compactness. A new layout
 * gets a new version byte; decoders reject versions they do not know.
 */
export const controllerEntryVersion = 1;
/**
 * The highest snapshot format written. Format 1 is the layout of cluster version 1 (no active
 * version: it is 1), written while the active version is 1 so older nodes still restore it; format 2
 * adds `activeVersion`, written once it is higher, so an older node stops on it instead of restoring
 * a state it would misread.
 */
export const controllerSnapshotVersion = 2;
const activeVersionSnapshotFormat = 2;

export interface ControllerEntry {
  /** Stamped by the leader when it proposes, so every replica applies the same time. */
  readonly timestampMs: number;
  readonly command: ControllerCommand;
}

type FieldKind =
  | 'int'
  | 'string'
  | 'string?'
  | 'boolean'
  | 'int[]'
  | 'config'
  | 'topic-specs'
  | 'group'
  | TxnFieldKind
  | SecurityFieldKind;

const topicSpecFields = {
  name: 'string',
  partitions: 'int',
  replicationFactor: 'int',
  config: 'config',
} as const;

const commandFields = {
  'register-node': { nodeId: 'int', address: 'string', peerAddress: 'string?' },
  'set-node-alive': { nodeId: 'int', alive: 'boolean' },
  'unregister-node': { nodeId: 'int' },
  'create-topic': topicSpecFields,
  'create-topics': { topics: 'topic-specs' },
  'update-topic-config': { name: 'string', config: 'config' },
  'add-partitions': { name: 'string', partitions: 'int' },
  'delete-topic': { name: 'string' },
  'add-replica': { topic: 'string', partition: 'int', nodeId: 'int' },
  'remove-replica': { topic: 'string', partition: 'int', nodeId: 'int' },
  'complete-reassignment': { topic: 'string', partition: 'int', replicas: 'int[]' },
  'reassign-partition': { topic: 'string', partition: 'int', replicas: 'int[]' },
  'decommission-node': { nodeId: 'int' },
  'finish-node-removal': { nodeId: 'int' },
  'allocate-producer-ids': { count: 'int' },
  'init-transactional-id': { transactionalId: 'string', transactionTimeoutMs: 'int' },
  'expire-transactional-ids': { idleMsMin: 'int' },
  group: { command: 'group' },
  'raise-active-version': { version: 'int' },
  ...txnCommandFields,
  ...securityCommandFields,
} as const satisfies Record<ControllerCommandType, Record<string, FieldKind>>;

function isCommandType(type: string): type is ControllerCommandType {
  return Object.hasOwn(commandFields, type);
}

// Settings added later are absent from older snapshots and commands; they take their defaults there.
const intConfigKeys = [
  'retentionMs',
  'retentionBytes',
  'maxMessageBytes',
  'minInsyncReplicas',
  'deleteRetentionMs',
  'minCompactionLagMs',
  'queueVisibilityTimeoutMs',
  'queueMaxDeliveries',
  'queueMessageTtlMs',
] as const satisfies readonly (keyof TopicConfig)[];
const booleanConfigKeys = [
  'queueDeadLetterExpired',
  'queueOrderedByKey',
] as const satisfies readonly (keyof TopicConfig)[];

function decodeCleanupPolicy(value: unknown, path: string): CleanupPolicy {
  const policy = asString(value, path);
  const known = cleanupPolicies.find((c) => c === policy);
  if (known === undefined) throw corrupt(path, cleanupPolicies.join(' or '));
  return known;
}

function decodeConfigInput(value: unknown, path: string): TopicConfigInput {
  const o = asObject(value, path);
  const input: { -readonly [K in keyof TopicConfig]?: TopicConfig[K] } = {};
  for (const key of intConfigKeys) {
    if (o[key] !== undefined) input[key] = asInt(o[key], `${path}.${key}`);
  }
  for (const key of booleanConfigKeys) {
    if (o[key] !== undefined) input[key] = asBoolean(o[key], `${path}.${key}`);
  }
  if (o.queueDeadLetterTopic !== undefined) {
    input.queueDeadLetterTopic = asString(o.queueDeadLetterTopic, `${path}.queueDeadLetterTopic`);
  }
  if (o.cleanupPolicy !== undefined) {
    input.cleanupPolicy = decodeCleanupPolicy(o.cleanupPolicy, `${path}.cleanupPolicy`);
  }
  return input;
}

function decodeField(kind: FieldKind, value: unknown, path: string): unknown {
  switch (kind) {
    case 'int':
      return asInt(value, path);
    case 'string':
      return asString(value, path);
    case 'string?':
      return value === undefined ? undefined : asString(value, path);
    case 'boolean':
      return asBoolean(value, path);
    case 'int[]':
      return asIntArray(value, path);
    case 'config':
      return decodeConfigInput(value, path);
    case 'topic-specs':
      return asArray(value, path).map((spec, i) => decodeFields(topicSpecFields, spec, `${path}[${i}]`));
    case 'group':
      return decodeGroupCommand(value, path);
    case 'acls':
      return decodeSecurityField(kind, value, path);
    default:
      return decodeTxnField(kind, value, path);
  }
}

/** Rebuilds the command from known fields only, so stray fields never reach the state machine. */
export function decodeControllerCommand(value: unknown): ControllerCommand {
  const o = asObject(value, 'command');
  const type = asString(o.type, 'command.type');
  // This version's encoder writes only its own types: another is a later version's.
  if (!isCommandType(type)) throw new NewerFormatError(`controller command '${type}'`);
  return { type, ...decodeFields(commandFields[type], o, 'command') } as unknown as ControllerCommand;
}

function decodeFields(
  fields: Record<string, FieldKind>,
  value: unknown,
  path: string,
): Record<string, unknown> {
  const o = asObject(value, path);
  const decoded: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(fields)) {
    const one = decodeField(kind, o[field], `${path}.${field}`);
    // An optional field left out stays absent, as it was when the command was proposed.
    if (one !== undefined) decoded[field] = one;
  }
  return decoded;
}

export function encodeControllerEntry(entry: ControllerEntry): Uint8Array {
  return encodeVersionedJson(controllerEntryVersion, {
    timestampMs: entry.timestampMs,
    command: entry.command,
  });
}

/** Throws CORRUPT_MESSAGE on anything that is not an entry this version wrote. */
export function decodeControllerEntry(bytes: Uint8Array): ControllerEntry {
  const o = asObject(decodeVersionedJson(bytes, controllerEntryVersion, 'controller entry'), 'entry');
  return {
    timestampMs: asInt(o.timestampMs, 'entry.timestampMs'),
    command: decodeControllerCommand(o.command),
  };
}

// Maps are written as arrays sorted by key, so two replicas with the same state write the same bytes
// no matter in which order their maps were filled (a restored replica fills them in sorted order).
const byKey = <K extends number | string>(a: [K, unknown], b: [K, unknown]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

function sortedValues<K extends number | string, V>(map: ReadonlyMap<K, V>): V[] {
  return [...map].sort(byKey).map(([, v]) => v);
}

export function encodeControllerSnapshot(state: ControllerState): Uint8Array {
  const versioned = state.activeVersion > unannouncedLogicalVersion;
  return encodeVersionedJson(versioned ? activeVersionSnapshotFormat : 1, {
    appliedIndex: state.appliedIndex,
    nextGroupId: state.nextGroupId,
    nextProducerId: state.nextProducerId,
    placementCursor: state.placementCursor,
    nodes: sortedValues(state.nodes),
    topics: sortedValues(state.topics),
    transactionalIds: sortedValues(state.transactionalIds).map(encodeTransactionalIdInfo),
    groupOffsets: encodeGroupOffsets(state.groupOffsets),
    groups: encodeGroups(state.groups),
    security: encodeSecurity(state.security),
    ...(versioned ? { activeVersion: state.activeVersion } : {}),
  });
}

const memberships: readonly NodeMembership[] = ['active', 'draining', 'removed'];

function asMembership(value: unknown, path: string): NodeMembership {
  const found = memberships.find((m) => m === value);
  if (found === undefined) throw new RaftlogError('CORRUPT_MESSAGE', `${path} is not a node membership`);
  return found;
}

function decodeNode(value: unknown, path: string): NodeInfo {
  const o = asObject(value, path);
  return {
    id: nodeId(asInt(o.id, `${path}.id`)),
    address: asString(o.address, `${path}.address`),
    // Snapshots written before separate peer listeners hold no peer address.
    peerAddress: o.peerAddress === undefined ? '' : asString(o.peerAddress, `${path}.peerAddress`),
    alive: asBoolean(o.alive, `${path}.alive`),
    registeredAtMs: asInt(o.registeredAtMs, `${path}.registeredAtMs`),
    statusChangedAtMs: asInt(o.statusChangedAtMs, `${path}.statusChangedAtMs`),
    // Snapshots written before decommissioning existed hold active nodes only.
    membership: o.membership === undefined ? 'active' : asMembership(o.membership, `${path}.membership`),
  };
}

function decodeAssignment(value: unknown, path: string): PartitionAssignment {
  const o = asObject(value, path);
  return {
    partition: partitionId(asInt(o.partition, `${path}.partition`)),
    groupId: groupId(asInt(o.groupId, `${path}.groupId`)),
    replicas: asIntArray(o.replicas, `${path}.replicas`).map(nodeId),
    targetReplicas:
      o.targetReplicas === null ? null : asIntArray(o.targetReplicas, `${path}.targetReplicas`).map(nodeId),
    ...(o.bootstrapReplicas === undefined
      ? {}
      : { bootstrapReplicas: asIntArray(o.bootstrapReplicas, `${path}.bootstrapReplicas`).map(nodeId) }),
  };
}

function decodeTopic(value: unknown, path: string): TopicInfo {
  const o = asObject(value, path);
  const c = decodeConfigInput(o.config, `${path}.config`);
  if (
    c.retentionMs === undefined ||
    c.retentionBytes === undefined ||
    c.cleanupPolicy === undefined ||
    c.maxMessageBytes === undefined
  ) {
    throw corrupt(`${path}.config`, 'a complete topic config');
  }
  const name = asString(o.name, `${path}.name`);
  const resolved = resolveTopicConfig(defaultTopicConfig, c, name);
  if ('rejection' in resolved) throw corrupt(`${path}.config`, resolved.rejection.message);
  return {
    name,
    replicationFactor: asInt(o.replicationFactor, `${path}.replicationFactor`),
    config: resolved.config,
    partitions: asArray(o.partitions, `${path}.partitions`).map((p, i) =>
      decodeAssignment(p, `${path}.partitions[${i}]`),
    ),
    createdAtMs: asInt(o.createdAtMs, `${path}.createdAtMs`),
  };
}

function nonNegative(value: number, path: string): number {
  if (value < 0) throw corrupt(path, 'non-negative');
  return value;
}

/** Format 2 is written only above version 1, so a lower value there is corruption. */
function decodeActiveVersion(o: Record<string, unknown>): number {
  const version = asInt(o.activeVersion, 'activeVersion');
  if (version <= unannouncedLogicalVersion || version > logicalVersionMax) {
    throw corrupt('activeVersion', `above ${unannouncedLogicalVersion}`);
  }
  return version;
}

/** Throws CORRUPT_MESSAGE on anything that is not a snapshot this version wrote. */
export function decodeControllerSnapshot(bytes: Uint8Array): ControllerState {
  const o = asObject(
    decodeVersionedJson(bytes, controllerSnapshotVersion, 'controller snapshot', 1),
    'snapshot',
  );
  const format = bytes[0] as number;
  try {
    const nodes = asArray(o.nodes, 'nodes').map((n, i) => decodeNode(n, `nodes[${i}]`));
    const topics = asArray(o.topics, 'topics').map((t, i) => decodeTopic(t, `topics[${i}]`));
    const txnIds = asArray(o.transactionalIds, 'transactionalIds').map((t, i) =>
      decodeTransactionalIdInfo(t, `transactionalIds[${i}]`),
    );
    return {
      appliedIndex: nonNegative(asInt(o.appliedIndex, 'appliedIndex'), 'appliedIndex'),
      nextGroupId: nonNegative(asInt(o.nextGroupId, 'nextGroupId'), 'nextGroupId'),
      nextProducerId: nonNegative(asInt(o.nextProducerId, 'nextProducerId'), 'nextProducerId'),
      placementCursor: nonNegative(asInt(o.placementCursor, 'placementCursor'), 'placementCursor'),
      nodes: new Map(nodes.map((n) => [n.id, n])),
      topics: new Map(topics.map((t) => [t.name, t])),
      transactionalIds: new Map(txnIds.map((t) => [t.transactionalId, t])),
      groupOffsets: decodeGroupOffsets(o.groupOffsets, 'groupOffsets'),
      groups: decodeGroups(o.groups, 'groups'),
      security: decodeSecurity(o.security, 'security'),
      activeVersion:
        format < activeVersionSnapshotFormat ? unannouncedLogicalVersion : decodeActiveVersion(o),
    };
  } catch (error) {
    // The branded-id constructors assert non-negative integers; in a snapshot that is corruption.
    throw RaftlogError.from(error, 'CORRUPT_MESSAGE');
  }
}
