import type { Server } from '@grpc/grpc-js';
import { encodeRecordBatch } from '../../../../lib/index.js';
import { createClient, createServer, listen, type ServiceClient } from '../../../../rpc/index.js';
import { AdminService } from '../../../../proto/gen/raftlog/v1/admin_pb.js';
import { BrokerService } from '../../../../proto/gen/raftlog/v1/broker_pb.js';
import { silentLogger } from '../../../obs/index.js';
import { registerClientServices, type ServiceLimits } from '../index.js';
import type { AuthGuard } from '../../auth/index.js';
import { MemoryNodeApi } from './memory-node-api.js';

export interface Services {
  readonly api: MemoryNodeApi;
  readonly broker: ServiceClient<typeof BrokerService>;
  readonly admin: ServiceClient<typeof AdminService>;
  readonly server: Server;
  /** host:port the services listen on. */
  readonly address: string;
}

const running: Services[] = [];

/** The services over real gRPC on 127.0.0.1, backed by a MemoryNodeApi with topic "t" (2 partitions). */
export async function startServices(
  limits: Partial<ServiceLimits> = {},
  auth?: (api: MemoryNodeApi) => AuthGuard,
): Promise<Services> {
  const api = new MemoryNodeApi();
  api.addTopic('t', 2);
  const server = createServer();
  registerClientServices(server, api, {
    logger: silentLogger(),
    limits,
    ...(auth === undefined ? {} : { auth: auth(api) }),
  });
  const address = `127.0.0.1:${await listen(server, '127.0.0.1:0')}`;
  api.address = address;
  const services = {
    api,
    server,
    address,
    broker: createClient(BrokerService, address),
    admin: createClient(AdminService, address),
  };
  running.push(services);
  return services;
}

export function stopServices(): void {
  for (const s of running.splice(0)) {
    s.broker.close();
    s.admin.close();
    s.server.forceShutdown();
  }
}

const utf8 = new TextEncoder();

/** A producer's batch (base offset 0) holding the given values. */
export function batchOf(...values: string[]): Uint8Array {
  return encodeRecordBatch({ records: values.map((v) => ({ value: utf8.encode(v) })), timestamp: 1_000 });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await sleep(5);
  }
}
