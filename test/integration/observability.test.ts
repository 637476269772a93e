import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it, vi } from 'vitest';
import { parseExposition, type Sample } from '../../src/cli/bench/index.js';
import { Admin, RaftlogClient } from '../../src/client/index.js';
import { runsOnGlibc } from '../../src/server/allocator-check.js';
import { freePortRange, PartitionWriter, RawGroupMember, startCluster } from './harness/index.js';

const topic = 'observed';
const mib = 1024 * 1024;

describe('observability of a 3-node cluster', () => {
  it('serves Prometheus metrics, advertises their URLs in status, and answers server reflection', async () => {
    const metricsBase = await freePortRange(3);
    const metricsAddress = (id: number): string => `127.0.0.1:${metricsBase + id - 1}`;
    const cluster = await startCluster({
      nodes: 3,
      nodeEnv: (id) => ({ RAFTLOG_METRICS_LISTEN: metricsAddress(id) }),
    });
    await cluster.createTopic(topic, 2, 3);
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 10 });
    await writer.write(50);
    const leader = (await cluster.waitForLeader(topic, 0)).leaderId;

    const scraped = parseExposition(await scrape(metricsAddress(leader)));
    const on = (name: string, labels: Record<string, string>): number | undefined =>
      scraped.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    const p0 = { topic, partition: '0' };
    expect(on('raftlog_partition_is_leader', p0)).toBe(1);
    expect(on('raftlog_partition_leader_id', p0)).toBe(leader);
    expect(on('raftlog_partition_high_watermark', p0)).toBe(50);
    expect(on('raftlog_partition_commit_index', p0)).toBeGreaterThan(0);
    expect(on('raftlog_partition_applied_index', p0)).toBe(on('raftlog_partition_commit_index', p0));
    expect(on('raftlog_partition_fsynced_index', p0)).toBeGreaterThanOrEqual(
      on('raftlog_partition_commit_index', p0) ?? 0,
    );
    expect(on('raftlog_partition_term', p0)).toBeGreaterThan(0);
    expect(on('raftlog_partition_log_start_offset', p0)).toBe(0);
    expect(on('raftlog_partition_bytes_on_disk', p0)).toBeGreaterThan(50 * 8);
    expect(on('raftlog_produce_records_total', { api: 'produce' })).toBe(50);
    expect(on('raftlog_produce_bytes_total', { api: 'produce' })).toBeGreaterThan(0);
    expect(on('raftlog_produce_latency_seconds_count', { api: 'produce' })).toBe(5);
    expect(on('raftlog_partition_is_leader', { topic, partition: '1' })).toBeDefined();
    expect(scraped.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    // GC pauses in buckets fine enough to tell a 1 ms pause from a 4 ms one.
    const gcBounds = scraped
      .filter((s) => s.name === 'nodejs_gc_duration_seconds_bucket')
      .map((s) => s.labels['le']);
    expect(gcBounds).toEqual(expect.arrayContaining(['0.001', '0.002', '0.005']));
    // The records written are in a memtable (far less than one fills before a flush).
    expect(on('raftlog_storage_engine_memory_bytes', { use: 'memtables' })).toBeGreaterThan(50 * 8);
    expect(on('raftlog_storage_engine_memory_bytes', { use: 'table_readers' })).toBeGreaterThanOrEqual(0);
    expect(on('raftlog_storage_engine_memory_bytes', { use: 'block_cache' })).toBeGreaterThanOrEqual(0);
    if (process.platform === 'linux' && runsOnGlibc()) {
      // A node holds megabytes in glibc's arenas (gRPC, RocksDB) and maps its 1 MiB and larger blocks.
      expect(on('raftlog_process_native_heap_bytes', { state: 'in_use' })).toBeGreaterThan(mib);
      expect(on('raftlog_process_native_heap_bytes', { state: 'free' })).toBeGreaterThan(0);
      expect(on('raftlog_process_native_heap_bytes', { state: 'mmapped' })).toBeGreaterThanOrEqual(0);
    }
    expect(scraped.every((s) => s.labels['node'] === String(leader))).toBe(true);

    const scrapeAll = (): Promise<Sample[][]> =>
      Promise.all([1, 2, 3].map(async (id) => parseExposition(await scrape(metricsAddress(id)))));
    let all = await scrapeAll();
    const total = (name: string): number =>
      all
        .flat()
        .filter((s) => s.name === name)
        .reduce((sum, s) => sum + s.value, 0);
    expect(total('raftlog_raft_elections_started_total')).toBeGreaterThanOrEqual(3);
    // Every node hears of each group's leader (3 groups: the controller and 2 partitions), though a
    // follower of the partition nobody wrote to may learn it only with the leader's next heartbeat.
    await vi.waitFor(
      async () => {
        all = await scrapeAll();
        expect(total('raftlog_raft_leader_changes_total')).toBeGreaterThanOrEqual(3 * 3);
      },
      { timeout: 5_000, interval: 100 },
    );
    for (const name of ['raftlog_raft_snapshots_sent_total', 'raftlog_raft_snapshots_installed_total']) {
      expect(all.every((series) => series.some((s) => s.name === name))).toBe(true);
    }
    // No node lost its data directory or joined a group with an empty log: none is held back.
    expect(total('raftlog_node_rejoining')).toBe(0);
    expect(total('raftlog_node_vote_gated_groups')).toBe(0);
    expect(all.every((series) => series.some((s) => s.name === 'raftlog_node_rejoining'))).toBe(true);

    // Group lag, on the coordinator (the controller leader): 50 written, 20 committed.
    const member = new RawGroupMember(cluster, 'lagging', {
      topics: [topic],
      sessionTimeoutMs: 30_000,
      viaNode: 1,
    });
    await member.join();
    await member.settle();
    await member.commit([{ topic, partition: 0, offset: 20 }]);
    const controller = (await cluster.clusterStatus()).controller?.leaderId ?? 0;
    const atController = parseExposition(await scrape(metricsAddress(controller)));
    const lag = atController.find(
      (s) => s.name === 'raftlog_group_lag_records' && s.labels['group'] === 'lagging',
    );
    expect(lag?.value).toBe(30);
    const elsewhere = parseExposition(await scrape(metricsAddress(controller === 1 ? 2 : 1)));
    expect(elsewhere.some((s) => s.name === 'raftlog_group_lag_records')).toBe(false);
    await member.leave();

    const client = new RaftlogClient({ bootstrap: cluster.node(1).address });
    try {
      const status = await new Admin(client).clusterStatus();
      expect(status.nodes.map((n) => [n.id, n.metricsUrl])).toEqual(
        [1, 2, 3].map((id) => [id, `http://${metricsAddress(id)}/metrics`]),
      );
    } finally {
      client.close();
    }

    await expectReflection(cluster.node(2).address);
  }, 90_000);
});

async function scrape(address: string): Promise<string> {
  const response = await fetch(`http://${address}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** Speaks grpc.reflection.v1 as grpcurl does: list the services, then fetch a symbol's file. */
async function expectReflection(address: string): Promise<void> {
  const reflectionProto = join(
    dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')),
    'build/proto/grpc/reflection/v1/reflection.proto',
  );
  const definition = protoLoader.loadSync(reflectionProto, { keepCase: false, longs: String });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
  };
  const client = new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
  try {
    const ask = (request: object): Promise<ReflectionResponse> =>
      new Promise((resolve, reject) => {
        const call = (
          client as unknown as {
            serverReflectionInfo: () => grpc.ClientDuplexStream<object, ReflectionResponse>;
          }
        ).serverReflectionInfo();
        call.once('data', (response: ReflectionResponse) => {
          resolve(response);
          call.end();
        });
        call.once('error', reject);
        call.write(request);
      });
    const listed = await ask({ listServices: '' });
    const names = listed.listServicesResponse?.service.map((s) => s.name) ?? [];
    expect(names).toEqual(
      expect.arrayContaining([
        'raftlog.v1.BrokerService',
        'raftlog.v1.AdminService',
        'grpc.health.v1.Health',
      ]),
    );
    const files = await ask({ fileContainingSymbol: 'raftlog.v1.BrokerService' });
    const decoded = (files.fileDescriptorResponse?.fileDescriptorProto ?? []).map((b) =>
      fromBinary(FileDescriptorProtoSchema, new Uint8Array(b)),
    );
    const broker = decoded.find((f) => f.name === 'raftlog/v1/broker.proto');
    const service = broker?.service.find((s) => s.name === 'BrokerService');
    expect(service?.method.map((m) => m.name)).toEqual(
      expect.arrayContaining(['Produce', 'Fetch', 'ProduceRecords']),
    );
    // Its imports come along, so a client can resolve every message type.
    expect(decoded.map((f) => f.name)).toEqual(expect.arrayContaining(['raftlog/v1/record.proto']));
    const missing = await ask({ fileContainingSymbol: 'raftlog.v1.NoSuchThing' });
    expect(missing.errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
  } finally {
    client.close();
  }
}
