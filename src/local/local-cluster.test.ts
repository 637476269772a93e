import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readClusterFile } from './cluster-file.js';
import { LocalCluster } from './local-cluster.js';

/** Stands in for a node: a process that lives until it is signalled. */
const idleProcess = { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] };

describe('LocalCluster', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('stops every node when its data root is removed while they stop', async () => {
    const root = mkdtempSync(join(tmpdir(), 'raftlog-local-'));
    roots.push(root);
    const options = { nodes: 2, basePort: 47_100, dataDir: root, host: '127.0.0.1', logLevel: 'warn' };
    const cluster = new LocalCluster(options, idleProcess);
    expect(existsSync(join(root, 'cluster.json'))).toBe(true);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    rmSync(root, { recursive: true, force: true });
    await cluster.stop(2_000);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('could not record the cluster'));
  });

  it('starts a node that exited again as before, and records its new pid and its supervisor', async () => {
    const root = mkdtempSync(join(tmpdir(), 'raftlog-local-'));
    roots.push(root);
    const options = { nodes: 2, basePort: 47_300, dataDir: root, host: '127.0.0.1', logLevel: 'warn' };
    const cluster = new LocalCluster(options, idleProcess);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const before = readClusterFile(root)!;
      expect(before.supervisorPid).toBe(process.pid);
      expect(cluster.restartExited()).toEqual([]);
      const second = before.nodes[1]!;
      process.kill(second.pid!, 'SIGKILL');
      await until(() => readClusterFile(root)?.nodes[1]?.pid === undefined);
      expect(cluster.restartExited()).toEqual([2]);
      const after = readClusterFile(root)!;
      expect(after.nodes[0]!.pid).toBe(before.nodes[0]!.pid);
      expect(after.nodes[1]!.pid).not.toBe(second.pid);
      expect(() => process.kill(after.nodes[1]!.pid!, 0)).not.toThrow();
    } finally {
      await cluster.stop(2_000);
    }
    // Stopped: no supervisor to ask, and no node left running.
    expect(readClusterFile(root)).toMatchObject({ nodes: [{ id: 1 }, { id: 2 }] });
    expect(readClusterFile(root)?.supervisorPid).toBeUndefined();
    expect(readClusterFile(root)?.nodes.some((n) => n.pid !== undefined)).toBe(false);
  });

  it('refuses a data directory a running cluster uses, as a usage error', async () => {
    const root = mkdtempSync(join(tmpdir(), 'raftlog-local-'));
    roots.push(root);
    const options = { nodes: 1, basePort: 47_200, dataDir: root, host: '127.0.0.1', logLevel: 'warn' };
    const cluster = new LocalCluster(options, idleProcess);
    try {
      const refusal = (): unknown => {
        try {
          return new LocalCluster(options, idleProcess);
        } catch (error) {
          return error;
        }
      };
      expect(refusal()).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(String(refusal())).toContain('already uses');
      expect(() => new LocalCluster({ ...options, nodes: 0 }, idleProcess)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    } finally {
      await cluster.stop(2_000);
    }
  });
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
