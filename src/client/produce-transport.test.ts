import { createServer, type Http2Server } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../rpc/index.js';
import { Acks, BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { StreamProduceTransport } from './produce-transport.js';

const servers: Http2Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const call = { topic: 't', partition: 0, batch: new Uint8Array([1]), acks: Acks.QUORUM, timeoutMs: 5_000 };

/**
 * An HTTP/2 server that takes a call's first message and then resets the stream with NO_ERROR and
 * no gRPC status, as a node does to the calls still open when it stops.
 */
async function resettingServer(): Promise<string> {
  const server = createServer();
  servers.push(server);
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.once('data', () => stream.close(0));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no address');
  return `127.0.0.1:${address.port}`;
}

describe('StreamProduceTransport', () => {
  it('fails the batches of a stream reset under it as retriable', async () => {
    const address = await resettingServer();
    const client = createClient(BrokerService, address);
    const transport = new StreamProduceTransport({ broker: () => client });
    const error = await transport.produce(address, call).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ retriable: true });
    transport.close();
    client.close();
  });
});
