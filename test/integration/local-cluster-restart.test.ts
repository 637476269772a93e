import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, readClusterFile } from '../../src/local/index.js';
import { freePortRange, tsxLauncher, until } from './harness/index.js';

const run = promisify(execFile);

/** `raftlog cluster …` as a user types it; the exit code, stdout and stderr whatever they are. */
async function clusterCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await run(tsxLauncher.command, [...tsxLauncher.args, 'cluster', ...args], {
    cwd: tsxLauncher.cwd,
    timeout: 120_000,
  }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  return { code: 'code' in result ? result.code : 0, stdout: result.stdout, stderr: result.stderr };
}

describe('raftlog cluster restart-node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftlog-restart-node-'));
  let up: ChildProcess | undefined;
  afterAll(() => {
    if (up?.exitCode === null) up.kill('SIGKILL');
    for (const node of readClusterFile(dir)?.nodes ?? []) {
      if (node.pid !== undefined && isAlive(node.pid)) process.kill(node.pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a node of a running `cluster up` again, killed or running, and refuses what it cannot', async () => {
    // Clients on base..base+2, metrics and consoles +100 and +200, peers +1000.
    const base = await freePortRange(1_003);
    const args = ['cluster', 'up', '--base-port', String(base), '--data', dir, '--log-level', 'warn'];
    up = spawn(tsxLauncher.command, [...tsxLauncher.args, ...args], { cwd: tsxLauncher.cwd });
    let output = '';
    up.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    up.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until('cluster ready', () => output.includes('cluster ready'), 90_000);
    const killed = readClusterFile(dir)!.nodes[1]!;
    process.kill(killed.pid!, 'SIGKILL');
    await until('node 2 seen gone', () => readClusterFile(dir)?.nodes[1]?.pid === undefined);
    expect(output).toContain('cluster restart-node 2');

    const again = await clusterCli('restart-node', '2', '--data', dir);
    expect(again).toMatchObject({ code: 0 });
    const restarted = readClusterFile(dir)!.nodes[1]!;
    expect(again.stdout).toContain(`node 2 restarted: pid ${restarted.pid}, serving at ${killed.address}`);
    expect(restarted.pid).not.toBe(killed.pid);

    // A running node is stopped first, then started again.
    const json = await clusterCli('restart-node', '2', '--data', dir, '--json');
    expect(json.code).toBe(0);
    const { pid } = JSON.parse(json.stdout) as { pid: number };
    expect(pid).not.toBe(restarted.pid);
    expect(isAlive(restarted.pid!)).toBe(false);
    expect(isAlive(pid)).toBe(true);

    const unknown = await clusterCli('restart-node', '9', '--data', dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/INVALID_ARGUMENT.*no node 9 \(its nodes: 1, 2, 3\)/);

    // Ctrl-C stops every node, the restarted one included; then there is nobody to ask.
    up.kill('SIGINT');
    await until('cluster up stopped', () => up?.exitCode !== null, 60_000);
    expect(readClusterFile(dir)?.nodes.every((n) => n.pid === undefined)).toBe(true);
    expect(isAlive(pid)).toBe(false);
    const stopped = await clusterCli('restart-node', '2', '--data', dir);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/UNAVAILABLE.*no `raftlog cluster up` runs the cluster/);
  }, 240_000);
});
