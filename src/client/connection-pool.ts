import { Channel, type ChannelCredentials, type Interceptor } from '@grpc/grpc-js';
import {
  authorityOptions,
  createClient,
  defaultChannelCredentials,
  dialTarget,
  messageBytesMaxDefault,
  type ServiceClient,
} from '../../rpc/index.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { SecurityService } from '../../proto/gen/raftlog/v1/security_pb.js';

export interface ConnectionOptions {
  readonly messageBytesMax?: number;
  readonly credentials?: ChannelCredentials;
  /** Run on every call; RaftlogClient adds its login's bearer token with one. */
  readonly interceptors?: Interceptor[];
}

interface Connection {
  readonly channel: Channel;
  broker?: ServiceClient<typeof BrokerService>;
  admin?: ServiceClient<typeof AdminService>;
  security?: ServiceClient<typeof SecurityService>;
}

/**
 * One gRPC channel (one HTTP/2 connection) per broker address, shared by the Broker and Admin
 * clients for that address, so a producer, a consumer and admin calls to one node share a socket.
 */
export class ConnectionPool {
  private readonly connections = new Map<string, Connection>();

  constructor(private readonly options: ConnectionOptions = {}) {}

  broker(address: string): ServiceClient<typeof BrokerService> {
    const c = this.connection(address);
    c.broker ??= createClient(BrokerService, address, this.clientOptions(c.channel));
    return c.broker;
  }

  admin(address: string): ServiceClient<typeof AdminService> {
    const c = this.connection(address);
    c.admin ??= createClient(AdminService, address, this.clientOptions(c.channel));
    return c.admin;
  }

  security(address: string): ServiceClient<typeof SecurityService> {
    const c = this.connection(address);
    c.security ??= createClient(SecurityService, address, this.clientOptions(c.channel));
    return c.security;
  }

  close(): void {
    for (const c of this.connections.values()) c.channel.close();
    this.connections.clear();
  }

  private connection(address: string): Connection {
    let c = this.connections.get(address);
    if (c === undefined) {
      const bytes = this.options.messageBytesMax ?? messageBytesMaxDefault;
      // Host aliases apply here too: this channel replaces the one createClient would dial.
      const { target, authority } = dialTarget(address);
      const channel = new Channel(target, this.options.credentials ?? defaultChannelCredentials(), {
        'grpc.max_send_message_length': bytes,
        'grpc.max_receive_message_length': bytes,
        ...authorityOptions(authority),
      });
      c = { channel };
      this.connections.set(address, c);
    }
    return c;
  }

  private clientOptions(channel: Channel) {
    const bytes = this.options.messageBytesMax ?? messageBytesMaxDefault;
    return {
      sendMessageBytesMax: bytes,
      receiveMessageBytesMax: bytes,
      channelOptions: { channelOverride: channel },
      ...(this.options.interceptors === undefined ? {} : { interceptors: this.options.interceptors }),
    };
  }
}
