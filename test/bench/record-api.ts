// Produce throughput of the record-level API against the batch API from a TypeScript gRPC client:
// 1 KiB records, 100 per request, a fixed number of requests in flight, acks=quorum, against a
// running cluster. Prints JSON per API.
// Usage: node --import tsx test/bench/record-api.ts [--bootstrap 127.0.0.1:9091] [--count 50000]
import { performance } from 'node:perf_hooks';
import { createClient } from '../../rpc/index.js';
import { encodeRecordBatch } from '../../lib/index.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}

const bootstrap = option('bootstrap', '127.0.0.1:9091');
const count = Number(option('count', '50000'));
const perRequest = 100;
const inFlight = 8;
const value = new Uint8Array(1024).fill(120);

const admin = createClient(AdminService, bootstrap);
const broker = createClient(BrokerService, bootstrap);

async function leaders(topic: string): Promise<Map<number, string>> {
  const meta = await broker.metadata({ topics: [topic] });
  const nodes = new Map(meta.brokers.map((b) => [b.nodeId, b.address]));
  const out = new Map<number, string>();
  for (const p of meta.topics[0]?.partitions ?? []) out.set(p.partition, nodes.get(p.leaderId) ?? bootstrap);
  return out;
}

async function run(api: 'records' | 'batch'): Promise<object> {
  const topic = `bench-${api}-${Date.now()}`;
  await admin.createTopic({ name: topic, partitions: 3, replicationFactor: 3 }, { timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 2_000));
  const clients = new Map([...(await leaders(topic))].map(([p, a]) => [p, createClient(BrokerService, a)]));
  const records = Array.from({ length: perRequest }, () => ({ value }));
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const partition = (next / perRequest) % 3;
      next += perRequest;
      const client = clients.get(partition)!;
      if (api === 'records') await client.produceRecords({ topic, partition, records });
      else {
        const batch = encodeRecordBatch({ records, timestamp: Date.now() });
        await client.produce({ topic, partition, batch });
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  for (const c of clients.values()) c.close();
  return { api, records: count, seconds: +seconds.toFixed(2), recordsPerSec: Math.round(count / seconds) };
}

for (const api of ['batch', 'records', 'batch', 'records'] as const)
  console.log(JSON.stringify(await run(api)));
admin.close();
broker.close();
