import type { MessageInitShape } from '@bufbuild/protobuf';
import { createClient, type ServiceClient } from '../../../rpc/index.js';
import {
  BrokerService,
  type ProduceRequestSchema,
  type ProduceResponse,
} from '../../../proto/gen/raftlog/v1/broker_pb.js';

/**
 * Sends a batch to the node that leads its partition, over that node's client port, as any client
 * would. Only the batch-level Produce is forwarded and it never forwards again, so a request moves
 * at most one hop. One channel per leader address, kept for reuse.
 */
export class ProduceForwarder {
  private readonly clients = new Map<string, ServiceClient<typeof BrokerService>>();

  constructor(private readonly channelsMax: number) {}

  produce(
    address: string,
    request: MessageInitShape<typeof ProduceRequestSchema>,
    options: { timeoutMs: number; signal: AbortSignal; metadata: Readonly<Record<string, string>> },
  ): Promise<ProduceResponse> {
    return this.client(address).produce(request, options);
  }

  private client(address: string): ServiceClient<typeof BrokerService> {
    let c = this.clients.get(address);
    if (c !== undefined) return c;
    // Leader addresses come from the cluster's own metadata, but they change over time: bound the set.
    if (this.clients.size >= this.channelsMax) this.closeAll();
    c = createClient(BrokerService, address);
    this.clients.set(address, c);
    return c;
  }

  closeAll(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
