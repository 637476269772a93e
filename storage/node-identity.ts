import { RaftlogError } from '../lib/index.js';
import { firstInRange, KvWriteBatch, type KvStore } from './kv/index.js';
import { nodeIdentityKey, nodeRejoiningKey, prefixEnd, wholeKeyspace } from './keys.js';
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
  /** The directory was started on empty in a formed cluster and has not caught up since. */
  readonly rejoining: boolean;
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
  const rejoining = (await kv.get(nodeRejoiningKey())) !== undefined;
  return { identity, hasData: below !== undefined || above !== undefined, rejoining };
}

/**
 * Writes the identity with an fsync, before the node runs any Raft group; with `rejoining`, the
 * marker that keeps the node from voting until it has caught up, in the same write.
 */
export async function writeNodeIdentity(
  kv: KvStore,
  identity: NodeIdentity,
  rejoining = false,
): Promise<void> {
  checkClusterId(identity.clusterId);
  const batch = new KvWriteBatch().put(nodeIdentityKey(), encodeIdentity(identity));
  if (rejoining) batch.put(nodeRejoiningKey(), new Uint8Array(0));
  await kv.write(batch, { sync: true });
}

/** The rejoining node caught up in every group whose votes it forgot: it votes as any node again. */
export async function clearRejoining(kv: KvStore): Promise<void> {
  await kv.write(new KvWriteBatch().del(nodeRejoiningKey()), { sync: true });
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
