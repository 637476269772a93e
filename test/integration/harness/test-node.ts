import {
  describeExit,
  peerAddressOf,
  spawnNode,
  stopNode,
  waitHealthy,
  type NodeExit,
  type NodeSpec,
  type SpawnedNode,
} from '../../../src/local/index.js';
import { trackPid, untrackPid } from './cleanup.js';
import { tailFile } from './logs.js';

const stopGraceMs = 5_000;

/** One node process of a test cluster; it can be killed, stopped and started again on the same data. */
export class TestNode {
  private current: SpawnedNode | undefined;

  constructor(
    private readonly spec: NodeSpec,
    private readonly healthTimeoutMs: number,
  ) {}

  get id(): number {
    return this.spec.id;
  }
  get address(): string {
    return this.spec.address;
  }
  /** The peer listener: for nodes (and tests posing as one), never for clients. */
  get peerAddress(): string {
    return peerAddressOf(this.spec);
  }
  get dataDir(): string {
    return this.spec.dataDir;
  }
  get logFile(): string {
    return this.spec.logFile;
  }
  get pid(): number | undefined {
    return this.running ? this.current?.pid : undefined;
  }
  get running(): boolean {
    return this.current !== undefined && this.current.exit === undefined;
  }
  /** How the last process ended; undefined while it runs or before the first start. */
  get lastExit(): NodeExit | undefined {
    return this.current?.exit;
  }

  /** Spawns the process and waits for its health check; fails at once if the process exits first. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`node ${this.id} is already running`);
    const spawned = spawnNode(this.spec);
    this.current = spawned;
    trackPid(spawned.pid);
    void spawned.exited.then(() => untrackPid(spawned.pid));
    const died = spawned.exited.then((exit) => {
      throw new Error(`node ${this.id} exited with ${describeExit(exit)} before it was healthy`);
    });
    const abort = new AbortController();
    try {
      await Promise.race([waitHealthy(this.address, this.healthTimeoutMs, abort.signal), died]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${this.logTail(30)}`, { cause: error });
    } finally {
      abort.abort();
      died.catch(() => {});
    }
  }

  /** Sends `signal` (SIGKILL unless told) and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running || this.current === undefined) return;
    await stopNode(this.current, signal === 'SIGKILL' ? 0 : stopGraceMs, signal);
  }

  /** A graceful stop: SIGTERM, then SIGKILL if the node is still there after the grace period. */
  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }

  /** Stops the node if it runs, then starts it again on the same data directory and port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  logTail(lines: number): string {
    return `--- node ${this.id} (${this.address}) ${this.logFile}, last ${lines} lines:\n${tailFile(this.logFile, lines)}`;
  }
}
