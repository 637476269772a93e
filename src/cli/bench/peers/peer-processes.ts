import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, openSync, closeSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { BenchTime } from '../bench-time.js';

export interface PeerSpawn {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** stdout and stderr go here, straight from the child (nothing buffered in this process). */
  readonly logFile: string;
}

interface Tracked {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

/**
 * Every process a bench starts for its peers. Each runs in its own process group, so stopping it by
 * its PID also stops what it forked (an Erlang VM's helpers, a shell wrapper's exec'd child); a
 * daemon that detaches itself would escape, so callers start such helpers in the foreground here.
 */
export class PeerProcesses {
  private readonly tracked: Tracked[] = [];

  constructor(private readonly time: BenchTime) {}

  get pids(): number[] {
    return this.tracked.flatMap((t) => (t.child.pid === undefined ? [] : [t.child.pid]));
  }

  start(spec: PeerSpawn): ChildProcess {
    const log = openSync(spec.logFile, 'a');
    try {
      const child = spawn(spec.command, spec.args, {
        // Crash dumps (erl_crash.dump, MnesiaCore.*) land in the working directory: keep them with the logs.
        cwd: dirname(spec.logFile),
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', log, log],
        detached: true,
      });
      const exited = new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.once('error', () => resolve());
      });
      // Not unref'd: while stopAll waits for the exits, these children are all that keeps the loop alive.
      this.tracked.push({ child, exited });
      return child;
    } finally {
      closeSync(log);
    }
  }

  /** SIGTERM to every group, SIGKILL to those still running after `graceMs`. Safe to call twice. */
  async stopAll(graceMs: number): Promise<void> {
    const running = this.tracked.filter((t) => t.child.exitCode === null && t.child.signalCode === null);
    for (const t of running) signalGroup(t.child, 'SIGTERM');
    const allExited = Promise.all(running.map((t) => t.exited));
    const settled = await Promise.race([
      allExited.then(() => true),
      this.time.sleep(graceMs).then(() => false),
    ]);
    if (!settled) for (const t of running) signalGroup(t.child, 'SIGKILL');
    await allExited;
    // The leaders are gone; anything they forked that ignored SIGTERM goes with the group.
    for (const t of running) signalGroup(t.child, 'SIGKILL');
  }

  /** At once, for a second Ctrl-C or a process exit handler (no waiting possible). */
  killAll(): void {
    for (const t of this.tracked) signalGroup(t.child, 'SIGKILL');
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** The executable's path when it is on PATH (or given as a path), else undefined. */
export function findExecutable(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  const candidates = name.includes('/') ? [name] : path.split(delimiter).map((dir) => join(dir, name));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
