import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { trackPid, untrackPid } from './cleanup.js';
import { sleep } from './rpc.js';
import { repoRoot } from './test-cluster.js';

/**
 * A test client in its own process (a script under test/integration run by tsx), so a test can stop
 * it cleanly or SIGKILL it; each line it prints is one JSON event, pushed to `events`.
 */
export class WorkerProcess<E> {
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(script: string, args: readonly string[], events: E[]) {
    const path = join(repoRoot, 'test/integration', script);
    this.child = spawn(process.execPath, ['--import', 'tsx', path, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = this.child.pid!;
    trackPid(pid);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => untrackPid(pid));
    createInterface({ input: this.child.stdout! }).on('line', (line) => events.push(JSON.parse(line) as E));
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    this.child.kill(signal);
    await this.exited;
  }
}

/** Resolves once `check` holds (looked at every 50 ms); throws naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
