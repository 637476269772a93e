/* eslint-disable @typescript-eslint/require-await -- the simulator answers at once, like the test doubles */
import type { Server } from '@grpc/grpc-js';
import { RaftlogError } from '../../../lib/index.js';
import { createServer, implementService, listen, shutdown, type ServiceImpl } from '../../../rpc/index.js';
import { BrokerService, type LeaseRef } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';

interface SimMessage {
  readonly value: string;
  leaseId: bigint;
  expiresAtMs: number;
  deliveries: number;
  acked: boolean;
  lastError: string;
}

export interface SimCall {
  readonly node: number;
  readonly method: 'lease' | 'ack' | 'nack' | 'extendLease';
  readonly leases: number;
}

const utf8 = new TextEncoder();

/**
 * Queue leases of one topic served over real gRPC by `nodes` simulated brokers on 127.0.0.1, each
 * leading some partitions: Metadata, Lease (with wait_ms), Ack, Nack and ExtendLease follow the
 * contract of broker.proto, including NOT_LEADER for a partition another node leads. Message values
 * are `p<partition>-<offset>`.
 */
export class QueueBrokerSim {
  readonly calls: SimCall[] = [];
  readonly addresses: string[] = [];
  /** partition → leader node (1-based). */
  readonly leaders: number[];
  private readonly servers: Server[] = [];
  private readonly logs: SimMessage[][];
  private nextLeaseId = 1n;
  private term = 1;

  private constructor(
    readonly topic: string,
    partitions: number,
    records: number,
  ) {
    this.leaders = Array.from({ length: partitions }, () => 1);
    this.logs = Array.from({ length: partitions }, (_, p) =>
      Array.from({ length: records }, (_, o) => ({
        value: `p${p}-${o}`,
        leaseId: 0n,
        expiresAtMs: 0,
        deliveries: 0,
        acked: false,
        lastError: '',
      })),
    );
  }

  static async start(
    topic: string,
    partitions: number,
    records: number,
    nodes: number,
  ): Promise<QueueBrokerSim> {
    const sim = new QueueBrokerSim(topic, partitions, records);
    sim.leaders.forEach((_, p) => (sim.leaders[p] = (p % nodes) + 1));
    for (let n = 1; n <= nodes; n++) {
      const server = createServer();
      implementService(server, BrokerService, sim.node(n));
      const port = await listen(server, '127.0.0.1:0');
      sim.servers.push(server);
      sim.addresses.push(`127.0.0.1:${port}`);
    }
    return sim;
  }

  /** Moves leadership without telling anyone: clients learn it from NOT_LEADER. */
  moveLeader(partition: number, node: number): void {
    this.leaders[partition] = node;
    this.term++;
  }

  message(partition: number, offset: number): Readonly<SimMessage> {
    return this.logs[partition]![offset]!;
  }

  ackedCount(): number {
    return this.logs.flat().filter((m) => m.acked).length;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => shutdown(s, 100)));
  }

  private node(n: number): ServiceImpl<typeof BrokerService> {
    return {
      metadata: async () => ({
        clusterId: 'sim',
        controllerId: 1,
        brokers: this.addresses.map((address, i) => ({ nodeId: i + 1, address, rack: '' })),
        topics: [
          {
            name: this.topic,
            partitions: this.leaders.map((leaderId, partition) => ({
              partition,
              leaderId,
              leaderTerm: BigInt(this.term),
              replicas: [leaderId],
              inSyncReplicas: [leaderId],
            })),
          },
        ],
      }),
      lease: async (r, ctx) => {
        const partitions = r.partitions.length > 0 ? r.partitions : this.ledBy(n);
        for (const p of partitions) this.requireLeader(n, p);
        this.calls.push({ node: n, method: 'lease', leases: 0 });
        const until = Date.now() + r.waitMs;
        for (;;) {
          const messages = this.leaseSome(partitions, r.maxMessages, r.visibilityTimeoutMs || 30_000);
          if (messages.length > 0 || Date.now() >= until || ctx.signal.aborted) return { messages };
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      },
      ack: async (r) => this.settle(n, 'ack', r.leases, (m) => (m.acked = true)),
      nack: async (r) =>
        this.settle(n, 'nack', r.leases, (m) => {
          m.expiresAtMs = Date.now() + r.delayMs;
          m.leaseId = 0n;
          m.lastError = r.error;
        }),
      extendLease: async (r) =>
        this.settle(n, 'extendLease', r.leases, (m) => (m.expiresAtMs = Date.now() + r.visibilityTimeoutMs)),
    };
  }

  private ledBy(n: number): number[] {
    return this.leaders.flatMap((leader, p) => (leader === n ? [p] : []));
  }

  private requireLeader(n: number, p: number): void {
    const leader = this.leaders[p];
    if (leader === undefined) throw new RaftlogError('PARTITION_NOT_FOUND', `${p}`);
    if (leader !== n) {
      throw new RaftlogError('NOT_LEADER', `node ${n} does not lead ${p}`, {
        leaderHint: this.addresses[leader - 1] ?? '',
      });
    }
  }

  private leaseSome(partitions: readonly number[], max: number, visibilityMs: number) {
    const now = Date.now();
    const out = [];
    for (const p of partitions) {
      for (const [offset, m] of this.logs[p]!.entries()) {
        if (out.length >= max) return out;
        if (m.acked || m.expiresAtMs > now) continue;
        m.leaseId = this.nextLeaseId++;
        m.expiresAtMs = now + visibilityMs;
        m.deliveries++;
        out.push({
          message: {
            topic: this.topic,
            partition: p,
            offset: BigInt(offset),
            record: { value: utf8.encode(m.value), headers: [], timestampMs: 1n },
          },
          leaseId: m.leaseId,
          deliveryCount: m.deliveries,
          leaseExpiresAtMs: BigInt(m.expiresAtMs),
        });
      }
    }
    return out;
  }

  private settle(
    n: number,
    method: SimCall['method'],
    leases: readonly LeaseRef[],
    apply: (m: SimMessage) => void,
  ) {
    this.calls.push({ node: n, method, leases: leases.length });
    const results = leases.map((lease) => {
      const m = this.logs[lease.partition]?.[Number(lease.offset)];
      const error = this.leaseError(n, lease, m);
      if (error !== undefined) return { lease, error };
      apply(m!);
      return { lease, leaseExpiresAtMs: BigInt(m!.expiresAtMs) };
    });
    return { results };
  }

  private leaseError(n: number, lease: LeaseRef, m: SimMessage | undefined) {
    const leader = this.leaders[lease.partition];
    if (leader !== n) {
      return { code: ErrorCode.NOT_LEADER, message: 'not the leader', retriable: true, leaderHint: '' };
    }
    if (m === undefined)
      return { code: ErrorCode.UNKNOWN_LEASE, message: 'unknown', retriable: false, leaderHint: '' };
    if (m.acked && m.leaseId === lease.leaseId) return undefined;
    if (m.leaseId !== lease.leaseId || m.expiresAtMs < Date.now()) {
      return { code: ErrorCode.LEASE_EXPIRED, message: 'expired', retriable: false, leaderHint: '' };
    }
    return undefined;
  }
}
