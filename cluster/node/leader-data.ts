import type { GroupId, NodeId } from '../../lib/index.js';
import { RaftlogError, splitRecordBatches } from '../../lib/index.js';
import { ErrorCode as ErrorCodeProto } from '../../proto/gen/raftlog/v1/errors_pb.js';
import type { ControllerReplica } from './controller-replica.js';
import type { PeerCalls } from './peer-clients.js';
import { replicaReadHeader } from './node-api.js';
import type { RangeSource } from './partition-replica.js';

export interface LeaderDataContext {
  readonly nodeId: NodeId;
  readonly peers: ReadonlyMap<NodeId, string>;
  readonly peerClients: PeerCalls;
  readonly controller: ControllerReplica;
  /** The current leader of a group hosted here, 0 when unknown. */
  readonly leaderOf: (groupId: GroupId) => NodeId | 0;
  /** Record bytes asked for per request. */
  readonly bytesMax: number;
}

/**
 * Reads a partition's committed data from the other replicas, for a local replica filling a gap: the
 * leader first when there is one, then every other replica, so a fill goes on when the leader dies.
 * Requests carry the replica-read header: any replica answers from what it has stored.
 */
export class LeaderData {
  constructor(private readonly ctx: LeaderDataContext) {}

  /** The source a replica of `groupId` fills from. */
  sourceFor(groupId: GroupId): RangeSource {
    return { fetch: (from, to) => this.fetch(groupId, from, to) };
  }

  /** Committed batches of a partition from `from` on, from whichever replica can serve them. */
  async *fetch(groupId: GroupId, from: number, to: number): AsyncIterable<readonly Uint8Array[]> {
    const where = this.where(groupId);
    if (where === undefined) throw new RaftlogError('UNAVAILABLE', `group ${groupId} is not in the metadata`);
    let offset = from;
    let failure: unknown = new RaftlogError(
      'UNAVAILABLE',
      `group ${groupId} has no other replica to fill from`,
    );
    for (const address of this.sources(groupId, where.replicas)) {
      try {
        while (offset < to) {
          const { batches, nextOffset } = await this.fetchFrom(address, where, offset);
          yield batches;
          offset = nextOffset;
        }
        return;
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }

  private async fetchFrom(
    address: string,
    where: { topic: string; partition: number },
    offset: number,
  ): Promise<{ batches: Uint8Array[]; nextOffset: number }> {
    const response = await this.ctx.peerClients.broker(address).fetch(
      {
        partitions: [
          {
            topic: where.topic,
            partition: where.partition,
            offset: BigInt(offset),
            partitionMaxBytes: this.ctx.bytesMax,
          },
        ],
        maxBytes: this.ctx.bytesMax,
      },
      { timeoutMs: 10_000, metadata: { [replicaReadHeader]: '1' } },
    );
    const p = response.partitions[0];
    if (p?.error?.code === ErrorCodeProto.OFFSET_OUT_OF_RANGE) {
      throw new RaftlogError('OFFSET_OUT_OF_RANGE', `fill fetch from ${address}: ${p.error.message}`);
    }
    if (p?.error) throw new RaftlogError('UNAVAILABLE', `fill fetch from ${address}: ${p.error.message}`);
    if (p === undefined || p.records.byteLength === 0)
      throw new RaftlogError('UNAVAILABLE', `fill fetch from ${address}: nothing at ${offset} yet`);
    return { batches: splitRecordBatches(p.records).map((v) => v.bytes), nextOffset: Number(p.nextOffset) };
  }

  /** Addresses of the other replicas, the leader first. */
  private sources(groupId: GroupId, replicas: readonly NodeId[]): string[] {
    const leader = this.ctx.leaderOf(groupId);
    const ordered = [...(leader === 0 ? [] : [leader]), ...replicas.filter((r) => r !== leader)];
    return ordered.flatMap((id) => {
      const address = id === this.ctx.nodeId ? undefined : this.addressOf(id);
      return address === undefined ? [] : [address];
    });
  }

  private addressOf(id: NodeId): string | undefined {
    // Peer listeners only: a node's registered client address serves no peer calls.
    return this.ctx.peers.get(id) ?? (this.ctx.controller.state.nodes.get(id)?.peerAddress || undefined);
  }

  private where(
    groupId: GroupId,
  ): { topic: string; partition: number; replicas: readonly NodeId[] } | undefined {
    for (const t of this.ctx.controller.state.topics.values()) {
      for (const p of t.partitions) {
        if (p.groupId === groupId) {
          const replicas = [...new Set([...p.replicas, ...(p.targetReplicas ?? [])])];
          return { topic: t.name, partition: p.partition, replicas };
        }
      }
    }
    return undefined;
  }
}
