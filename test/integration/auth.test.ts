import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Admin, Producer, RaftlogClient, ScramTokenSource, SecurityAdmin } from '../../src/client/index.js';
import { RaftlogError } from '../../lib/index.js';
import { repoRoot, startCluster, sleep, type TestCluster } from './harness/index.js';

const adminPassword = 'bootstrap-admin-secret';
const authEnv = {
  RAFTLOG_AUTH: 'required',
  RAFTLOG_SUPERUSERS: 'User:admin',
  RAFTLOG_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
};
const utf8 = new TextEncoder();
const clusterDescribe = {
  resourceType: 'cluster',
  resourceName: 'cluster',
  patternType: 'literal',
  operation: 'describe',
} as const;

const clients: RaftlogClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

function clientAs(cluster: TestCluster, user: string, password: string, node = 1): RaftlogClient {
  const client = new RaftlogClient({ bootstrap: cluster.node(node).address, auth: { user, password } });
  clients.push(client);
  return client;
}

const failure = (call: Promise<unknown>): Promise<RaftlogError | 'ok'> =>
  call.then(
    () => 'ok' as const,
    (e: unknown) => RaftlogError.from(e),
  );

/** The bootstrap admin exists once the controller has applied it: log in until it does. */
async function adminClient(cluster: TestCluster): Promise<RaftlogClient> {
  const until = Date.now() + 30_000;
  for (;;) {
    const client = clientAs(cluster, 'admin', adminPassword);
    const login = await failure(client.tokens!.login());
    if (login === 'ok') return client;
    if (Date.now() > until) throw login;
    await sleep(200);
  }
}

/** Right after start not every node has registered yet: NOT_ENOUGH_REPLICAS until they have. */
async function createTopic(client: RaftlogClient, name: string, partitions: number): Promise<void> {
  await until(async () => {
    const r = await failure(new Admin(client).createTopic({ name, partitions, replicas: 3 }));
    if (r !== 'ok' && r.code !== 'NOT_ENOUGH_REPLICAS') throw r;
    return r === 'ok';
  }, 30_000);
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

/**
 * Users, ACLs and quotas reach each node when its controller replica applies them, a moment after
 * the node that took the change answered: wait until every node shows what `shows` looks for.
 */
async function onEveryNode(
  cluster: TestCluster,
  client: RaftlogClient,
  shows: (security: SecurityAdmin) => Promise<boolean>,
): Promise<void> {
  for (const node of cluster.nodes) await until(() => shows(new SecurityAdmin(client, node.address)), 5_000);
}

describe('authentication, ACLs and quotas on 3 nodes (auth required)', () => {
  it('refuses the unauthenticated and wrong passwords, and enforces ACLs on every node', async () => {
    const cluster = await startCluster({ nodes: 3, env: authEnv });
    const root = await adminClient(cluster);
    const security = new SecurityAdmin(root, cluster.node(1).address);
    await createTopic(root, 'orders', 3);
    await createTopic(root, 'audit', 1);

    const anonymous = cluster.broker(cluster.node(2).address);
    const refusals = [
      await failure(anonymous.produce({ topic: 'orders', partition: 0, batch: new Uint8Array(0) })),
      await failure(anonymous.fetch({ partitions: [{ topic: 'orders', partition: 0, offset: 0n }] })),
      await failure(cluster.admin(cluster.node(3).address).createTopic({ name: 'x', partitions: 1 })),
    ];
    for (const r of refusals) expect(r).toMatchObject({ code: 'AUTHENTICATION_FAILED' });

    await security.addUser('writer', 'writer-password', 4096);
    await security.addUser('nobody', 'nobody-password', 4096);
    await onEveryNode(cluster, root, async (s) => {
      const names = (await s.listUsers()).map((u) => u.name);
      return names.includes('writer') && names.includes('nobody');
    });
    const wrong = new ScramTokenSource([cluster.node(2).address], { user: 'writer', password: 'wrong-one' });
    expect(await failure(wrong.login())).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    wrong.close();

    await security.addAcls([
      {
        principal: 'User:writer',
        resourceType: 'topic',
        resourceName: 'ord',
        patternType: 'prefix',
        operation: 'produce',
      },
    ]);
    await onEveryNode(cluster, root, async (s) => (await s.listAcls('User:writer')).length === 1);
    const writer = clientAs(cluster, 'writer', 'writer-password', 2);
    const producer = new Producer(writer);
    for (let i = 0; i < 30; i++)
      await producer.send({ topic: 'orders', key: utf8.encode(`k${i}`), value: utf8.encode(`v${i}`) });
    await producer.close();

    // ProduceRecords to every node: records of partitions led elsewhere are forwarded as the writer.
    for (const node of cluster.nodes) {
      const r = await writer.broker(node.address).produceRecords({
        topic: 'orders',
        records: [0, 1, 2, 3, 4, 5].map((i) => ({ key: utf8.encode(`f${i}`), value: utf8.encode('x') })),
      });
      expect(r.partitions.every((p) => p.error === undefined)).toBe(true);
    }
    // Records without a key or without a value, and decoded reads: the quotas measure them too.
    const sparse = await writer.broker(cluster.node(1).address).produceRecords({
      topic: 'orders',
      records: [{ value: utf8.encode('v') }, { key: utf8.encode('k') }],
    });
    expect(sparse.partitions.every((p) => p.error === undefined)).toBe(true);
    const leaderOf0 = await root.leaderAddress('orders', 0);
    const decoded = await root.broker(leaderOf0).fetchRecords({ topic: 'orders', partition: 0, offset: 0n });
    expect(decoded.records.length).toBeGreaterThan(0);
    // A principal without ACLs is refused at the node it calls, forwarded or not.
    const nobody = clientAs(cluster, 'nobody', 'nobody-password', 3);
    for (const node of cluster.nodes) {
      const r = await failure(
        nobody
          .broker(node.address)
          .produceRecords({ topic: 'orders', records: [{ value: utf8.encode('x') }] }),
      );
      expect(r).toMatchObject({ code: 'AUTHORIZATION_FAILED' });
    }

    const leader = await writer.leaderAddress('orders', 0);
    const fetch = await failure(
      writer.broker(leader).fetch({ partitions: [{ topic: 'orders', partition: 0, offset: 0n }] }),
    );
    expect(fetch).toMatchObject({ code: 'AUTHORIZATION_FAILED' });
    expect(fetch === 'ok' ? '' : fetch.message).toContain("consume on topic 'orders'");
    const create = await failure(new Admin(writer).createTopic({ name: 'mine', partitions: 1 }));
    expect(create).toMatchObject({ code: 'AUTHORIZATION_FAILED' });
    expect(create === 'ok' ? '' : create.message).toContain("admin on topic 'mine'");
    const status = await failure(writer.admin(leader).clusterStatus({}));
    expect(status).toMatchObject({ code: 'AUTHORIZATION_FAILED' });
    // A generic gRPC client logs in as examples/python/README.md says and sees what the writer may.
    expect(pythonLogin(cluster.node(3).address, 'writer', 'writer-password')).toEqual(['orders']);

    // An ACL change shows on every node within a second (metadata lists what the caller may describe).
    const seesAudit = async (address: string) =>
      (await writer.broker(address).metadata({})).topics.some((t) => t.name === 'audit');
    for (const node of cluster.nodes) expect(await seesAudit(node.address)).toBe(false);
    const rule = {
      principal: 'User:writer',
      resourceType: 'topic',
      resourceName: 'audit',
      patternType: 'literal',
      operation: 'describe',
    } as const;
    await security.addAcls([rule]);
    const added = await Promise.all(cluster.nodes.map((n) => until(() => seesAudit(n.address), 1_000)));
    expect(await security.removeAcls([rule])).toBe(1);
    const removed = await Promise.all(
      cluster.nodes.map((n) => until(async () => !(await seesAudit(n.address)), 1_000)),
    );
    console.log(
      `ACL visible on every node after ${Math.max(...added)} ms, gone after ${Math.max(...removed)} ms`,
    );
  });

  it('refuses unsafe user names, takes ACLs for a longest one, and shows a missing user alike on every node', async () => {
    const cluster = await startCluster({ nodes: 3, env: authEnv });
    const root = await adminClient(cluster);
    const security = new SecurityAdmin(root, cluster.node(1).address);
    const refused: [string, string][] = [
      ['*', "may not be '*'"],
      ['bob\u0085x', 'U+0085'],
      ['bob\u2028x', 'U+2028'],
      ['bob\u202ex', 'U+202E'],
      ['é'.repeat(128), 'at most 255 UTF-8 bytes, got 256'],
    ];
    for (const [name, message] of refused) {
      const r = await failure(security.addUser(name, 'a-password', 4096));
      expect(r, JSON.stringify(name)).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(r === 'ok' ? '' : r.message).toContain(message);
    }
    // 255 bytes either way; the ASCII one is also 255 UTF-16 code units, its principal 260.
    await security.addUser('é'.repeat(127) + 'a', 'a-password', 4096);
    const longest = 'x'.repeat(255);
    await security.addUser(longest, 'a-password', 4096);
    const principal = `User:${longest}`;
    await security.addAcls([{ ...clusterDescribe, principal }]);
    expect(await security.listAcls(principal)).toHaveLength(1);
    expect((await security.listUsers()).map((u) => u.name)).not.toContain('*');

    // The salt and iteration count of the server-first-message, without the fresh nonce.
    const shown = (address: string, name: string) =>
      root.pool
        .security(address)
        .scramStart({ clientFirstMessage: `n,,n=${name},r=nonce` })
        .then((r) => r.serverFirstMessage.replace(/^r=[^,]*,/, ''));
    const everyNode = (name: string) => Promise.all(cluster.nodes.map((n) => shown(n.address, name)));
    // Every replica shows the admin's one salt once it has applied the controller's entries.
    await until(async () => new Set(await everyNode('admin')).size === 1, 10_000);
    const ghost = await everyNode('ghost');
    expect(new Set(ghost).size).toBe(1);
    expect(ghost[0]).toMatch(/,i=8192$/);
    expect(await everyNode('ghost')).toEqual(ghost);
    expect(ghost[0]).not.toBe((await everyNode('ghost2'))[0]);
  });

  it('throttles a consumer to its fetch quota without disconnecting it', async () => {
    const cluster = await startCluster({ nodes: 3, env: authEnv });
    const root = await adminClient(cluster);
    const security = new SecurityAdmin(root, cluster.node(1).address);
    await createTopic(root, 'bulk', 1);
    // Batches of 8 KiB, so each fetch of 16 KiB carries a little and the rate is measured finely.
    const producer = new Producer(root, { batchRecordsMax: 8 });
    const value = new Uint8Array(1024).fill(97);
    await Promise.all(Array.from({ length: 1200 }, () => producer.send({ topic: 'bulk', value })));
    await producer.close();

    const rate = 100_000;
    await security.addUser('reader', 'reader-password', 4096);
    await security.addAcls([
      {
        principal: 'User:reader',
        resourceType: 'topic',
        resourceName: 'bulk',
        patternType: 'literal',
        operation: 'consume',
      },
    ]);
    await security.setQuota({ principal: 'User:reader', produceBytesPerSec: 0, fetchBytesPerSec: rate });
    await onEveryNode(cluster, root, async (s) => (await s.listQuotas()).length === 1);
    const reader = clientAs(cluster, 'reader', 'reader-password');
    const leader = await root.leaderAddress('bulk', 0);
    const broker = reader.broker(leader);
    let offset = 0n;
    let bytes = 0;
    let started = 0;
    let throttled = 0;
    for (;;) {
      const r = await broker.fetch({
        partitions: [{ topic: 'bulk', partition: 0, offset, partitionMaxBytes: 16_384 }],
        maxBytes: 16_384,
      });
      const p = r.partitions[0]!;
      expect(p.error).toBeUndefined();
      if (r.throttleTimeMs > 0) throttled++;
      // The burst (one second of the rate) passes at once; the rate is measured from the first delay on.
      if (started === 0) {
        if (r.throttleTimeMs > 0) started = Date.now();
      } else bytes += p.records.length;
      offset = p.nextOffset;
      if (started !== 0 && Date.now() - started > 6_000) break;
      if (offset >= p.highWatermark) throw new Error('ran out of data before the measurement ended');
    }
    const measured = bytes / ((Date.now() - started) / 1000);
    console.log(
      `fetch rate ${Math.round(measured)} B/s for a quota of ${rate} B/s (${throttled} throttled responses)`,
    );
    expect(measured).toBeGreaterThan(rate * 0.75);
    expect(measured).toBeLessThan(rate * 1.25);
  });
});

describe('auth off (the default)', () => {
  it('serves unauthenticated clients as before', async () => {
    const cluster = await startCluster({ nodes: 1 });
    await cluster.createTopic('open', 1, 1);
    const leader = await cluster.waitForLeader('open', 0);
    const client = new RaftlogClient({ bootstrap: leader.address });
    clients.push(client);
    const producer = new Producer(client);
    await producer.send({ topic: 'open', value: utf8.encode('hello') });
    await producer.close();
    expect((await cluster.readPartition('open', 0)).map((r) => r.value)).toHaveLength(1);
    expect(await new SecurityAdmin(client, leader.address).whoAmI()).toEqual({
      principal: 'User:ANONYMOUS',
      authRequired: false,
      superuser: false,
    });
  });
});

/** Logs in with examples/python/raftlog_auth.py over stubs generated by protoc; the topics it sees. */
function pythonLogin(address: string, user: string, password: string): string[] {
  const gen = mkdtempSync(join(tmpdir(), 'raftlog-python-auth-'));
  try {
    const protos = readdirSync(join(repoRoot, 'proto/raftlog/v1')).map((f) => `proto/raftlog/v1/${f}`);
    const plugin = '--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin';
    const generated = spawnSync(
      'protoc',
      ['-I', 'proto', `--python_out=${gen}`, `--grpc_python_out=${gen}`, plugin, ...protos],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(generated.status, generated.stderr).toBe(0);
    const script = [
      'import sys, grpc, raftlog_auth',
      'from raftlog.v1 import broker_pb2, broker_pb2_grpc',
      'channel = grpc.insecure_channel(sys.argv[1])',
      'token, _ = raftlog_auth.login(channel, sys.argv[2], sys.argv[3])',
      'meta = broker_pb2_grpc.BrokerServiceStub(channel).Metadata(broker_pb2.MetadataRequest(), metadata=[("authorization", "Bearer " + token)])',
      'print(",".join(t.name for t in meta.topics))',
    ].join('\n');
    const run = spawnSync('/usr/bin/python3', ['-c', script, address, user, password], {
      cwd: join(repoRoot, 'examples/python'),
      env: { ...process.env, RAFTLOG_PYTHON_GEN: gen, PYTHONPATH: join(repoRoot, 'examples/python') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout
      .trim()
      .split(',')
      .filter((t) => t !== '');
  } finally {
    rmSync(gen, { recursive: true, force: true });
  }
}
