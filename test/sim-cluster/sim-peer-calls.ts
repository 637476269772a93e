import { create, type DescMethod } from '@bufbuild/protobuf';
import { Metadata } from '@grpc/grpc-js';
import { RaftlogError, type NodeId } from '../../lib/index.js';
import type { PeerCalls } from '../../cluster/node/index.js';
import {
  unlimitedCallBudget,
  type AnyService,
  type CallContext,
  type CallOptions,
  type ServiceClient,
  type ServiceImpl,
} from '../../rpc/index.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import type { ClusterNetwork } from './cluster-network.js';
import type { ProcessClock } from './process-clock.js';
import type { SimClusterStats } from './sim-cluster-stats.js';

/** A node's services as its listeners would serve them. */
export interface NodeServices {
  readonly broker: ServiceImpl<typeof BrokerService>;
  readonly admin: ServiceImpl<typeof AdminService>;
  readonly peer: ServiceImpl<typeof PeerService>;
}

export interface ServiceDirectory {
  /** The node an address (client or peer listener) belongs to. */
  nodeAt(address: string): NodeId | undefined;
  /** The running incarnation's services, or undefined while the node is down. */
  services(node: NodeId): NodeServices | undefined;
}

/** A call with no timeout of its own gives up after this long, as a broken connection would end it. */
const callTimeoutMsDefault = 10_000;

type Handler = (request: unknown, context: CallContext) => Promise<unknown>;

/**
 * The node's peer-call port over the simulated network: a unary call is a request packet, the target
 * incarnation's real service handler (src/server/services), and a response packet; either packet may
 * be lost, and a caller whose answer does not come back in time gets TIMEOUT, as over gRPC.
 */
export class SimPeerCalls implements PeerCalls {
  private closed = false;
  private nextCall = 0;

  constructor(
    private readonly self: NodeId,
    private readonly network: ClusterNetwork,
    private readonly directory: ServiceDirectory,
    private readonly clock: ProcessClock,
    private readonly stats: SimClusterStats,
  ) {}

  peer(address: string): ServiceClient<typeof PeerService> {
    return this.client(PeerService, address, 'peer');
  }

  broker(address: string): ServiceClient<typeof BrokerService> {
    return this.client(BrokerService, address, 'broker');
  }

  admin(address: string): ServiceClient<typeof AdminService> {
    return this.client(AdminService, address, 'admin');
  }

  close(): void {
    this.closed = true;
  }

  private client<S extends AnyService>(
    service: S,
    address: string,
    kind: keyof NodeServices,
  ): ServiceClient<S> {
    const out: Record<string, unknown> = { close: () => undefined };
    for (const method of service.methods) {
      out[method.localName] =
        method.methodKind === 'unary'
          ? (request: unknown, options: CallOptions = {}) =>
              this.unary(method, kind, address, request, options)
          : () => {
              throw new RaftlogError(
                'UNIMPLEMENTED',
                `the simulator carries unary calls only: ${method.name}`,
              );
            };
    }
    return out as ServiceClient<S>;
  }

  private unary(
    method: DescMethod,
    kind: keyof NodeServices,
    address: string,
    request: unknown,
    options: CallOptions,
  ): Promise<unknown> {
    this.stats.calls++;
    const target = this.directory.nodeAt(address);
    const timeoutMs = options.timeoutMs ?? callTimeoutMsDefault;
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new RaftlogError('UNAVAILABLE', 'the peer calls are closed'));
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        options.signal?.removeEventListener('abort', cancelled);
        fn();
      };
      // As a gRPC call does: cancelling ends it at once on the caller's side; the request may still
      // arrive and be served.
      const cancelled = (): void =>
        settle(() => reject(new RaftlogError('CANCELLED', 'the call was cancelled')));
      const timer = this.clock.after(timeoutMs, () =>
        settle(() =>
          reject(new RaftlogError('TIMEOUT', `${method.name} to ${address}: no answer in ${timeoutMs} ms`)),
        ),
      );
      if (target === undefined) {
        settle(() => reject(new RaftlogError('UNAVAILABLE', `no node at ${address}`)));
        return;
      }
      if (options.signal?.aborted === true) return cancelled();
      options.signal?.addEventListener('abort', cancelled, { once: true });
      const input = create(method.input, request as never);
      const context = this.context(options, timeoutMs);
      const answer = (outcome: { ok: unknown } | { error: unknown }): void => {
        this.network.send(
          target,
          this.self,
          () =>
            settle(() =>
              'ok' in outcome
                ? resolve(create(method.output, outcome.ok as never))
                : reject(asCallError(outcome.error)),
            ),
          false,
        );
      };
      const sent = this.network.send(
        this.self,
        target,
        () => {
          const handler = this.directory.services(target)?.[kind][method.localName as never] as
            Handler | undefined;
          if (handler === undefined) return; // the process died while the request flew: no answer
          handler(input, context).then(
            (ok) => answer({ ok }),
            (error: unknown) => answer({ error }),
          );
        },
        false,
      );
      if (!sent) settle(() => reject(new RaftlogError('UNAVAILABLE', `${address} is unreachable`)));
    });
  }

  private context(options: CallOptions, timeoutMs: number): CallContext {
    const metadata = new Metadata();
    const headers = options.metadata;
    if (headers instanceof Metadata) return this.contextWith(headers, timeoutMs);
    for (const [k, v] of Object.entries(headers ?? {})) metadata.set(k, v);
    return this.contextWith(metadata, timeoutMs);
  }

  private contextWith(metadata: Metadata, timeoutMs: number): CallContext {
    return {
      signal: new AbortController().signal,
      deadlineMs: this.clock.now() + timeoutMs,
      metadata,
      peer: `sim-node-${this.self}`,
      peerCertificate: undefined,
      requestId: `sim-${this.self}-${this.nextCall++}`,
      authContext: () => ({}),
      holdResponseBytes: (bytes) => unlimitedCallBudget.reserve(bytes, new AbortController().signal),
    };
  }
}

/** What a gRPC client would see: the server's RaftlogError code, anything else as INTERNAL. */
function asCallError(error: unknown): RaftlogError {
  return error instanceof RaftlogError ? error : new RaftlogError('INTERNAL', String(error));
}
