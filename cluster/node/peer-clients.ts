import { createClient, headersInterceptor, type CallHeaders, type ServiceClient } from '../../rpc/index.js';
import { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';

/**
 * The port for a node's calls to other nodes' services (gap fills, controller forwarding and status,
 * transaction markers, admin). PeerClients (gRPC) is the production implementation; a simulator
 * supplies one that reaches the target node's handlers through its simulated network.
 */
export interface PeerCalls {
  peer(address: string): ServiceClient<typeof PeerService>;
  broker(address: string): ServiceClient<typeof BrokerService>;
  admin(address: string): ServiceClient<typeof AdminService>;
  close(): void;
}

/** gRPC clients to other nodes, one channel per address and service, reused across calls. */
export class PeerClients implements PeerCalls {
  private readonly brokers = new Map<string, ServiceClient<typeof BrokerService>>();
  private readonly peers = new Map<string, ServiceClient<typeof PeerService>>();
  private readonly admins = new Map<string, ServiceClient<typeof AdminService>>();
  private readonly clientOptions;

  /** `headers` go on the node's own calls to other nodes' client services (their credentials). */
  constructor(headers?: CallHeaders) {
    this.clientOptions = headers === undefined ? {} : { interceptors: [headersInterceptor(headers)] };
  }

  peer(address: string): ServiceClient<typeof PeerService> {
    let c = this.peers.get(address);
    if (c === undefined) this.peers.set(address, (c = createClient(PeerService, address)));
    return c;
  }

  broker(address: string): ServiceClient<typeof BrokerService> {
    let c = this.brokers.get(address);
    if (c === undefined)
      this.brokers.set(address, (c = createClient(BrokerService, address, this.clientOptions)));
    return c;
  }

  admin(address: string): ServiceClient<typeof AdminService> {
    let c = this.admins.get(address);
    if (c === undefined)
      this.admins.set(address, (c = createClient(AdminService, address, this.clientOptions)));
    return c;
  }

  close(): void {
    for (const c of [...this.brokers.values(), ...this.peers.values(), ...this.admins.values()]) c.close();
    this.brokers.clear();
    this.peers.clear();
    this.admins.clear();
  }
}
