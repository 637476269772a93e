import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import type { DescMethod, DescService } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { SecurityService } from '../../proto/gen/raftlog/v1/security_pb.js';
import { messageBytes, rawCall, type CallOutcome, type FuzzVocabulary } from './fuzz/index.js';
import {
  PartitionWriter,
  startCluster,
  verifyPartition,
  type TestCluster,
  type TestNode,
} from './harness/index.js';

// A minute by default, as long as anyone likes with RAFTLOG_FUZZ_MS.
const fuzzMs = Number(process.env.RAFTLOG_FUZZ_MS ?? 60_000);
const seed = Number(process.env.RAFTLOG_FUZZ_SEED ?? Date.now() % 2 ** 31);
const topic = 'fuzz';
const adminTopic = 'fuzz-admin';
const partitions = 3;
const callDeadlineMs = 3_000;
const workers = 4;
// Answers that mean "the server threw where it should have said what was wrong".
const unclear = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN]);
// Valid forms of these are authorised changes of membership, not wrong requests: they get garbage only.
const garbageOnly = new Set(['AddNode', 'RemoveNode']);

interface Target {
  readonly node: TestNode;
  readonly port: 'client' | 'peer';
  readonly method: DescMethod;
  readonly vocabulary: FuzzVocabulary;
  readonly label: string;
}

describe('fuzzing a running 3-node cluster', () => {
  let cluster: TestCluster;
  let writers: PartitionWriter[];
  const clients = new Map<string, grpc.Client>();

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, partitions, 3);
    await cluster.createTopic(adminTopic, 1, 3);
    writers = Array.from({ length: partitions }, (_, p) => new PartitionWriter(cluster, topic, p));
    for (const w of writers) await w.write(50);
  }, 120_000);

  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await cluster.stopAll();
    await rm(cluster.dir, { recursive: true, force: true });
  });

  const clientFor = (address: string): grpc.Client => {
    let client = clients.get(address);
    if (client === undefined) {
      client = new grpc.Client(address, grpc.credentials.createInsecure());
      clients.set(address, client);
    }
    return client;
  };

  it(
    `answers random and well-typed wrong requests on client and peer ports for ${fuzzMs} ms`,
    async () => {
      const stop = new AbortController();
      const writing = writers.map((w) => w.writeUntil(stop.signal, 20));
      const acksBefore = writers.map((w) => w.ledger.acked.length);
      const outcomes: CallOutcome[] = [];
      const unclearAnswers: string[] = [];
      const targets = fuzzTargets(cluster.nodes);
      const call = async ([target, frames]: [Target, Uint8Array[]]): Promise<boolean> => {
        const address = target.port === 'client' ? target.node.address : target.node.peerAddress;
        const outcome = await rawCall(clientFor(address), target.method, frames, callDeadlineMs);
        outcomes.push(outcome);
        if (unclear.has(outcome.code)) unclearAnswers.push(`${target.label}: ${outcome.details}`);
        return !unclear.has(outcome.code);
      };
      const property = fc.asyncProperty(
        fc.constantFrom(...targets).chain((t) => fc.tuple(fc.constant(t), requestFrames(t))),
        call,
      );
      const runs = Array.from({ length: workers }, (_, i) =>
        fc.assert(property, {
          seed: seed + i,
          numRuns: Number.MAX_SAFE_INTEGER,
          interruptAfterTimeLimit: fuzzMs,
          markInterruptAsFailure: false,
        }),
      );
      const raw = garbageOnTheWire(cluster.nodes, fuzzMs);
      try {
        await Promise.all([...runs, raw]).catch((error: unknown) => {
          throw new Error(`unclear answers: ${unclearAnswers.slice(0, 10).join('; ')}`, { cause: error });
        });
      } finally {
        stop.abort();
        await Promise.allSettled(writing);
      }
      console.log(`fuzz seed ${seed}: ${outcomes.length} calls, ${summarize(outcomes)}`);
      expect(outcomes.length).toBeGreaterThan(100);
      for (const node of cluster.nodes) expect(node.running, `node ${node.id} is down`).toBe(true);
      writers.forEach((w, p) =>
        expect(w.ledger.acked.length, `partition ${p} took no write while fuzzed`).toBeGreaterThan(
          acksBefore[p]!,
        ),
      );
    },
    fuzzMs + 120_000,
  );

  it('after it: every partition writable and every acknowledged record readable', async () => {
    for (const w of writers) await w.write(20);
    for (let p = 0; p < partitions; p++) {
      const read = await cluster.readPartition(topic, p, { timeoutMs: 20_000 });
      verifyPartition(writers[p]!.ledger, read);
    }
  }, 120_000);
});

function fuzzTargets(nodes: readonly TestNode[]): Target[] {
  const broker: FuzzVocabulary = { strings: [topic, 'group-1', 'txn-1'] };
  const admin: FuzzVocabulary = { strings: [adminTopic, 'group-1', 'txn-1'] };
  const peer: FuzzVocabulary = { strings: [topic, adminTopic, 'raftlog'] };
  const of = (service: DescService, port: Target['port'], vocabulary: FuzzVocabulary): Target[] =>
    nodes.flatMap((node) =>
      service.methods.map((method) => {
        const label = `node ${node.id} ${port} port ${service.name}.${method.name}`;
        return { node, port, method, vocabulary, label, [fc.toStringMethod]: () => label };
      }),
    );
  return [
    ...of(BrokerService, 'client', broker),
    ...of(AdminService, 'client', admin),
    ...of(SecurityService, 'client', admin),
    ...of(PeerService, 'peer', peer),
  ];
}

function requestFrames(target: Target): fc.Arbitrary<Uint8Array[]> {
  const garbage = fc.array(fc.uint8Array({ maxLength: 2048 }), { minLength: 1, maxLength: 4 });
  if (garbageOnly.has(target.method.name)) return garbage;
  const typed = fc.array(messageBytes(target.method.input, target.vocabulary), {
    minLength: 1,
    maxLength: 4,
  });
  return fc.oneof({ weight: 1, arbitrary: garbage }, { weight: 4, arbitrary: typed });
}

/** Raw TCP: random bytes, and an HTTP/2 preface followed by random frames, at every port. */
async function garbageOnTheWire(nodes: readonly TestNode[], ms: number): Promise<void> {
  const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  const until = Date.now() + ms;
  let round = 0;
  while (Date.now() < until) {
    const node = nodes[round % nodes.length]!;
    const address = round % 2 === 0 ? node.address : node.peerAddress;
    const junk = Buffer.from(
      fc.sample(fc.uint8Array({ minLength: 1, maxLength: 8192 }), { numRuns: 1, seed: seed + round })[0]!,
    );
    await sendAndClose(address, round % 3 === 0 ? Buffer.concat([preface, junk]) : junk);
    round++;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function sendAndClose(address: string, bytes: Buffer): Promise<void> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect(Number(port), host, () => socket.end(bytes));
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.resume();
  });
}

function summarize(outcomes: readonly CallOutcome[]): string {
  const byCode = new Map<string, number>();
  for (const o of outcomes) {
    const name = grpc.status[o.code] ?? String(o.code);
    byCode.set(name, (byCode.get(name) ?? 0) + 1);
  }
  return [...byCode].map(([code, n]) => `${code} ${n}`).join(', ');
}
