import { readFile } from 'node:fs/promises';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { createServiceDefinition } from '../../rpc/index.js';
import { BrokerService, ProduceRecordsRequestSchema } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { sleep, startCluster } from './harness/index.js';

const topic = 'traced';
const produceRecords = createServiceDefinition(BrokerService)['produceRecords'] as grpc.MethodDefinition<
  unknown,
  unknown
>;

/** One ProduceRecords call; resolves with the x-request-id the node answered with. */
function produce(address: string, requestId: string | undefined): Promise<string | undefined> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (requestId !== undefined) metadata.set('x-request-id', requestId);
  const request = create(ProduceRecordsRequestSchema, {
    topic,
    partition: 0,
    records: [{ value: new TextEncoder().encode('v') }],
  });
  return new Promise((resolve, reject) => {
    let answered: string | undefined;
    const call = client.makeUnaryRequest(
      produceRecords.path,
      produceRecords.requestSerialize,
      produceRecords.responseDeserialize,
      request,
      metadata,
      { deadline: Date.now() + 10_000 },
      (error) => {
        client.close();
        if (error) reject(error);
        else resolve(answered);
      },
    );
    call.on('metadata', (m: grpc.Metadata) => {
      const value = m.get('x-request-id')[0];
      answered = typeof value === 'string' ? value : undefined;
    });
  });
}

async function logLines(file: string, requestId: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.includes(requestId))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function eventually<T>(get: () => Promise<T[]>, withinMs = 5_000): Promise<T[]> {
  const until = Date.now() + withinMs;
  for (;;) {
    const found = await get();
    if (found.length > 0 || Date.now() > until) return found;
    await sleep(100);
  }
}

describe('request ids', () => {
  it('answers with the client’s id, logs it on both nodes of a forwarded produce, and makes one up when none is sent', async () => {
    const cluster = await startCluster({ nodes: 3, env: { RAFTLOG_LOG_LEVEL: 'debug' } });
    await cluster.createTopic(topic, 1, 3);
    const leader = (await cluster.waitForLeader(topic, 0)).leaderId;
    const follower = cluster.nodes.find((n) => n.id !== leader);
    if (follower === undefined) throw new Error('no follower');

    const id = `trace-${Date.now()}`;
    expect(await produce(follower.address, id)).toBe(id);

    const atFollower = await eventually(() => logLines(follower.logFile, id));
    expect(atFollower).toContainEqual(
      expect.objectContaining({
        requestId: id,
        node: follower.id,
        method: '/raftlog.v1.BrokerService/ProduceRecords',
        msg: 'call served',
        code: 'OK',
      }),
    );
    // The follower forwarded the batch to the leader with the same id; there it reached the group.
    const atLeader = await eventually(() => logLines(cluster.node(leader).logFile, id));
    const served = atLeader.find((l) => l['method'] === '/raftlog.v1.BrokerService/Produce');
    expect(served).toMatchObject({ requestId: id, node: leader, msg: 'call served', code: 'OK' });
    expect(served?.['group']).toEqual(expect.any(Number));
    expect(served?.['term']).toEqual(expect.any(Number));

    const made = await produce(cluster.node(leader).address, undefined);
    expect(made).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // An id that is no printable token is replaced, not echoed.
    expect(await produce(cluster.node(leader).address, 'x'.repeat(200))).not.toBe('x'.repeat(200));
  }, 90_000);
});
