import type { Server } from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, implementService, listen } from '../../rpc/index.js';
import { AdminService, ClusterStatusResponseSchema } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { waitAllAlive } from './wait-all-alive.js';

/** A node whose controller state counts node 3 alive only from its `aliveFromCall`th status call on. */
class FakeNode {
  calls = 0;
  aliveFromCall = 0;
  server: Server | undefined;
  address = '';

  async serve(): Promise<void> {
    this.server = createServer();
    implementService(this.server, AdminService, {
      clusterStatus: () => {
        this.calls++;
        const nodes = [1, 2, 3].map((nodeId) => ({
          nodeId,
          alive: nodeId !== 3 || this.calls >= this.aliveFromCall,
        }));
        return Promise.resolve(create(ClusterStatusResponseSchema, { nodes }));
      },
    });
    this.address = `127.0.0.1:${await listen(this.server, '127.0.0.1:0')}`;
  }
}

const node = new FakeNode();
beforeAll(() => node.serve());
afterAll(() => node.server?.forceShutdown());

describe('waitAllAlive', () => {
  it('waits past healthy nodes until the controller counts every one of them alive', async () => {
    node.calls = 0;
    node.aliveFromCall = 4;
    await waitAllAlive(node.address, [1, 2, 3], 5_000);
    expect(node.calls).toBe(4);
  });

  it('names the nodes still missing when it gives up', async () => {
    node.calls = 0;
    node.aliveFromCall = Number.POSITIVE_INFINITY;
    await expect(waitAllAlive(node.address, [1, 2, 3], 400)).rejects.toThrow(
      /not all alive to the controller after 400 ms \(not yet alive: 3\)/,
    );
  });

  it('stops when asked', async () => {
    node.aliveFromCall = Number.POSITIVE_INFINITY;
    const abort = new AbortController();
    const waiting = waitAllAlive(node.address, [1, 2, 3], 5_000, abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow(/stopped waiting/);
  });
});
