import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { RaftlogError } from '../../lib/index.js';
import { clusterFilePath, livePids, readClusterFile, writeClusterFile } from './cluster-file.js';
import { currentLauncher, type Launcher } from './launcher.js';
import { clusterLayout, peersArg } from './peers.js';
import { localBootstrapDefault } from './default-bootstrap.js';
import {
  describeExit,
  spawnNode,
  stopNode,
  type NodeExit,
  type NodeSpec,
  type SpawnedNode,
} from './spawn-node.js';
import { waitAllAlive } from './wait-all-alive.js';
import { waitHealthy } from './wait-healthy.js';

export interface LocalClusterOptions {
  readonly nodes: number;
  readonly basePort: number;
  readonly dataDir: string;
  readonly host: string;
  readonly logLevel: string;
}

/** Node i serves metrics at basePort + this + i - 1, and its console at basePort + 2 × this + i - 1. */
export const httpPortOffset = 100;

interface Member {
  readonly id: number;
  readonly address: string;
  readonly metricsAddress: string;
  readonly consoleAddress: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** How it was started: a restart starts it the same way. */
  readonly spec: NodeSpec;
  /** The latest process; replaced when the node is started again. */
  process: SpawnedNode;
}

const readyTimeoutMs = 60_000;
const stopGraceMs = 10_000;

/** The processes of one `npm start`, from spawn to the last SIGKILL. */
export class LocalCluster {
  private readonly members: Member[];
  private readonly dataDir: string;
  private readonly clusterId: string | undefined;
  private stopping = false;
  private isReady = false;
  private readonly ready = new AbortController();
  private onAllGone: (error: Error) => void = () => {};
  /** Rejects when every node has exited without being asked to. */
  readonly allGone = new Promise<never>((_, reject) => (this.onAllGone = reject));

  constructor(options: LocalClusterOptions, launcher: Launcher = currentLauncher()) {
    this.dataDir = resolve(options.dataDir);
    mkdirSync(this.dataDir, { recursive: true });
    refuseIfRunning(this.dataDir);
    const layout = clusterLayout(options.nodes, options.host, options.basePort);
    this.clusterId = clusterIdFor(this.dataDir, layout);
    const peers = peersArg(layout);
    const env: Record<string, string> = { RAFTLOG_LOG_LEVEL: options.logLevel };
    if (this.clusterId !== undefined) env.RAFTLOG_CLUSTER_ID = this.clusterId;
    const metrics = clusterLayout(options.nodes, options.host, options.basePort + httpPortOffset);
    const consoles = clusterLayout(options.nodes, options.host, options.basePort + 2 * httpPortOffset);
    this.members = layout.map((node, i) => {
      const dataDir = join(this.dataDir, `node-${node.id}`);
      const logFile = join(this.dataDir, `node-${node.id}.log`);
      const metricsAddress = metrics[i]?.address ?? '';
      const consoleAddress = consoles[i]?.address ?? '';
      const http = { RAFTLOG_METRICS_LISTEN: metricsAddress, RAFTLOG_CONSOLE_LISTEN: consoleAddress };
      const spec: NodeSpec = { ...node, peers, dataDir, logFile, env: { ...env, ...http }, launcher };
      return { ...node, metricsAddress, consoleAddress, dataDir, logFile, spec, process: spawnNode(spec) };
    });
    this.writeFile();
    this.allGone.catch(() => {});
    for (const member of this.members) this.watch(member);
  }

  /**
   * Starts again, as before, every node whose process exited (a crash, or one stopped to try a
   * failover); returns their ids. Nothing while the cluster stops.
   */
  restartExited(): number[] {
    if (this.stopping) return [];
    const restarted = this.members.filter((m) => m.process.exit !== undefined);
    for (const member of restarted) {
      member.process = spawnNode(member.spec);
      this.watch(member);
      console.error(`raftlog: node ${member.id} started again (pid ${member.process.pid})`);
    }
    if (restarted.length > 0) this.writeFile();
    return restarted.map((m) => m.id);
  }

  private watch(member: Member): void {
    const spawned = member.process;
    void spawned.exited.then((exit) => this.exited(member, spawned, exit));
  }

  describe(): string {
    const rows = this.members.map(
      (m) =>
        `  node ${m.id}  ${m.address}  pid ${m.process.pid}  log ${m.logFile}\n` +
        `          metrics http://${m.metricsAddress}/metrics  console http://${m.consoleAddress}/`,
    );
    return [
      `raftlog: ${this.members.length} nodes, data under ${this.dataDir}`,
      ...rows,
      `cluster file: ${clusterFilePath(this.dataDir)}`,
      `follow the logs: tail -f ${join(this.dataDir, 'node-*.log')}`,
    ].join('\n');
  }

  usage(): string {
    const addresses = this.members.map((m) => m.address).join(',');
    const bootstrap = addresses === localBootstrapDefault ? '' : ` --bootstrap ${addresses}`;
    return [
      `nodes: ${addresses}`,
      'try, in another terminal of this folder:',
      `  npx raftlog${bootstrap} topic create demo --partitions 3 --replicas 3`,
      `  seq 1 10 | npx raftlog${bootstrap} produce demo`,
      `  npx raftlog${bootstrap} consume demo --max 10`,
      `  npx raftlog${bootstrap} status`,
      'Ctrl-C stops every node.',
    ].join('\n');
  }

  /**
   * Resolves once every node answers its health check and the controller counts them all alive (so a
   * topic may have as many replicas as there are nodes); rejects if one exits or the wait times out.
   */
  async waitReady(timeoutMs = readyTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(this.members.map((m) => this.waitMember(m, timeoutMs)));
    const first = this.members[0];
    if (first !== undefined) {
      const ids = this.members.map((m) => m.id);
      const alive = waitAllAlive(first.address, ids, Math.max(0, deadline - Date.now()), this.ready.signal);
      await Promise.race([alive, ...this.members.map((m) => this.diedBeforeReady(m))]);
    }
    this.isReady = true;
  }

  /** SIGTERM to every node still running, SIGKILL to those still there after the grace period. */
  async stop(graceMs = stopGraceMs): Promise<void> {
    this.stopping = true;
    this.ready.abort();
    await Promise.all(this.members.map((m) => stopNode(m.process, graceMs)));
    this.writeFile();
  }

  /** A second Ctrl-C does not wait for the grace period. */
  killNow(): void {
    for (const m of this.members) if (m.process.exit === undefined) m.process.child.kill('SIGKILL');
  }

  /** Rejects once `member` exits (never resolves). */
  private diedBeforeReady(member: Member): Promise<never> {
    const died = member.process.exited.then((exit) => {
      throw new RaftlogError(
        'UNAVAILABLE',
        `node ${member.id} exited with ${describeExit(exit)} before it was ready; see ${member.logFile}`,
      );
    });
    died.catch(() => {});
    return died;
  }

  private async waitMember(member: Member, timeoutMs: number): Promise<void> {
    const died = this.diedBeforeReady(member);
    try {
      await Promise.race([waitHealthy(member.address, timeoutMs, this.ready.signal), died]);
    } catch (error) {
      const reason = RaftlogError.from(error, 'UNAVAILABLE');
      throw new RaftlogError(
        reason.code,
        `node ${member.id} at ${member.address}: ${reason.message}; see ${member.logFile}`,
        { cause: error },
      );
    }
  }

  private exited(member: Member, spawned: SpawnedNode, exit: NodeExit): void {
    this.writeFile();
    // Before ready, waitReady reports the exit itself.
    if (this.stopping || !this.isReady) return;
    // Restarting silently would hide the crash the operator needs to see.
    console.error(
      `raftlog: node ${member.id} (pid ${spawned.pid}) exited unexpectedly with ${describeExit(exit)}; ` +
        `it is not restarted (\`raftlog cluster restart-node ${member.id} --data ${this.dataDir}\` starts it ` +
        `again). See ${member.logFile}`,
    );
    if (this.members.every((m) => m.process.exit !== undefined)) {
      this.onAllGone(new Error('every node has exited'));
    }
  }

  private writeFile(): void {
    const nodes = this.members.map((m) => ({
      id: m.id,
      address: m.address,
      ...(m.process.exit === undefined ? { pid: m.process.pid } : {}),
      dataDir: m.dataDir,
      logFile: m.logFile,
    }));
    try {
      const supervisorPid = this.stopping ? {} : { supervisorPid: process.pid };
      const clusterId = this.clusterId === undefined ? {} : { clusterId: this.clusterId };
      writeClusterFile(this.dataDir, { ...clusterId, ...supervisorPid, nodes });
    } catch (error) {
      // The file only helps the next start find leftovers; losing it (the data root was removed
      // while the nodes stopped) must not take down the command that still has nodes to stop.
      const reason = error instanceof Error ? error.message : String(error);
      console.error(`raftlog: could not record the cluster's processes: ${reason}`);
    }
  }
}

/**
 * The cluster id of this data root: the one cluster.json recorded, a new one when no node has data
 * yet, and none for a root written before cluster ids (its nodes keep the id they stored).
 */
function clusterIdFor(dataDir: string, layout: readonly { id: number }[]): string | undefined {
  const recorded = readClusterFile(dataDir)?.clusterId;
  if (recorded !== undefined) return recorded;
  const used = layout.some((n) => existsSync(join(dataDir, `node-${n.id}`, 'db')));
  return used ? undefined : randomUUID();
}

function refuseIfRunning(dataDir: string): void {
  const pids = livePids(readClusterFile(dataDir));
  if (pids.length > 0) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `${clusterFilePath(dataDir)} lists running processes (${pids.join(', ')}): a cluster already uses ` +
        'this data directory. Stop it first, or delete the file if those pids are not raftlog nodes.',
    );
  }
}
