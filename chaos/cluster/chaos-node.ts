import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  describeExit,
  spawnNode,
  stopNode,
  waitHealthy,
  type NodeExit,
  type NodeSpec,
  type SpawnedNode,
} from '../../src/local/index.js';

const stopGraceMs = 10_000;

/**
 * One node process of a chaos cluster. Its data survives kills and restarts; the harness may
 * corrupt it while the node is stopped, or wipe it so the node rebuilds from its peers.
 */
export class ChaosNode {
  private current: SpawnedNode | undefined;
  private paused = false;
  private expectingExit = false;
  /** Exits nobody asked for: a crash, or a refusal to start. */
  readonly unexpectedExits: string[] = [];
  /** A wall clock offset given to the next start (RAFTLOG_CLOCK_OFFSET_MS); 0 for none. */
  clockOffsetMs = 0;

  constructor(
    private readonly spec: NodeSpec,
    private readonly healthTimeoutMs: number,
  ) {}

  get id(): number {
    return this.spec.id;
  }
  /** The node's own listener, bypassing every proxy: for the harness's probes, never for the workload. */
  get directAddress(): string {
    return this.spec.address;
  }
  get dataDir(): string {
    return this.spec.dataDir;
  }
  get logFile(): string {
    return this.spec.logFile;
  }
  get running(): boolean {
    return this.current !== undefined && this.current.exit === undefined;
  }
  get isPaused(): boolean {
    return this.paused && this.running;
  }
  get pid(): number | undefined {
    return this.running ? this.current?.pid : undefined;
  }
  get lastExit(): NodeExit | undefined {
    return this.current?.exit;
  }

  /**
   * Spawns the process and waits until it answers its health check; fails if it exits first. With
   * `mayRefuse`, an exit is an answer (damaged data refused), not a crash, until `settled()`.
   */
  async start(mayRefuse = false): Promise<void> {
    if (this.running) return;
    const env = { ...this.spec.env, RAFTLOG_CLOCK_OFFSET_MS: String(this.clockOffsetMs) };
    const spawned = spawnNode({ ...this.spec, env });
    this.current = spawned;
    this.paused = false;
    this.expectingExit = mayRefuse;
    void spawned.exited.then((exit) => {
      if (!this.expectingExit) this.unexpectedExits.push(`node ${this.id} exited with ${describeExit(exit)}`);
    });
    const died = spawned.exited.then((exit) => {
      throw new Error(`node ${this.id} exited with ${describeExit(exit)} before it was healthy`);
    });
    const abort = new AbortController();
    try {
      await Promise.race([waitHealthy(this.spec.address, this.healthTimeoutMs, abort.signal), died]);
      this.expectingExit = mayRefuse;
    } finally {
      abort.abort();
      died.catch(() => {});
    }
  }

  /** From now on an exit is a crash again (see start's `mayRefuse`). */
  settled(): void {
    if (this.running) this.expectingExit = false;
  }

  /** The exit of the current process if it comes within `ms`, else undefined (still running). */
  async exitWithin(ms: number): Promise<NodeExit | undefined> {
    const current = this.current;
    if (current === undefined) return undefined;
    const timer = new AbortController();
    const elapsed = sleep(ms, undefined, { signal: timer.signal }).then(
      () => undefined,
      () => undefined,
    );
    try {
      return await Promise.race([current.exited, elapsed]);
    } finally {
      timer.abort();
    }
  }

  async kill(): Promise<void> {
    if (this.current === undefined || !this.running) return;
    this.expectingExit = true;
    this.resume();
    await stopNode(this.current, 0, 'SIGKILL');
  }

  /** SIGTERM: the node hands its leaderships over and drains, then SIGKILL after the grace period. */
  async stop(): Promise<void> {
    if (this.current === undefined || !this.running) return;
    this.expectingExit = true;
    this.resume();
    await stopNode(this.current, stopGraceMs, 'SIGTERM');
  }

  pause(): void {
    const pid = this.pid;
    if (pid === undefined || this.paused) return;
    process.kill(pid, 'SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    const pid = this.pid;
    if (pid !== undefined && this.paused) process.kill(pid, 'SIGCONT');
    this.paused = false;
  }

  /** Removes the node's data: it starts again empty and catches up from its peers. */
  async wipe(): Promise<void> {
    if (this.running) throw new Error(`node ${this.id} must be stopped before its data is wiped`);
    await rm(this.spec.dataDir, { recursive: true, force: true });
  }
}
