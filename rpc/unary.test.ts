import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { Prng, RaftlogError } from '../lib/index.js';
import { AdminService } from '../proto/gen/raftlog/v1/admin_pb.js';
import { BrokerService } from '../proto/gen/raftlog/v1/broker_pb.js';
import { eventually, startService, stopAll } from './test-harness.js';

afterEach(stopAll);

describe('unary calls through the adapter over 127.0.0.1', () => {
  it('carries typed messages, 64-bit fields, request metadata and the peer', async () => {
    const { client } = await startService(BrokerService, {
      produce: async (req, ctx) => ({
        topic: req.topic,
        partition: req.partition,
        baseOffset: 2n ** 40n + BigInt(req.batch.length),
        replicasFsynced: 3,
        acksAchieved: req.acks,
        error: {
          message: `${String(ctx.metadata.get('x-client')[0])}@${/^127\.0\.0\.1:\d+$/.test(ctx.peer)}`,
        },
      }),
    });
    const res = await client.produce(
      { topic: 't', partition: 2, batch: new Uint8Array(5), acks: 3 },
      { metadata: { 'x-client': 'test' } },
    );
    expect(res.topic).toBe('t');
    expect(res.partition).toBe(2);
    expect(res.baseOffset).toBe(2n ** 40n + 5n);
    expect(res.acksAchieved).toBe(3);
    expect(res.error?.message).toBe('test@true');
  });

  it('carries a RaftlogError code, retriable flag and leader hint; hides other errors', async () => {
    const leaked: unknown[] = [];
    const { client } = await startService(
      BrokerService,
      {
        produce: async () => {
          throw new RaftlogError('NOT_LEADER', 'not the leader of t/0', { leaderHint: '127.0.0.2:9092' });
        },
        initProducer: async () => {
          throw new RaftlogError('PRODUCER_FENCED', 'epoch 3 is fenced by 4');
        },
        fetch: async () => {
          throw new Error('secret internals');
        },
      },
      { implement: { onInternalError: (e) => leaked.push(e) } },
    );
    const notLeader = await client.produce({ topic: 't' }).catch((e: unknown) => e);
    expect(notLeader).toBeInstanceOf(RaftlogError);
    expect(notLeader).toMatchObject({
      code: 'NOT_LEADER',
      retriable: true,
      leaderHint: '127.0.0.2:9092',
      message: 'not the leader of t/0',
    });
    const cause = (notLeader as RaftlogError).cause as ServiceError;
    expect(cause.code).toBe(status.FAILED_PRECONDITION);
    expect(cause.metadata.get('raftlog-retriable')).toEqual(['true']);
    await expect(client.initProducer({})).rejects.toMatchObject({
      code: 'PRODUCER_FENCED',
      retriable: false,
    });
    const internal = await client.fetch({}).catch((e: unknown) => e);
    expect(internal).toMatchObject({ code: 'INTERNAL', retriable: false });
    expect(String((internal as Error).message)).not.toMatch(/secret/);
    expect(((internal as Error).cause as ServiceError).code).toBe(status.INTERNAL);
    expect(leaked).toHaveLength(1);
  });

  it('answers UNIMPLEMENTED for a method without a handler', async () => {
    const { client } = await startService(AdminService, {});
    await expect(client.createTopic({ name: 't' })).rejects.toMatchObject({
      code: 'UNIMPLEMENTED',
      retriable: false,
      message: 'raftlog.v1.AdminService.CreateTopic is not implemented',
    });
  });

  it('fails past its deadline with TIMEOUT and aborts the handler', async () => {
    let handlerSaw: unknown;
    const { client } = await startService(BrokerService, {
      metadata: (_req, ctx) =>
        new Promise((_resolve, reject) => {
          expect(ctx.deadlineMs).toBeLessThan(Date.now() + 1_000);
          ctx.signal.addEventListener('abort', () => {
            handlerSaw = ctx.signal.reason;
            reject(new RaftlogError('CANCELLED', 'gave up'));
          });
        }),
    });
    const started = Date.now();
    await expect(client.metadata({}, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'TIMEOUT',
      retriable: true,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    await eventually(() => handlerSaw !== undefined);
    expect(handlerSaw).toBeInstanceOf(RaftlogError);
  });

  it('cancels through an AbortSignal: the client gets CANCELLED, the handler sees its signal abort', async () => {
    let aborted = false;
    const { client } = await startService(BrokerService, {
      metadata: (_req, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new RaftlogError('CANCELLED', 'gone'));
          });
        }),
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(client.metadata({}, { signal: controller.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    await eventually(() => aborted);
  });

  it('rejects oversized messages with RESOURCE_EXHAUSTED on both sides and keeps serving', async () => {
    const { client, address } = await startService(
      BrokerService,
      {
        produce: async () => ({ baseOffset: 1n }),
        fetch: async () => ({ partitions: [{ records: new Uint8Array(256 * 1024) }] }),
      },
      { server: { receiveMessageBytesMax: 64 * 1024 } },
    );
    const tooBig = await client.produce({ batch: new Uint8Array(128 * 1024) }).catch((e: unknown) => e);
    expect(tooBig).toMatchObject({ code: 'MESSAGE_TOO_LARGE', retriable: false });
    expect(((tooBig as Error).cause as ServiceError).code).toBe(status.RESOURCE_EXHAUSTED);
    await expect(client.produce({ batch: new Uint8Array(1024) })).resolves.toMatchObject({ baseOffset: 1n });

    const { createClient } = await import('./index.js');
    const small = createClient(BrokerService, address, { receiveMessageBytesMax: 64 * 1024 });
    try {
      const fromServer = await small.fetch({}).catch((e: unknown) => e);
      expect(((fromServer as Error).cause as ServiceError).code).toBe(status.RESOURCE_EXHAUSTED);
    } finally {
      small.close();
    }
  });

  it('answers garbage bytes with an error status and keeps serving', async () => {
    let calls = 0;
    const { client, address } = await startService(BrokerService, {
      produce: async () => ({ baseOffset: BigInt(++calls) }),
    });
    const raw = new Client(address, credentials.createInsecure());
    const send = (payload: Buffer) =>
      new Promise<ServiceError | null>((resolve) =>
        raw.makeUnaryRequest(
          '/raftlog.v1.BrokerService/Produce',
          (b: Buffer) => b,
          (b: Buffer) => b,
          payload,
          new Metadata(),
          (e) => resolve(e),
        ),
      );
    try {
      // Wire type 7 does not exist: this can never decode.
      const refused = await send(Buffer.from([0x0f, 1, 2, 3]));
      expect(refused?.code).toBe(status.INVALID_ARGUMENT);
      expect(refused?.metadata.get('raftlog-error-code')).toEqual(['INVALID_ARGUMENT']);
      expect(refused?.details).toMatch(/not a valid raftlog\.v1\.ProduceRequest/);
      const prng = new Prng(42);
      for (let i = 0; i < 30; i++) {
        const junk = Buffer.from(
          Array.from({ length: prng.intBetween(1, 200) }, () => prng.nextUint32() & 0xff),
        );
        expect([undefined, status.INVALID_ARGUMENT]).toContain((await send(junk))?.code);
      }
    } finally {
      raw.close();
    }
    const before = calls;
    await expect(client.produce({})).resolves.toMatchObject({ baseOffset: BigInt(before + 1) });
  });
});
