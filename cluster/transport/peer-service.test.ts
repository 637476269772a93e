import { Client, credentials } from '@grpc/grpc-js';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { AssertionError, type GroupId, type LogIndex, type NodeId } from '../../lib/index.js';
import {
  PeerService,
  RaftMessageType,
  RaftRequestSchema,
  type RaftResponse,
} from '../../proto/gen/raftlog/v1/peer_pb.js';
import { createClient, createServer, implementService, listen } from '../../rpc/index.js';
import { toProtoMessage } from './message-codec.js';
import {
  append,
  connectAll,
  createNode,
  eventually,
  heartbeat,
  received,
  serve,
  sleep,
  stopAll,
  track,
  type TestNode,
} from './test-harness.js';

const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopAll();
});

const hello = { nodeId: 1, clusterId: 'test-cluster', protocolVersion: 1, expectedNodeId: 2 };

async function receiver(): Promise<TestNode> {
  const b = createNode(2);
  await serve(b);
  return b;
}

/** A raw PeerService client speaking as node 1, or as whatever the test makes it say. */
function rawClient(address: string) {
  const client = createClient(PeerService, address, {
    channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
  });
  clients.push(client);
  return client;
}

/** Sends the frames, then collects responses until `done` holds or a refusal arrives. */
async function exchange(
  address: string,
  frames: MessageInitShape<typeof RaftRequestSchema>[],
  done: () => boolean,
  sayHello = true,
) {
  const client = rawClient(address);
  if (sayHello) await client.hello(hello);
  const call = client.raft();
  const responses: RaftResponse[] = [];
  const reading = (async () => {
    for await (const r of call.responses) responses.push(r);
  })().catch((e: unknown) => e);
  for (const f of frames) await call.send(f).catch(() => undefined);
  await eventually(() => done() || responses.some((r) => r.error !== undefined), 1000);
  call.end();
  return { responses, failure: await reading };
}

const frame = (sequence: number, messages = [toProtoMessage(5 as GroupId, heartbeat(1, 2, 5).message)]) => ({
  sequence: BigInt(sequence),
  fromNodeId: 1,
  toNodeId: 2,
  messages,
});

describe('PeerService handlers against misbehaving callers', () => {
  it('refuses a Raft stream on a connection that said no Hello', async () => {
    const b = await receiver();
    const { responses } = await exchange(b.address, [frame(1)], () => false, false);
    expect(responses[0]?.error?.message).toMatch(/no Hello/);
    expect(received(b)).toHaveLength(0);
  });

  it('refuses Hellos from another cluster, from node 0, or meant for another node', async () => {
    const b = await receiver();
    const client = rawClient(b.address);
    for (const bad of [
      { clusterId: 'other' },
      { nodeId: 0 },
      { expectedNodeId: 3 },
      { protocolVersion: 0 },
    ]) {
      await expect(client.hello({ ...hello, ...bad })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  it.each([
    ['another sender', { fromNodeId: 3 }],
    ['another receiver', { toNodeId: 7 }],
    ['a sequence gap', { sequence: 5n }],
  ])('refuses frames from %s with an error response', async (_, change) => {
    const b = await receiver();
    const { responses } = await exchange(b.address, [frame(1), { ...frame(2), ...change }], () => false);
    expect(responses.at(-1)?.error?.message).toBeTruthy();
    expect(received(b)).toHaveLength(1);
  });

  it('skips malformed messages and delivers the rest of the frame', async () => {
    const b = await receiver();
    const good = toProtoMessage(5 as GroupId, heartbeat(1, 2, 5).message);
    const messages = [
      { ...good, type: RaftMessageType.UNSPECIFIED },
      { ...good, from: 0 },
      { ...good, from: 3 },
      { ...good, to: 9 },
      { ...good, term: 2n ** 62n },
      // An append whose entry does not follow its position would rewrite a committed entry.
      toProtoMessage(5 as GroupId, { ...append(1, 2, 5, 10).message, index: 4 as LogIndex }),
      toProtoMessage(6 as GroupId, heartbeat(1, 2, 6).message),
      good,
    ];
    b.transport.setGroupFilter((g) => g !== 6);
    const { responses } = await exchange(
      b.address,
      [frame(1, messages), frame(2)],
      () => received(b).length === 2,
    );
    expect(responses.every((r) => r.error === undefined)).toBe(true);
    expect(received(b)).toHaveLength(2);
    expect(b.transport.stats()).toEqual({
      malformedMessages: 4,
      misaddressedMessages: 2,
      unknownGroupMessages: 1,
      refusedStreams: 0,
    });
    expect(b.fatal).toEqual([]);
  });

  it('survives undecodable bytes and keeps serving', async () => {
    const b = await receiver();
    const raw = new Client(b.address, credentials.createInsecure());
    clients.push(raw);
    const call = raw.makeBidiStreamRequest(
      '/raftlog.v1.PeerService/Raft',
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
    );
    const status = new Promise((resolve) => call.on('status', resolve));
    call.on('data', () => undefined);
    call.on('error', () => undefined);
    call.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    call.write(Buffer.from(toBinary(RaftRequestSchema, create(RaftRequestSchema, frame(1)))));
    await expect(status).resolves.toBeDefined();
    call.end();
    const { responses } = await exchange(b.address, [frame(1)], () => received(b).length === 1);
    expect(responses.every((r) => r.error === undefined)).toBe(true);
  });

  it('reports an assertion failure in onMessages as fatal once and delivers nothing after it', async () => {
    let calls = 0;
    const bug = new AssertionError('an impossible state');
    const onMessages = () => {
      calls++;
      throw bug;
    };
    const b = createNode(2, { onMessages });
    await serve(b);
    const { responses } = await exchange(b.address, [frame(1), frame(2)], () => b.fatal.length > 0);
    await sleep(100); // frame 2 arrives too, and is not delivered
    expect(b.fatal).toEqual([bug]);
    expect(calls).toBe(1);
    expect(responses.every((r) => r.error === undefined)).toBe(true);
  });
});

describe('flow control', () => {
  it('keeps at most windowFrames unacknowledged and drops beyond the queue bound', async () => {
    const windowFrames = 4;
    let framesSeen = 0;
    const server = track(createServer());
    implementService(server, PeerService, {
      hello: () => Promise.resolve({ nodeId: 2, clusterId: 'test-cluster', protocolVersion: 1 }),
      // Reads every frame and never acknowledges one: a peer that has stopped applying.
      async *raft(frames) {
        for await (const _ of frames) framesSeen++;
        yield* [];
      },
    });
    const port = await listen(server, '127.0.0.1:0');
    const limits = { windowFrames, queueBytesMax: 48 * 1024, queueFramesMax: 6, frameBytesMax: 8 * 1024 };
    const a = createNode(1, { limits });
    a.peers.set(2 as NodeId, `127.0.0.1:${port}`);
    let peak = 0;
    for (let turn = 0; turn < 40; turn++) {
      a.transport.send(
        2 as NodeId,
        Array.from({ length: 10 }, (_, g) => append(1, 2, g, 2000)),
      );
      peak = Math.max(peak, a.transport.queuedBytes(2 as NodeId));
      await sleep(3);
    }
    await sleep(50);
    expect(framesSeen).toBe(windowFrames);
    expect(peak).toBeLessThanOrEqual(limits.queueBytesMax);
    expect(a.transport.queuedBytes(2 as NodeId)).toBeGreaterThan(0);
    expect(a.unreachable.length).toBeGreaterThan(0);
  });

  it('moves many frames through a small window as the receiver acknowledges', async () => {
    const limits = { windowFrames: 4, windowBytes: 64 * 1024, frameBytesMax: 16 * 1024 };
    const a = createNode(1, { limits });
    const b = createNode(2, { limits });
    await serve(b);
    a.peers.set(b.id, b.address);
    await connectAll([a, b]);
    for (let turn = 0; turn < 50; turn++) {
      a.transport.send(
        b.id,
        Array.from({ length: 8 }, (_, g) => append(1, 2, g, 3000)),
      );
      await sleep(1);
    }
    await eventually(() => received(b).length === 400, 5000);
    expect(a.unreachable).toHaveLength(0);
  });
});
