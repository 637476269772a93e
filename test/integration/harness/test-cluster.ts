import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFailed, onTestFinished } from 'vitest';
import { peersArg, waitAllAlive, type Launcher, type NodeAddress } from '../../../src/local/index.js';
import {
  clusterStatus,
  createTopic,
  transferLeadership,
  waitForLeader,
  waitInSync,
  type LeaderWait,
} from './admin.js';
import { readPartition } from './fetch.js';
import { freePortRange } from './ports.js';
import { ClientPool, type AdminClient, type BrokerClient, type ClusterAccess } from './rpc.js';
import { TestNode } from './test-node.js';

export interface ClusterOptions {
  readonly nodes: number;
  /** RAFTLOG_TICK_MS for every node; the node's default when absent. */
  readonly tickMs?: number;
  /** Extra environment for every node (RAFTLOG_* settings). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra environment for one node (its own ports, say), over `env`. */
  readonly nodeEnv?: (nodeId: number) => Readonly<Record<string, string>>;
  /** How long a node may take to answer its health check after a (re)start (5 tsx nodes on 2 busy cores need 20 s). */
  readonly healthTimeoutMs?: number;
  /** Defaults to `node --import tsx src/cli/main.ts` from the repository root. */
  readonly launcher?: Launcher;
  /**
   * Each node's `--peers` value, given every node's own addresses (e.g. through per-link proxies to the
   * peer ports, see
   * ProxyMesh); every node gets the direct addresses when absent.
   */
  readonly peers?: (layout: readonly NodeAddress[]) => Promise<(nodeId: number) => string>;
  /** How many nodes (the lowest ids) start now; the others are started later by the test. All when absent. */
  readonly started?: number;
}

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const tsxLauncher: Launcher = {
  command: process.execPath,
  args: ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts')],
  cwd: repoRoot,
};

/** Real node processes on 127.0.0.1, each with its own data directory and log file under `dir`. */
export class TestCluster implements ClusterAccess {
  private readonly pool = new ClientPool();
  private readonly teardown = new AbortController();
  readonly signal = this.teardown.signal;

  constructor(
    readonly dir: string,
    readonly nodes: readonly TestNode[],
  ) {}

  node(id: number): TestNode {
    const found = this.nodes.find((n) => n.id === id);
    if (found === undefined) throw new Error(`no node ${id}`);
    return found;
  }

  liveNodes(): TestNode[] {
    return this.nodes.filter((n) => n.running);
  }
  addressOf(nodeId: number): string | undefined {
    return this.nodes.find((n) => n.id === nodeId)?.address;
  }
  isRunning(nodeId: number): boolean {
    return this.nodes.some((n) => n.id === nodeId && n.running);
  }
  broker(address: string): BrokerClient {
    return this.pool.broker(address);
  }
  admin(address: string): AdminClient {
    return this.pool.admin(address);
  }

  waitForLeader(topic: string, partition: number, options?: LeaderWait) {
    return waitForLeader(this, topic, partition, options);
  }
  createTopic(name: string, partitions: number, replicationFactor: number) {
    return createTopic(this, name, partitions, replicationFactor);
  }
  clusterStatus() {
    return clusterStatus(this);
  }
  transferLeadership(topic: string, partition: number, target: number) {
    return transferLeadership(this, topic, partition, target);
  }
  waitInSync(topic: string, nodeId: number, timeoutMs = 60_000) {
    return waitInSync(this, topic, nodeId, timeoutMs);
  }
  readPartition(
    topic: string,
    partition: number,
    options?: { fromNode?: number; timeoutMs?: number; fromOffset?: number },
  ) {
    return readPartition(this, topic, partition, options);
  }

  /**
   * Waits until the controller counts every running node alive. A node is healthy as soon as it
   * serves, but placement counts only the nodes the controller has heard from: a topic with as many
   * replicas as nodes, created through a client that does not retry NOT_ENOUGH_REPLICAS (the CLI,
   * Admin), needs this first. createTopic here retries it instead.
   */
  async waitAllAlive(timeoutMs = 30_000): Promise<void> {
    const live = this.liveNodes();
    const first = live[0];
    if (first === undefined) throw new Error('no node is running');
    await waitAllAlive(
      first.address,
      live.map((n) => n.id),
      timeoutMs,
      this.signal,
    );
  }

  /** Starts every node that is not running, in parallel. */
  async startAll(): Promise<void> {
    await Promise.all(this.nodes.filter((n) => !n.running).map((n) => n.start()));
  }

  /** SIGKILLs every process this cluster started; safe to call more than once. */
  async stopAll(): Promise<void> {
    this.teardown.abort();
    this.pool.close();
    await Promise.all(this.nodes.map((n) => n.kill('SIGKILL')));
  }

  logTails(lines = 40): string {
    return this.nodes.map((n) => n.logTail(lines)).join('\n');
  }
}

/**
 * Starts a cluster and, when called inside a test, ties its end to the test: every process is
 * killed when the test finishes (passed, failed or timed out), the log tails are printed if it
 * failed, and the temporary directory is removed only if it passed.
 */
export async function startCluster(options: ClusterOptions): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'raftlog-it-'));
  // Client ports first, then the peer ports.
  const basePort = await freePortRange(2 * options.nodes);
  const layout = Array.from({ length: options.nodes }, (_, i) => ({
    id: i + 1,
    address: `127.0.0.1:${basePort + i}`,
    peerAddress: `127.0.0.1:${basePort + options.nodes + i}`,
  }));
  const direct = peersArg(layout);
  const peersOf = options.peers === undefined ? () => direct : await options.peers(layout);
  const env = {
    ...(options.tickMs === undefined ? {} : { RAFTLOG_TICK_MS: String(options.tickMs) }),
    ...options.env,
  };
  const nodes = layout.map(
    (n) =>
      new TestNode(
        {
          ...n,
          peers: peersOf(n.id),
          dataDir: join(dir, `node-${n.id}`),
          logFile: join(dir, `node-${n.id}.log`),
          env: { ...env, ...options.nodeEnv?.(n.id) },
          launcher: options.launcher ?? tsxLauncher,
        },
        options.healthTimeoutMs ?? 30_000,
      ),
  );
  const cluster = new TestCluster(dir, nodes);
  tieToCurrentTest(cluster);
  try {
    await Promise.all(nodes.slice(0, options.started ?? nodes.length).map((n) => n.start()));
  } catch (error) {
    await cluster.stopAll();
    throw error;
  }
  return cluster;
}

function tieToCurrentTest(cluster: TestCluster): void {
  try {
    onTestFailed(() => {
      console.error(`cluster files kept in ${cluster.dir}\n${cluster.logTails()}`);
    });
    onTestFinished(async ({ task }) => {
      await cluster.stopAll();
      if (task.result?.state === 'pass') await rm(cluster.dir, { recursive: true, force: true });
    });
  } catch {
    // Outside a test (a beforeAll hook, a script): the caller stops the cluster itself; the process
    // exit hook of cleanup.ts is the last resort.
  }
}
