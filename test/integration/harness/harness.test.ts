import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitHealthy } from '../../../src/local/index.js';
import { repoRoot, startCluster, type TestCluster } from './index.js';

// The harness itself, on stub nodes that only answer health checks (no broker needed).
const stub = (mode: string, healthTimeoutMs = 15_000) => ({
  launcher: {
    command: process.execPath,
    args: ['--import', 'tsx', join(repoRoot, 'test/integration/harness/fixtures/stub-node.ts')],
    cwd: repoRoot,
  },
  env: { STUB_MODE: mode },
  healthTimeoutMs,
});

const started: TestCluster[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.stopAll();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('integration harness', () => {
  it('starts, kills, restarts and stops node processes', async () => {
    const cluster = await startCluster({ nodes: 3, tickMs: 20, ...stub('serve') });
    started.push(cluster);
    const pids = cluster.nodes.map((n) => n.pid!);
    expect(pids.every(alive)).toBe(true);
    expect(readFileSync(cluster.node(2).logFile, 'utf8')).toContain('--id 2');
    expect(readFileSync(cluster.node(2).logFile, 'utf8')).toContain('tick=20');

    await cluster.node(2).kill('SIGKILL');
    expect(cluster.node(2).running).toBe(false);
    expect(alive(pids[1]!)).toBe(false);
    await cluster.node(2).start();
    expect(cluster.node(2).pid).not.toBe(pids[1]);
    await cluster.node(3).restart();
    await waitHealthy(cluster.node(3).address, 2_000);

    const now = cluster.nodes.map((n) => n.pid!);
    await cluster.stopAll();
    expect(now.some(alive)).toBe(false);
  }, 60_000);

  it('fails fast when a node exits before it is healthy, leaving no process behind', async () => {
    const started = Date.now();
    await expect(startCluster({ nodes: 2, ...stub('fail') })).rejects.toThrow(/exited with code 3/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stubProcesses()).toEqual([]);
  }, 30_000);

  it('gives up after the health timeout and kills what it started', async () => {
    await expect(startCluster({ nodes: 2, ...stub('hang', 3_000) })).rejects.toThrow(
      /not healthy after 3000 ms/,
    );
    expect(stubProcesses()).toEqual([]);
  }, 30_000);

  it('rejects waitHealthy on a port nobody listens on, after its timeout', async () => {
    const started = Date.now();
    await expect(waitHealthy('127.0.0.1:1', 500)).rejects.toThrow(/not healthy after 500 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

/** Stub node processes still running, as `ps` sees them (none may outlive a test). */
function stubProcesses(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes('fixtures/stub-node.ts') && line.includes(' start --id '));
}
