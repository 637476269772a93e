import { connect, type ClientHttp2Session } from 'node:http2';
import { readFileSync } from 'node:fs';
import { create, toBinary } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../lib/index.js';
import { Acks, BrokerService, FetchRequestSchema } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { createClient } from '../../rpc/index.js';
import { parseExposition } from '../../src/cli/bench/index.js';
import { freePortRange, sleep, startCluster, type TestCluster } from './harness/index.js';

const mib = 1024 * 1024;
const topic = 'unread';
const recordBytes = 16 * 1024;
const recordsPerBatch = 48;
const batches = 12;
const answerBytes = 8 * mib;
const connectionBudget = 16 * mib;
const nodeBudget = 32 * mib;

/** A Fetch of 8 MiB from offset 0, framed as gRPC sends it. */
function fetchFrame(): Buffer {
  const request = create(FetchRequestSchema, {
    partitions: [{ topic, partition: 0, offset: 0n, partitionMaxBytes: answerBytes }],
    maxBytes: answerBytes,
  });
  const message = toBinary(FetchRequestSchema, request);
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/**
 * A connection that asks for `calls` fetches and reads nothing: HTTP/2's 64 KiB windows let only the
 * start of the first answer out, and the node holds the rest.
 */
function unreadFetches(address: string, calls: number): ClientHttp2Session {
  const session = connect(`http://${address}`);
  session.on('error', () => undefined);
  for (let i = 0; i < calls; i++) {
    const call = session.request({
      ':method': 'POST',
      ':path': '/raftlog.v1.BrokerService/Fetch',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    call.on('error', () => undefined);
    call.pause();
    call.end(fetchFrame());
  }
  return session;
}

async function scrape(address: string): Promise<(name: string, labels?: Record<string, string>) => number> {
  const text = await (await fetch(`http://${address}/metrics`)).text();
  const samples = parseExposition(text);
  return (name, labels = {}) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      ?.value ?? Number.NaN;
}

const rssBytes = (pid: number): number => {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? Number.NaN) * 1024;
};

const isSettled = async (p: Promise<unknown>): Promise<boolean> =>
  Promise.race([p.then(() => true), sleep(0).then(() => false)]);

/** One node with the test's budgets, closing stalled connections after `stallMs` (0: never). */
async function startBudgetNode(stallMs: number): Promise<{ metrics: string; cluster: TestCluster }> {
  const metrics = `127.0.0.1:${await freePortRange(1)}`;
  const cluster = await startCluster({
    nodes: 1,
    env: {
      RAFTLOG_METRICS_LISTEN: metrics,
      RAFTLOG_RESPONSE_BYTES_PER_CONNECTION_MAX: String(connectionBudget),
      RAFTLOG_RESPONSE_BYTES_PER_NODE_MAX: String(nodeBudget),
      RAFTLOG_RESPONSE_STALL_MS_MAX: String(stallMs),
    },
  });
  return { metrics, cluster };
}

/** The test topic, with `batches` batches of 48 records of 16 KiB. */
async function fillTopic(cluster: TestCluster, address: string) {
  await cluster.createTopic(topic, 1, 1);
  const broker = cluster.broker(address);
  for (let b = 0; b < batches; b++) {
    const records = Array.from({ length: recordsPerBatch }, (_, i) => ({
      value: new Uint8Array(recordBytes).fill((b * recordsPerBatch + i) % 251),
    }));
    const batch = encodeRecordBatch({ timestamp: Date.now(), records });
    await broker.produce({ topic, partition: 0, batch, acks: Acks.QUORUM });
  }
  return broker;
}

const sessions: ClientHttp2Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.destroy();
});

describe('the node-wide response budget', () => {
  it('bounds what unread fetches hold over all connections, and lets other calls in as it frees', async () => {
    // Here unread connections stay until the test lets them go (the next test closes them).
    const { metrics, cluster } = await startBudgetNode(0);
    const node = cluster.node(1);
    const broker = await fillTopic(cluster, node.address);
    const rssBefore = rssBytes(node.pid!);

    // Three connections of two unread 8 MiB answers each: 48 MiB without a node-wide bound.
    for (let i = 0; i < 3; i++) sessions.push(unreadFetches(node.address, 2));
    const held = async (): Promise<number> =>
      (await scrape(metrics))('raftlog_response_bytes_held', { listener: 'client' });
    // Full: an answer keeps what it read (a little under 8 MiB), and a fifth would not fit.
    const isFull = (bytes: number): boolean => bytes > nodeBudget - answerBytes && bytes <= nodeBudget;
    for (let i = 0; i < 100 && !isFull(await held()); i++) await sleep(100);
    await sleep(1_000);
    const full = await scrape(metrics);
    // Only what the budget holds was read: four answers, not six.
    expect(full('raftlog_fetch_bytes_total', { api: 'fetch' })).toBeLessThanOrEqual(nodeBudget);
    expect(isFull(full('raftlog_response_bytes_held', { listener: 'client' }))).toBe(true);
    const rssFull = rssBytes(node.pid!);

    // Clients that read, each on its own connection, wait behind the third connection's answers.
    const ownConnection = { channelOptions: { 'grpc.use_local_subchannel_pool': 1 } };
    const reader = createClient(BrokerService, node.address, ownConnection);
    const consumer = createClient(BrokerService, node.address, ownConnection);
    try {
      const read = reader.fetch({
        partitions: [{ topic, partition: 0, offset: 0n, partitionMaxBytes: answerBytes }],
        maxBytes: answerBytes,
      });
      const leased = consumer.lease({ queue: 'q', topic, maxMessages: 5, visibilityTimeoutMs: 60_000 });
      await sleep(1_500);
      expect(await isSettled(read)).toBe(false);
      expect(await isSettled(leased)).toBe(false);
      // Waiting for room, the lease has leased nothing: the messages stay visible.
      const stats = await broker.queueStats({ queue: 'q', topic });
      expect(stats.partitions[0]?.inFlight ?? 0n).toBe(0n);

      // The first connection leaves: its room goes to the third's answers, which came first.
      sessions[0]!.destroy();
      await sleep(1_500);
      expect(isFull(await held())).toBe(true);
      expect(await isSettled(read)).toBe(false);
      expect(await isSettled(leased)).toBe(false);

      // The second leaves: now the reader's and the consumer's turn.
      sessions[1]!.destroy();
      const answer = await read;
      const records = answer.partitions[0]?.records ?? new Uint8Array();
      expect(records.length).toBeGreaterThan(answerBytes - mib);
      const lease = await leased;
      expect(lease.messages.map((m) => m.message?.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(lease.messages.every((m) => m.message?.record?.value?.length === recordBytes)).toBe(true);

      sessions[2]!.destroy();
      for (let i = 0; i < 50 && (await held()) > 0; i++) await sleep(100);
      expect(await held()).toBe(0);
      // Nothing was lost: every record is still there, in order, and only the five answered are leased.
      const all = await cluster.readPartition(topic, 0);
      expect(all.map((r) => r.offset)).toEqual(
        Array.from({ length: batches * recordsPerBatch }, (_, i) => BigInt(i)),
      );
      const after = await broker.queueStats({ queue: 'q', topic });
      expect(after.partitions[0]?.inFlight).toBe(5n);
      console.log(
        `node RSS ${(rssBefore / mib).toFixed(0)} MiB before, ${(rssFull / mib).toFixed(0)} MiB with ` +
          `the budget full, answers held ${(full('raftlog_response_bytes_held', { listener: 'client' }) / mib).toFixed(1)} MiB, ` +
          `fetched ${(full('raftlog_fetch_bytes_total', { api: 'fetch' }) / mib).toFixed(1)} MiB`,
      );
    } finally {
      reader.close();
      consumer.close();
      await cluster.stopAll();
    }
  });

  it('closes connections whose answers stall while other calls wait, and answers those calls', async () => {
    const stallMs = 2_000;
    const { metrics, cluster } = await startBudgetNode(stallMs);
    const node = cluster.node(1);
    const reader = createClient(BrokerService, node.address, {
      channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
    });
    try {
      await fillTopic(cluster, node.address);
      const closedSessions: number[] = [];
      // Two connections of two unread answers each fill the node's budget, and nobody waits.
      for (let i = 0; i < 2; i++) {
        const session = unreadFetches(node.address, 2);
        session.on('close', () => closedSessions.push(i));
        sessions.push(session);
      }
      const held = async (): Promise<number> =>
        (await scrape(metrics))('raftlog_response_bytes_held', { listener: 'client' });
      for (let i = 0; i < 100 && (await held()) <= nodeBudget - answerBytes; i++) await sleep(100);
      // Nobody waits for the node's room: however long the answers stay unread, nothing is closed.
      await sleep(stallMs + 1_000);
      expect(closedSessions).toEqual([]);

      const asked = Date.now();
      const answer = await reader.fetch({
        partitions: [{ topic, partition: 0, offset: 0n, partitionMaxBytes: answerBytes }],
        maxBytes: answerBytes,
      });
      const waitedMs = Date.now() - asked;
      expect(answer.partitions[0]?.records?.length ?? 0).toBeGreaterThan(answerBytes - mib);
      // Every unread answer was older than the limit when the fetch came: answered at once, not after it.
      expect(waitedMs).toBeLessThan(stallMs);
      // Both unread connections went: the fetch had waited behind them.
      const after = await scrape(metrics);
      expect(after('raftlog_response_stalled_connections_closed_total', { listener: 'client' })).toBe(2);
      for (let i = 0; i < 50 && closedSessions.length < 2; i++) await sleep(100);
      expect(closedSessions.sort()).toEqual([0, 1]);
      // Nothing was lost, and the node still answers everyone.
      const all = await cluster.readPartition(topic, 0);
      expect(all).toHaveLength(batches * recordsPerBatch);
      console.log(
        `fetch answered after ${waitedMs} ms, stalled connections closed: ${closedSessions.length} of 2`,
      );
    } finally {
      reader.close();
      await cluster.stopAll();
    }
  });
});
