import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freeBasePort } from './free-port.js';
import { realBenchTime } from '../bench-time.js';
import { findExecutable, PeerProcesses } from './peer-processes.js';
import { installedPeers, peerList } from './start-peers.js';
import { natsConfig } from './nats-peer.js';
import { rabbitConfig } from './rabbitmq-peer.js';

const dirs: string[] = [];
const started: PeerProcesses[] = [];
afterEach(() => {
  started.splice(0).forEach((p) => p.killAll());
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** Signal 0 checks that a pid exists without touching the process. */
const alive = (pid: number): boolean => !isGone(() => process.kill(pid, 0));

function isGone(probe: () => void): boolean {
  try {
    probe();
    return false;
  } catch {
    return true;
  }
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await realBenchTime.sleep(20);
  }
}

/** A process that ignores SIGTERM and forks a grandchild that ignores it too, then prints its pid. */
const stubborn = `
  process.on('SIGTERM', () => {});
  const { spawn } = require('node:child_process');
  const g = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
  console.log(g.pid);
  setInterval(() => {}, 1000);
`;

describe('PeerProcesses', () => {
  it('stops each process and what it forked, by process group, SIGKILL after the grace period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peers-'));
    dirs.push(dir);
    const processes = new PeerProcesses(realBenchTime);
    started.push(processes);
    const log = join(dir, 'stubborn.log');
    const child = processes.start({ command: process.execPath, args: ['-e', stubborn], logFile: log });
    const polite = processes.start({
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      logFile: join(dir, 'polite.log'),
    });
    await waitFor(() => readFileSync(log, 'utf8').trim() !== '');
    const grandchild = Number(readFileSync(log, 'utf8').trim());
    expect([child.pid, polite.pid, grandchild].every((pid) => pid !== undefined && alive(pid))).toBe(true);
    expect(processes.pids).toEqual([child.pid, polite.pid]);

    const t0 = performance.now();
    await processes.stopAll(300);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    await waitFor(() => !alive(grandchild));
    expect(alive(child.pid!)).toBe(false);
    expect(alive(polite.pid!)).toBe(false);
    // Twice is harmless.
    await processes.stopAll(300);
  });

  it('finds executables on PATH and says which peers are missing', () => {
    expect(findExecutable('node', process.env['PATH'])).toMatch(/node$/);
    expect(findExecutable('surely-not-installed-here', '/nowhere')).toBeUndefined();
    const warnings: string[] = [];
    const savedPath = process.env['PATH'];
    process.env['PATH'] = '/nowhere';
    try {
      expect(installedPeers(['nats'], (w) => warnings.push(w))).toEqual([]);
    } finally {
      process.env['PATH'] = savedPath;
    }
    expect(warnings).toEqual([
      'nats: nats-server is not installed (apt-get install nats-server); nats is left out of this run',
    ]);
  });

  it('parses --peers and refuses unknown names', () => {
    expect(peerList('nats, rabbitmq,nats')).toEqual(['nats', 'rabbitmq']);
    expect(() => peerList('kafka')).toThrow(/kafka/);
  });

  it('writes cluster configs that route each node to the others only', () => {
    const conf = natsConfig(1, [4001, 4002, 4003], [6001, 6002, 6003], '/d');
    expect(conf).toContain('listen: 127.0.0.1:4002');
    expect(conf).toContain('routes: [nats-route://127.0.0.1:6001, nats-route://127.0.0.1:6003]');
    expect(conf).toContain('store_dir: "/d/nats-2-store"');
    const rabbit = rabbitConfig(5673, ['a@localhost', 'b@localhost']);
    expect(rabbit).toContain('listeners.tcp.default = 127.0.0.1:5673');
    expect(rabbit).toContain('cluster_formation.classic_config.nodes.2 = b@localhost');
  });
});

describe('freeBasePort', () => {
  it('finds a base below the ephemeral range whose every offset is free', async () => {
    const offsets = [0, 1, 2, 1000, 1001, 1002];
    const base = await freeBasePort(offsets);
    expect(base).toBeGreaterThanOrEqual(20_000);
    expect(base + 1002).toBeLessThan(30_000);
    const servers = await Promise.all(offsets.map((o) => listen(base + o)));
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
