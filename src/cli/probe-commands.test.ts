import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '@grpc/grpc-js';
import { create } from '@bufbuild/protobuf';
import { createServer, HealthStatusBoard, implementService, listen, ServingStatus } from '../../rpc/index.js';
import { Health } from '../../proto/gen/grpc/health/v1/health_pb.js';
import {
  AdminService,
  ClusterStatusResponseSchema,
  type TransferLeadershipRequest,
} from '../../proto/gen/raftlog/v1/admin_pb.js';
import { RaftlogError } from '../../lib/index.js';
import type { CliDeps, CliIo } from './cli-context.js';
import { runCli } from './run-cli.js';

/** A node as the probes see it: grpc.health.v1 plus the two Admin calls they make. */
class FakeNode {
  readonly health = new HealthStatusBoard();
  controllerLeader = 1;
  controllerCommit = 100n;
  readonly leaders = new Map([
    ['t/0', 1],
    ['t/1', 2],
  ]);
  readonly commits = new Map([
    ['t/0', 50n],
    ['t/1', 50n],
  ]);
  refuseTransfers = false;
  server: Server | undefined;
  address = '';
  addresses = new Map<number, string>();

  status() {
    return create(ClusterStatusResponseSchema, {
      controller: { leaderId: this.controllerLeader, voters: [1, 2, 3], commitIndex: this.controllerCommit },
      nodes: [...this.addresses].map(([nodeId, address]) => ({ nodeId, address, alive: true })),
      partitions: [...this.leaders].map(([key, leaderId]) => ({
        topic: key.split('/')[0]!,
        partition: Number(key.split('/')[1]),
        leaderId,
        replicas: [1, 2, 3],
        commitIndex: this.commits.get(key) ?? 0n,
      })),
    });
  }

  transfer(req: TransferLeadershipRequest) {
    if (this.refuseTransfers) throw new RaftlogError('NOT_ENOUGH_REPLICAS', 'no follower caught up');
    if (req.controller) this.controllerLeader = 2;
    else this.leaders.set(`${req.topic}/${req.partition}`, 2);
    return { leaderId: 2, term: 5n };
  }

  async serve(): Promise<void> {
    this.server = createServer();
    implementService(this.server, Health, this.health.impl());
    implementService(this.server, AdminService, {
      clusterStatus: () => Promise.resolve(this.status()),
      transferLeadership: (req) => Promise.resolve(this.transfer(req)),
    });
    this.address = `127.0.0.1:${await listen(this.server, '127.0.0.1:0')}`;
  }
}

// Node 1 is probed; node 2 leads t/1 and, in some tests, the controller.
const node = new FakeNode();
const other = new FakeNode();
let address = '';

beforeAll(async () => {
  await node.serve();
  await other.serve();
  address = node.address;
  for (const n of [node, other])
    n.addresses = new Map([
      [1, node.address],
      [2, other.address],
    ]);
});

afterAll(() => {
  node.server?.forceShutdown();
  other.server?.forceShutdown();
});

async function run(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    write: (t) => out.push(t),
    stdinLines: async function* () {},
    env,
    progressStream: undefined,
  };
  const unused = (): never => {
    throw new Error('probes reach the node directly');
  };
  const deps: CliDeps = {
    connect: unused,
    runNode: unused,
    runLocalCluster: unused,
    restartLocalNode: unused,
  };
  const code = await runCli(args, io, deps);
  return { code, out, err };
}

describe('raftlog health', () => {
  it('exits 0 with one line while the node is SERVING, 1 once it is not', async () => {
    expect(await run(['health', '--address', address])).toMatchObject({
      code: 0,
      out: [`${address} SERVING`],
    });
    node.health.set('', ServingStatus.NOT_SERVING);
    expect(await run(['health', '--address', address])).toMatchObject({
      code: 1,
      out: [`${address} NOT_SERVING`],
    });
    node.health.set('', ServingStatus.SERVING);
  });

  it('with --ready needs a controller leader in the node’s own view', async () => {
    node.controllerLeader = 0;
    const notReady = await run(['health', '--ready', '--address', address, '--json']);
    expect(notReady.code).toBe(1);
    expect(JSON.parse(notReady.out[0]!)).toMatchObject({ ok: false, status: 'NOT_READY' });
    node.controllerLeader = 1;
    expect(await run(['health', '--ready', '--address', address])).toMatchObject({
      code: 0,
      out: [`${address} READY: controller leader 1; node id unknown`],
    });
  });

  it('with --ready and the node id, needs every replica within the lag of its leader', async () => {
    const probe = () =>
      run(['health', '--ready', '--address', address], { RAFTLOG_ID_FROM_POD_NAME: 'raftlog-0' });
    other.commits.set('t/1', 2_000n);
    expect(await probe()).toMatchObject({
      code: 1,
      out: [`${address} NOT_READY: t/1 is 1950 entries behind node 2`],
    });
    other.commits.set('t/1', 1_000n);
    expect(await probe()).toMatchObject({
      code: 0,
      out: [`${address} READY: controller leader 1; 1 groups within 1000 entries of their leaders`],
    });
    node.controllerLeader = 2;
    other.controllerLeader = 2;
    other.controllerCommit = 5_000n;
    expect((await probe()).out).toEqual([
      `${address} NOT_READY: the controller is 4900 entries behind node 2`,
    ]);
    node.controllerLeader = 1;
    other.controllerLeader = 1;
    node.leaders.set('t/1', 0);
    expect((await probe()).out).toEqual([`${address} NOT_READY: t/1: node 2 leads it, unknown here`]);
    node.leaders.set('t/1', 2);
  });

  it('does not hold a node unready for a partition no node leads', async () => {
    node.leaders.set('t/0', 0);
    other.leaders.set('t/0', 0);
    const r = await run(['health', '--ready', '--address', address, '--node-id', '1']);
    expect(r).toMatchObject({
      code: 0,
      out: [`${address} READY: controller leader 1; 1 groups within 1000 entries of their leaders`],
    });
    node.leaders.set('t/0', 1);
    other.leaders.set('t/0', 1);
  });

  it('fails within its timeout when nothing listens', async () => {
    const started = Date.now();
    const r = await run(['health', '--address', '127.0.0.1:1', '--timeout-ms', '500']);
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/^127\.0\.0\.1:1 UNREACHABLE/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('raftlog hand-off', () => {
  it('moves every leadership of the node named by its pod, then says it leads nothing', async () => {
    const r = await run(['hand-off', '--address', address], { RAFTLOG_ID_FROM_POD_NAME: 'raftlog-0' });
    expect(r).toMatchObject({
      code: 0,
      out: ['node 1 handed over 2 leaderships: t/0, the controller; it leads nothing'],
    });
    expect(node.leaders.get('t/0')).toBe(2);
    expect(node.controllerLeader).toBe(2);
  });

  it('gives up after its timeout, naming what it still leads', async () => {
    node.leaders.set('t/1', 1);
    node.refuseTransfers = true;
    const r = await run(['hand-off', '--address', address, '--node-id', '1', '--timeout-ms', '500']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['raftlog: TIMEOUT: node 1 still leads t/1']);
    node.refuseTransfers = false;
  });

  it('fails when the node never answers, rather than claiming it leads nothing', async () => {
    const r = await run(['hand-off', '--address', '127.0.0.1:1', '--node-id', '1', '--timeout-ms', '500']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['raftlog: UNAVAILABLE: node 1 at 127.0.0.1:1 never said what it leads']);
  });

  it('needs to know which node it is', async () => {
    const r = await run(['hand-off', '--address', address]);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/INVALID_ARGUMENT: which node\?/);
  });
});
