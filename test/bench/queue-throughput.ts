// Queue receive+ack throughput: a topic is filled with 1 KiB messages, then competing consumers
// lease (up to --batch per call, one call per partition leader) and ack each lease's messages in
// one call, until every message is acked. Against a running cluster; prints JSON per run.
// Usage: node --import tsx test/bench/queue-throughput.ts [--bootstrap 127.0.0.1:9091]
//   [--count 50000] [--partitions 3] [--consumers 3] [--batch 250] [--runs 1]
import { performance } from 'node:perf_hooks';
import { createClient, type ServiceClient } from '../../rpc/index.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}

const bootstrap = option('bootstrap', '127.0.0.1:9091');
const count = Number(option('count', '50000'));
const partitions = Number(option('partitions', '3'));
const consumers = Number(option('consumers', '3'));
const batch = Number(option('batch', '250'));
const runs = Number(option('runs', '1'));
const value = new Uint8Array(1024).fill(120);
type Broker = ServiceClient<typeof BrokerService>;

const admin = createClient(AdminService, bootstrap);
const broker = createClient(BrokerService, bootstrap);

async function leaders(topic: string): Promise<Map<number, Broker>> {
  for (;;) {
    const meta = await broker.metadata({ topics: [topic] });
    const nodes = new Map(meta.brokers.map((b) => [b.nodeId, b.address]));
    const parts = meta.topics[0]?.partitions ?? [];
    if (parts.length === partitions && parts.every((p) => p.leaderId !== 0)) {
      return new Map(parts.map((p) => [p.partition, createClient(BrokerService, nodes.get(p.leaderId)!)]));
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function fill(topic: string, clients: Map<number, Broker>): Promise<void> {
  const perRequest = 250;
  const records = Array.from({ length: perRequest }, () => ({ value }));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const partition = (next / perRequest) % partitions;
      next += perRequest;
      await clients.get(partition)!.produceRecords({ topic, partition, records });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

const spent = { leaseMs: 0, ackMs: 0, leases: 0 };

async function drain(topic: string, clients: Map<number, Broker>): Promise<number> {
  let acked = 0;
  const consumer = async (): Promise<void> => {
    while (acked < count) {
      for (const [partition, client] of clients) {
        const t0 = performance.now();
        const leased = await client.lease({
          queue: 'bench',
          topic,
          partitions: [partition],
          maxMessages: batch,
          visibilityTimeoutMs: 60_000,
        });
        const t1 = performance.now();
        spent.leaseMs += t1 - t0;
        spent.leases++;
        if (leased.messages.length === 0) continue;
        const leases = leased.messages.map((m) => ({
          topic,
          partition,
          offset: m.message!.offset,
          leaseId: m.leaseId,
        }));
        const result = await client.ack({ queue: 'bench', leases });
        acked += result.results.filter((r) => r.error === undefined).length;
        spent.ackMs += performance.now() - t1;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: consumers }, consumer));
  return (performance.now() - started) / 1000;
}

for (let run = 0; run < runs; run++) {
  const topic = `queue-bench-${Date.now()}`;
  await admin.createTopic({ name: topic, partitions, replicationFactor: 3 }, { timeoutMs: 30_000 });
  // Metadata may name a replica before its election settles: give the new groups their leaders first.
  await new Promise((r) => setTimeout(r, 3_000));
  const clients = await leaders(topic);
  const fillStart = performance.now();
  await fill(topic, clients);
  const fillSeconds = (performance.now() - fillStart) / 1000;
  Object.assign(spent, { leaseMs: 0, ackMs: 0, leases: 0 });
  const seconds = await drain(topic, clients);
  for (const c of clients.values()) c.close();
  console.log(
    JSON.stringify({
      messages: count,
      partitions,
      consumers,
      batch,
      produceRecordsPerSec: Math.round(count / fillSeconds),
      receiveAckSeconds: +seconds.toFixed(2),
      receiveAckPerSec: Math.round(count / seconds),
      meanLeaseMs: +(spent.leaseMs / Math.max(1, spent.leases)).toFixed(1),
      meanAckMs: +(spent.ackMs / Math.max(1, spent.leases)).toFixed(1),
    }),
  );
}
admin.close();
broker.close();
