import { RaftlogError } from '../lib/index.js';
import { firstInRange, KvWriteBatch, type KvStore } from './kv/index.js';
import { nodeIdentityKey, prefixEnd, wholeKeyspace } from './keys.js';
import { ValueReader, ValueWriter } from './value-codec.js';

/** Which node of which cluster a data directory belongs to, written once when the node first starts. */
export interface NodeIdentity {
  readonly nodeId: number;
  readonly clusterId: string;
}

/** What a data directory holds before the node starts: its identity, and whether anything else is there. */
export interface StoredIdentity {
  readonly identity: NodeIdentity | undefined;
  /** False for a new (or wiped) directory: no Raft state, no records. */
  readonly hasData: boolean;
}

/** Cluster ids are short printable names (a UUID from the launcher, or a name an operator chose). */
export const clusterIdBytesMax = 128;

export function checkClusterId(clusterId: string): void {
  if (!/^[A-Za-z0-9._-]+$/.test(clusterId) || Buffer.byteLength(clusterId) > clusterIdBytesMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `cluster id ${JSON.stringify(clusterId)} must be 1-${clusterIdBytesMax} characters of A-Z a-z 0-9 . _ -`,
    );
  }
}

export async function readNodeIdentity(kv: KvStore): Promise<StoredIdentity> {
  const value = await kv.get(nodeIdentityKey());
  const identity = value === undefined ? undefined : decodeIdentity(value);
  const all = wholeKeyspace();
  const below = await firstInRange(kv, { gte: all.gte, lt: nodeIdentityKey(), keysOnly: true });
  const above = await firstInRange(kv, { gte: prefixEnd(nodeIdentityKey()), lt: all.lt, keysOnly: true });
  return { identity, hasData: below !== undefined || above !== undefined };
}

/** Writes the identity with an fsync, before the node runs any Raft group. */
export async function writeNodeIdentity(kv: KvStore, identity: NodeIdentity): Promise<void> {
  checkClusterId(identity.clusterId);
  await kv.write(new KvWriteBatch().put(nodeIdentityKey(), encodeIdentity(identity)), { sync: true });
}

function encodeIdentity(identity: NodeIdentity): Uint8Array {
  const id = new TextEncoder().encode(identity.clusterId);
  return new ValueWriter(4 + 4 + id.length).u32(identity.nodeId).u32(id.length).raw(id).finish();
}

function decodeIdentity(bytes: Uint8Array): NodeIdentity {
  const r = new ValueReader(bytes, 'node identity');
  const nodeId = r.u32();
  const length = r.u32();
  const rest = r.rest();
  if (rest.length !== length) throw r.corrupt(`cluster id of ${length} bytes, ${rest.length} stored`);
  return { nodeId, clusterId: new TextDecoder().decode(rest) };
}
