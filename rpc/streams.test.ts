import { create, toBinary } from '@bufbuild/protobuf';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { RaftlogError } from '../lib/index.js';
import { BrokerService, ProduceStreamRequestSchema } from '../proto/gen/raftlog/v1/broker_pb.js';
import { PeerService } from '../proto/gen/raftlog/v1/peer_pb.js';
import { eventually, sleep, startService, stopAll, unreadCall } from './test-harness.js';
import { connect } from 'node:http2';

afterEach(stopAll);

const kib = new Uint8Array(1024);
/** HTTP/2's defaults: a stream and its connection may each have 64 KiB on the way. */
const http2DefaultWindows = { streamBytes: 65_535, connectionBytes: 65_535 };

describe('streaming calls through the adapter over 127.0.0.1', () => {
  it('streams from the server until the handler returns', async () => {
    const { client } = await startService(BrokerService, {
      async *fetchStream(req) {
        const from = req.partitions[0]?.offset ?? 0n;
        for (let i = 0n; i < 50n; i++) yield { partitions: [{ topic: 't', nextOffset: from + i }] };
      },
    });
    const seen: bigint[] = [];
    for await (const r of client.fetchStream({ partitions: [{ topic: 't', offset: 100n }] })) {
      seen.push(r.partitions[0]!.nextOffset);
    }
    expect(seen).toHaveLength(50);
    expect(seen[49]).toBe(149n);
  });

  it('delivers the messages sent before a failure, then the RaftlogError', async () => {
    const { client } = await startService(BrokerService, {
      async *fetchStream() {
        yield { partitions: [{ topic: 'a' }] };
        yield { partitions: [{ topic: 'b' }] };
        throw new RaftlogError('NOT_LEADER', 'moved', { leaderHint: '127.0.0.3:1' });
      },
    });
    const topics: string[] = [];
    const failure = await (async () => {
      for await (const r of client.fetchStream({})) topics.push(r.partitions[0]!.topic);
    })().catch((e: unknown) => e);
    expect(topics).toEqual(['a', 'b']);
    expect(failure).toMatchObject({ code: 'NOT_LEADER', leaderHint: '127.0.0.3:1' });
  });

  it('runs a bidi stream with thousands of messages in order', async () => {
    const { client } = await startService(BrokerService, {
      async *produceStream(requests) {
        for await (const r of requests) {
          yield { correlationId: r.correlationId, result: { baseOffset: r.correlationId * 10n } };
        }
      },
    });
    const call = client.produceStream();
    const n = 3000;
    const sending = (async () => {
      for (let i = 0; i < n; i++) await call.send({ correlationId: BigInt(i), produce: { batch: kib } });
      call.end();
    })();
    let count = 0;
    for await (const r of call.responses) {
      expect(r.correlationId).toBe(BigInt(count));
      expect(r.result!.baseOffset).toBe(BigInt(count) * 10n);
      count++;
    }
    await sending;
    expect(count).toBe(n);
  });

  it('bounds what a slow server handler leaves unread: the sender waits', async () => {
    let consumed = 0;
    const { client } = await startService(
      PeerService,
      {
        async *raft(frames) {
          for await (const f of frames) {
            consumed++;
            if (consumed % 50 === 0) await sleep(5);
            if (f.sequence % 500n === 0n) yield { ackedSequence: f.sequence };
          }
        },
      },
      // HTTP/2's own 64 KiB windows, so the bound is the adapter's queue and not a wide window.
      { implement: { requestQueueItems: 16 }, server: { receiveWindows: http2DefaultWindows } },
    );
    const call = client.raft();
    const n = 6000;
    let sent = 0;
    let aheadMax = 0;
    for (let i = 1; i <= n; i++) {
      await call.send({ sequence: BigInt(i), messages: [{ groupId: 1n, entries: [{ data: kib }] }] });
      sent++;
      aheadMax = Math.max(aheadMax, sent - consumed);
    }
    call.end();
    const acks: bigint[] = [];
    for await (const r of call.responses) acks.push(r.ackedSequence);
    expect(consumed).toBe(n);
    expect(acks).toHaveLength(12);
    // The queue and HTTP/2 flow control hold about 1 MiB in flight; unbounded buffering would let the
    // sender run all 6 MiB ahead of the handler.
    expect(aheadMax).toBeLessThan(2048);
  });

  it('bounds what a slow client leaves unread: the server handler waits for drain', async () => {
    let produced = 0;
    const { client } = await startService(
      BrokerService,
      {
        async *fetchStream() {
          for (let i = 0; i < 6000; i++) {
            produced++;
            yield { partitions: [{ records: kib }] };
          }
        },
      },
      { client: { responseQueueItems: 16, receiveWindowBytes: http2DefaultWindows.streamBytes } },
    );
    let received = 0;
    let aheadMax = 0;
    for await (const _ of client.fetchStream({})) {
      received++;
      aheadMax = Math.max(aheadMax, produced - received);
      if (received % 50 === 0) await sleep(5);
    }
    expect(received).toBe(6000);
    expect(aheadMax).toBeLessThan(2048);
  });

  it('asks a server-streaming handler for its next push only once the last went out', async () => {
    let produced = 0;
    const push = new Uint8Array(1024 * 1024);
    const { address } = await startService(BrokerService, {
      async *fetchStream() {
        for (let i = 0; i < 64; i++) {
          produced++;
          yield { partitions: [{ records: push }] };
        }
      },
    });
    // A client that never reads: its HTTP/2 windows (64 KiB) fill and flow control stops the node.
    const session = connect(`http://${address}`);
    // The server cancels the stream and the session when the test stops it: nothing to report.
    session.on('error', () => undefined);
    const call = unreadCall(session, '/raftlog.v1.BrokerService/FetchStream');
    await sleep(500);
    // What the node holds for it: the push HTTP/2 is sending and the one the handler made meanwhile;
    // grpc-js's writable alone would have taken 16 more.
    expect(produced).toBeGreaterThanOrEqual(1);
    expect(produced).toBeLessThanOrEqual(4);
    call.close();
    session.destroy();
  });

  it('propagates client cancellation to a server-streaming handler', async () => {
    let aborted = false;
    const { client } = await startService(BrokerService, {
      async *fetchStream(_req, ctx) {
        ctx.signal.addEventListener('abort', () => (aborted = true));
        while (!ctx.signal.aborted) {
          yield {};
          await sleep(5);
        }
      },
    });
    const controller = new AbortController();
    let received = 0;
    const failure = await (async () => {
      for await (const _ of client.fetchStream({}, { signal: controller.signal })) {
        if (++received === 3) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'CANCELLED' });
    await eventually(() => aborted);
  });

  it('cancels the call when the consumer leaves the loop early', async () => {
    let aborted = false;
    const { client } = await startService(BrokerService, {
      async *fetchStream(_req, ctx) {
        ctx.signal.addEventListener('abort', () => (aborted = true));
        for (;;) {
          yield {};
          await sleep(5);
        }
      },
    });
    for await (const _ of client.fetchStream({})) break;
    await eventually(() => aborted);
  });

  it('ends a bidi handler on cancel: its request iterable throws CANCELLED', async () => {
    let handlerSaw: unknown;
    const { client } = await startService(BrokerService, {
      async *produceStream(requests, ctx) {
        try {
          for await (const r of requests) yield { correlationId: r.correlationId };
        } catch (e) {
          handlerSaw = e;
          expect(ctx.signal.aborted).toBe(true);
        }
      },
    });
    const call = client.produceStream();
    await call.send({ correlationId: 1n });
    for await (const r of call.responses) {
      expect(r.correlationId).toBe(1n);
      break;
    }
    await eventually(() => handlerSaw !== undefined);
    expect(handlerSaw).toMatchObject({ code: 'CANCELLED' });
    await expect(call.send({ correlationId: 2n })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('fails a stream past its deadline with TIMEOUT', async () => {
    const { client } = await startService(BrokerService, {
      async *fetchStream(_req, ctx) {
        while (!ctx.signal.aborted) {
          yield {};
          await sleep(10);
        }
      },
    });
    await expect(
      (async () => {
        for await (const _ of client.fetchStream({}, { timeoutMs: 100 }));
      })(),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('ends a bidi call with INVALID_ARGUMENT at the first undecodable frame, after the good ones', async () => {
    const seen: bigint[] = [];
    const { client, address } = await startService(BrokerService, {
      async *produceStream(requests) {
        for await (const r of requests) {
          seen.push(r.correlationId);
          yield { correlationId: r.correlationId };
        }
      },
    });
    const raw = new Client(address, credentials.createInsecure());
    try {
      const call = raw.makeBidiStreamRequest(
        '/raftlog.v1.BrokerService/ProduceStream',
        (b: Buffer) => b,
        (b: Buffer) => b,
        new Metadata(),
      );
      const ended = new Promise<ServiceError>((resolve) => call.on('error', resolve));
      call.on('data', () => {});
      call.write(
        Buffer.from(
          toBinary(ProduceStreamRequestSchema, create(ProduceStreamRequestSchema, { correlationId: 7n })),
        ),
      );
      call.write(Buffer.from([0x0f, 1, 2, 3]));
      const error = await ended;
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.metadata.get('raftlog-error-code')).toEqual(['INVALID_ARGUMENT']);
      expect(seen).toEqual([7n]);
    } finally {
      raw.close();
    }
    const call = client.produceStream();
    await call.send({ correlationId: 8n });
    call.end();
    const ids: bigint[] = [];
    for await (const r of call.responses) ids.push(r.correlationId);
    expect(ids).toEqual([8n]);
  });

  it('answers UNIMPLEMENTED on streams without a handler', async () => {
    const { client } = await startService(BrokerService, {});
    const call = client.produceStream();
    await expect(
      (async () => {
        for await (const _ of call.responses);
      })(),
    ).rejects.toMatchObject({ code: 'UNIMPLEMENTED' });
    await expect(
      (async () => {
        for await (const _ of client.fetchStream({}));
      })(),
    ).rejects.toMatchObject({ code: 'UNIMPLEMENTED' });
  });
});
