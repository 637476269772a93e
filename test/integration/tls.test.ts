import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createClient, setDefaultChannelCredentials } from '../../rpc/index.js';
import type { RaftlogError } from '../../lib/index.js';
import { Health } from '../../proto/gen/grpc/health/v1/health_pb.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { createCertificates, type CertificateFiles } from '../../src/certs/index.js';
import { Consumer, Producer, RaftlogClient, tlsCredentials } from '../../src/client/index.js';
import { spawnNode } from '../../src/local/index.js';
import {
  PartitionWriter,
  repoRoot,
  sleep,
  startCluster,
  tsxLauncher,
  verifyPartition,
  type TestCluster,
} from './harness/index.js';

const run = promisify(execFile);
const topic = 'secure';

let dir = '';
let certs: CertificateFiles;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raftlog-tls-'));
  certs = await createCertificates({ outDir: join(dir, 'certs'), nodes: 3, clients: ['alice', 'admin'] });
});
afterAll(async () => {
  setDefaultChannelCredentials(undefined);
  await rm(dir, { recursive: true, force: true });
});

/** alice's files: the CA that verifies the nodes, and her client certificate. */
function alice() {
  const pair = certs.clients.get('alice')!;
  return { ca: certs.ca, cert: pair.cert, key: pair.key };
}

/** Node `id`'s own certificate as the process sees it: RAFTLOG_TLS_* with client certificates required. */
function nodeEnv(id: number, certOf = id): Record<string, string> {
  const pair = certs.nodes.get(certOf)!;
  return {
    RAFTLOG_TLS_CERT: pair.cert,
    RAFTLOG_TLS_KEY: pair.key,
    RAFTLOG_TLS_CA: certs.ca,
    RAFTLOG_TLS_CLIENT_AUTH: 'require',
  };
}

/** A mutual-TLS cluster; this process (the harness's own probes and calls) speaks TLS as alice. */
async function secureCluster(): Promise<TestCluster> {
  setDefaultChannelCredentials(tlsCredentials(alice()));
  const cluster = await startCluster({ nodes: 3, nodeEnv });
  await cluster.createTopic(topic, 1, 3);
  await cluster.waitForLeader(topic, 0);
  return cluster;
}

describe('TLS and mutual TLS between nodes, 3 nodes', () => {
  it('forms over mTLS and serves produce and consume through the TypeScript client and the CLI', async () => {
    const cluster = await secureCluster();
    const bootstrap = cluster.nodes.map((n) => n.address).join(',');
    const client = new RaftlogClient({ bootstrap, credentials: tlsCredentials(alice())! });
    onTestFinished(() => client.close());
    const producer = new Producer(client, { acks: 'quorum' });
    await Promise.all(Array.from({ length: 50 }, (_, i) => producer.send({ topic, value: `ts-${i}` })));
    await producer.close();

    const files = alice();
    const cli = (args: string[], input?: string) => {
      const tls = ['--tls-ca', files.ca, '--tls-cert', files.cert, '--tls-key', files.key];
      const argv = [...tsxLauncher.args, '--bootstrap', bootstrap, ...tls, ...args];
      const child = run(process.execPath, argv, { cwd: repoRoot, timeout: 60_000 });
      child.child.stdin?.end(input ?? '');
      return child;
    };
    await cli(['produce', topic], 'cli-0\ncli-1\ncli-2\n');
    const { stdout } = await cli(['consume', topic, '--max', '53', '--timeout-ms', '10000']);
    const values = stdout.trim().split('\n');
    expect(values).toHaveLength(53);
    expect(values.slice(50)).toEqual(['cli-0', 'cli-1', 'cli-2']);

    const consumer = new Consumer(client, { from: 'earliest' });
    consumer.assign([{ topic, partition: 0 }]);
    onTestFinished(() => consumer.close());
    const seen: string[] = [];
    for await (const record of consumer) {
      seen.push(Buffer.from(record.value ?? new Uint8Array()).toString());
      if (seen.length === 53) break;
    }
    expect(seen.slice(0, 3)).toEqual(['ts-0', 'ts-1', 'ts-2']);
  }, 120_000);

  it('refuses plaintext and clients without a certificate, and non-node certificates on the peer port', async () => {
    const cluster = await secureCluster();
    const node = cluster.node(1);
    const insecure = credentials.createInsecure();
    const plaintext = createClient(Health, node.address, { credentials: insecure });
    const noCertificate = createClient(Health, node.address, {
      credentials: tlsCredentials({ ca: certs.ca })!,
    });
    const plaintextPeer = createClient(Health, node.peerAddress, { credentials: insecure });
    const clientOnPeerPort = createClient(PeerService, node.peerAddress);
    onTestFinished(() => {
      for (const c of [plaintext, noCertificate, plaintextPeer, clientOnPeerPort]) c.close();
    });
    for (const refused of [plaintext, noCertificate, plaintextPeer]) {
      const error = await refused.check({ service: '' }, { timeoutMs: 3_000 }).catch((e: unknown) => e);
      expect(['UNAVAILABLE', 'TIMEOUT']).toContain((error as RaftlogError).code);
    }
    const hello = { nodeId: 2, expectedNodeId: 1, clusterId: 'any', protocolVersion: 1, address: '' };
    await expect(clientOnPeerPort.hello(hello, { timeoutMs: 3_000 })).rejects.toThrow(/node certificate/);
    const viaTls = createClient(Health, node.address);
    onTestFinished(() => viaTls.close());
    expect((await viaTls.check({ service: '' }, { timeoutMs: 3_000 })).status).toBe(1);
  }, 120_000);

  it('refuses a Hello with another cluster id or a certificate for another node id', async () => {
    const cluster = await secureCluster();
    const { clusterId } = await cluster.clusterStatus();
    const node2 = certs.nodes.get(2)!;
    const asNode2 = tlsCredentials({ ca: certs.ca, cert: node2.cert, key: node2.key })!;
    const peer = createClient(PeerService, cluster.node(1).peerAddress, { credentials: asNode2 });
    onTestFinished(() => peer.close());
    const hello = { nodeId: 2, expectedNodeId: 1, clusterId, protocolVersion: 1, address: '' };
    expect(await peer.hello(hello, { timeoutMs: 3_000 })).toMatchObject({ nodeId: 1 });
    await expect(peer.hello({ ...hello, clusterId: 'another-cluster' })).rejects.toThrow(
      /is not this cluster's/,
    );
    await expect(peer.hello({ ...hello, nodeId: 3 })).rejects.toThrow(/certificate is node 2's/);

    // Node 3 restarted with node 2's certificate: its Hellos are refused and it never rejoins.
    const three = cluster.node(3);
    await three.kill();
    const impostor = spawnNode({
      id: 3,
      address: three.address,
      peerAddress: three.peerAddress,
      peers: cluster.nodes.map((n) => `${n.id}=${n.peerAddress}`).join(','),
      dataDir: three.dataDir,
      logFile: join(cluster.dir, 'node-3-impostor.log'),
      env: nodeEnv(3, 2),
      launcher: tsxLauncher,
    });
    onTestFinished(() => void (impostor.exit === undefined && impostor.child.kill('SIGKILL')));
    const refusal = /the certificate is node 2's, the caller claims node 3/;
    const until = Date.now() + 30_000;
    while (!refusal.test(readFileSync(cluster.node(1).logFile, 'utf8'))) {
      if (Date.now() > until) throw new Error('node 1 never refused the impostor');
      await sleep(250);
    }
    // The two real nodes go on taking writes without it.
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 10 });
    await writer.write(100);
    const read = await cluster.readPartition(topic, 0, { fromNode: 1, timeoutMs: 30_000 });
    expect(verifyPartition(writer.ledger, read).acked).toBe(100);
  }, 120_000);
});
