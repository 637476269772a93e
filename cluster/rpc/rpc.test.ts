import { Client, credentials, Metadata, type Server, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { errorCodes, RaftlogError, type ErrorCode } from '../../lib/index.js';
import { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode as ProtoErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { createClient, createServer, implementService, listen, type ServiceImpl } from './index.js';

const open: { server: Server; close: () => void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) {
    o.close();
    o.server.forceShutdown();
  }
});

async function start(impl: ServiceImpl<typeof BrokerService>, messageBytesMax?: number) {
  const server = createServer(messageBytesMax === undefined ? {} : { messageBytesMax });
  implementService(server, BrokerService, impl);
  const port = await listen(server, '127.0.0.1:0');
  const client = createClient(BrokerService, `127.0.0.1:${port}`);
  open.push({ server, close: () => client.close() });
  return { client, port };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('gRPC adapter over 127.0.0.1', () => {
  it('serves unary calls with typed messages', async () => {
    const { client } = await start({
      metadata: async (req) => ({ clusterId: `c-${req.topics.join(',')}`, controllerId: 3 }),
    });
    const res = await client.metadata({ topics: ['a', 'b'] });
    expect(res.clusterId).toBe('c-a,b');
    expect(res.controllerId).toBe(3);
  });

  it('streams from the server until done', async () => {
    const { client } = await start({
      async *fetchStream(req) {
        for (let i = 0; i < 50; i++) yield { fetch: { highWatermark: req.fetch!.offset + BigInt(i) } };
      },
    });
    const seen: bigint[] = [];
    for await (const r of client.fetchStream({ fetch: { topic: 't', offset: 100n } }))
      seen.push(r.fetch!.highWatermark);
    expect(seen).toHaveLength(50);
    expect(seen[49]).toBe(149n);
  });

  it('runs a bidi stream with many messages in flight and a slow consumer', async () => {
    const { client } = await start({
      async *produceStream(requests) {
        for await (const r of requests) {
          yield { correlationId: r.correlationId, produce: { baseOffset: r.correlationId * 10n } };
        }
      },
    });
    const call = client.produceStream();
    const n = 2000;
    const sending = (async () => {
      for (let i = 0; i < n; i++)
        await call.send({ correlationId: BigInt(i), produce: { batch: new Uint8Array(1024) } });
      call.end();
    })();
    let count = 0;
    for await (const r of call.responses) {
      expect(r.produce!.baseOffset).toBe(BigInt(count) * 10n);
      count++;
      if (count % 500 === 0) await sleep(20);
    }
    await sending;
    expect(count).toBe(n);
  });

  it('fails a call past its deadline with TIMEOUT and aborts the handler', async () => {
    let handlerAborted = false;
    const { client } = await start({
      metadata: (_req, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            handlerAborted = true;
            reject(new RaftlogError('CANCELLED', 'gone'));
          });
        }),
    });
    await expect(client.metadata({}, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'TIMEOUT',
      retriable: true,
    });
    await sleep(100);
    expect(handlerAborted).toBe(true);
  });

  it('propagates client cancellation to a streaming handler', async () => {
    let aborted = false;
    const { client } = await start({
      async *fetchStream(_req, ctx) {
        ctx.signal.addEventListener('abort', () => (aborted = true));
        while (!ctx.signal.aborted) {
          yield { fetch: {} };
          await sleep(10);
        }
      },
    });
    const controller = new AbortController();
    let received = 0;
    await expect(
      (async () => {
        for await (const _ of client.fetchStream({}, { signal: controller.signal })) {
          if (++received === 3) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    await sleep(100);
    expect(aborted).toBe(true);
  });

  it('carries our error code, retriable flag and leader hint', async () => {
    const { client } = await start({
      produce: async () => {
        throw new RaftlogError('NOT_LEADER', 'not the leader of t/0', { leaderHint: '127.0.0.1:9092' });
      },
      fetch: async () => {
        throw new Error('secret internals');
      },
    });
    await expect(client.produce({ topic: 't' })).rejects.toMatchObject({
      code: 'NOT_LEADER',
      retriable: true,
      leaderHint: '127.0.0.1:9092',
      message: 'not the leader of t/0',
    });
    const internal = await client.fetch({}).catch((e: unknown) => e);
    expect(internal).toMatchObject({ code: 'INTERNAL' });
    expect((internal as Error).message).not.toMatch(/secret/);
  });

  it('answers UNIMPLEMENTED for a method without a handler', async () => {
    const { client } = await start({});
    await expect(client.initProducer({})).rejects.toMatchObject({ code: 'UNIMPLEMENTED', retriable: false });
    const call = client.produceStream();
    await expect(
      (async () => {
        for await (const _ of call.responses);
      })(),
    ).rejects.toMatchObject({ code: 'UNIMPLEMENTED' });
  });

  it('rejects an oversized message and keeps serving', async () => {
    const { client } = await start({ produce: async () => ({ baseOffset: 1n }) }, 64 * 1024);
    await expect(client.produce({ batch: new Uint8Array(128 * 1024) })).rejects.toMatchObject({
      code: 'RESOURCE_EXHAUSTED',
    });
    await expect(client.produce({ batch: new Uint8Array(1024) })).resolves.toMatchObject({ baseOffset: 1n });
  });

  it('survives garbage bytes and keeps serving', async () => {
    const { client, port } = await start({ produce: async () => ({ baseOffset: 7n }) });
    const raw = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99, 0x01, 0x02]);
    const error = await new Promise<ServiceError | null>((resolve) =>
      raw.makeUnaryRequest(
        '/raftlog.v1.BrokerService/Produce',
        (b: Buffer) => b,
        (b: Buffer) => b,
        garbage,
        new Metadata(),
        (e) => resolve(e),
      ),
    );
    raw.close();
    expect(error).not.toBeNull();
    expect(error!.code).not.toBe(0);
    await expect(client.produce({})).resolves.toMatchObject({ baseOffset: 7n });
  });
});

describe('the error contract', () => {
  it('names the same codes in the proto enum and in lib', () => {
    const protoNames = Object.keys(ProtoErrorCode)
      .filter((k) => Number.isNaN(Number(k)) && k !== 'UNSPECIFIED')
      .sort();
    const libNames = (Object.keys(errorCodes) as ErrorCode[]).sort();
    expect(protoNames).toEqual(libNames);
  });
});
