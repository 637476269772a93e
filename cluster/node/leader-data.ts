import type { GroupId, NodeId } from '../../lib/index.js';
import { RaftlogError, splitRecordBatches } from '../../lib/index.js';
import { OffsetSpec } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode as ErrorCodeProto } from '../../proto/gen/raftlog/v1/errors_pb.js';
import type { ControllerReplica } from './controller-replica.js';
import type { PeerClients } from './peer-clients.js';
import type { RangeSource } from './partition-replica.js';

export interface LeaderDataContext {
  readonly nodeId: NodeId;
  readonly peers: ReadonlyMap<NodeId, string>;
  readonly peerClients: PeerClients;
  readonly controller: ControllerReplica;
  /** The current leader of a group hosted here, 0 when unknown. */
  readonly leaderOf: (groupId: GroupId) => NodeId | 0;
}

/** Reads a partition's committed data from its leader, for a local replica filling a gap. */
export class LeaderData {
  constructor(private readonly ctx: LeaderDataContext) {}

  /** The source a replica of `groupId` fills from. */
  sourceFor(groupId: GroupId): RangeSource {
    return { fetch: (from, to) => this.fetch(groupId, from, to), logStart: () => this.logStart(groupId) };
  }

  /** Reads committed batches of a partition from its current leader, for a replica filling a gap. */
  async *fetch(groupId: GroupId, from: number, to: number): AsyncIterable<readonly Uint8Array[]> {
    const where = this.where(groupId);
    const leader = this.ctx.leaderOf(groupId);
    const address = leader === 0 || leader === this.ctx.nodeId ? undefined : this.ctx.peers.get(leader);
    if (where === undefined || address === undefined)
      throw new RaftlogError('LEADER_NOT_AVAILABLE', `group ${groupId} has no leader to fill from`);
    let offset = from;
    while (offset < to) {
      const response = await this.ctx.peerClients.broker(address).fetch(
        {
          partitions: [
            {
              topic: where.topic,
              partition: where.partition,
              offset: BigInt(offset),
              partitionMaxBytes: 4 << 20,
            },
          ],
          maxBytes: 8 << 20,
        },
        { timeoutMs: 10_000 },
      );
      const p = response.partitions[0];
      if (p?.error?.code === ErrorCodeProto.OFFSET_OUT_OF_RANGE) {
        throw new RaftlogError('OFFSET_OUT_OF_RANGE', `fill fetch: ${p.error.message}`);
      }
      if (p?.error) throw new RaftlogError('UNAVAILABLE', `fill fetch failed: ${p.error.message}`);
      if (p === undefined || p.records.byteLength === 0)
        throw new RaftlogError('UNAVAILABLE', 'fill fetch returned nothing');
      const batches = splitRecordBatches(p.records).map((v) => v.bytes);
      yield batches;
      offset = Number(p.nextOffset);
    }
  }

  /** The log start offset of a partition at its current leader. */
  async logStart(groupId: GroupId): Promise<number> {
    const where = this.where(groupId);
    const leader = this.ctx.leaderOf(groupId);
    const address = leader === 0 || leader === this.ctx.nodeId ? undefined : this.ctx.peers.get(leader);
    if (where === undefined || address === undefined)
      throw new RaftlogError('LEADER_NOT_AVAILABLE', `group ${groupId} has no leader to ask`);
    const response = await this.ctx.peerClients
      .broker(address)
      .listOffsets(
        { partitions: [{ topic: where.topic, partition: where.partition, spec: OffsetSpec.EARLIEST }] },
        { timeoutMs: 10_000 },
      );
    const listed = response.offsets[0];
    if (listed === undefined || listed.error !== undefined)
      throw new RaftlogError('UNAVAILABLE', 'no log start from the leader');
    return Number(listed.offset);
  }

  private where(groupId: GroupId): { topic: string; partition: number } | undefined {
    for (const t of this.ctx.controller.state.topics.values()) {
      for (const p of t.partitions)
        if (p.groupId === groupId) return { topic: t.name, partition: p.partition };
    }
    return undefined;
  }
}
