import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { BenchTarget } from '../bench-target.js';
import type { BenchTime } from '../bench-time.js';
import { NatsTarget, startNatsCluster } from './nats-peer.js';
import { findExecutable, type PeerProcesses } from './peer-processes.js';
import { debianRabbit, RabbitTarget, startRabbitCluster, waitRabbitCluster } from './rabbitmq-peer.js';

export const peerNames = ['nats', 'rabbitmq'] as const;
export type PeerName = (typeof peerNames)[number];

/** `--peers nats,rabbitmq`. */
export function peerList(value: string): PeerName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names) {
    if (!(peerNames as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`expected peers among ${peerNames.join(',')}, got "${name}"`);
    }
  }
  return [...new Set(names)] as PeerName[];
}

/** What a peer needs installed, and how to get it on Debian. */
const requirements: Record<PeerName, { executable: string; install: string }> = {
  nats: { executable: 'nats-server', install: 'apt-get install nats-server' },
  rabbitmq: { executable: debianRabbit.server, install: 'apt-get install rabbitmq-server' },
};

/** The peers whose server is installed; each missing one is reported through `warn` and skipped. */
export function installedPeers(names: readonly PeerName[], warn: (line: string) => void): PeerName[] {
  return names.filter((name) => {
    const need = requirements[name];
    if (findExecutable(need.executable) !== undefined) return true;
    warn(`${name}: ${need.executable} is not installed (${need.install}); ${name} is left out of this run`);
    return false;
  });
}

/** Starts each peer's cluster under `dir` and connects a client to it, in the order given. */
export async function startPeers(
  names: readonly PeerName[],
  processes: PeerProcesses,
  dir: string,
  time: BenchTime,
  signal?: AbortSignal,
): Promise<BenchTarget[]> {
  const starting = names.map((name) => {
    const peerDir = join(dir, name);
    mkdirSync(peerDir, { recursive: true });
    return name === 'nats'
      ? startNats(processes, peerDir, time)
      : startRabbit(processes, peerDir, time, signal);
  });
  // Both boot at once; a failure of one still waits for the other before the caller cleans up.
  const settled = await Promise.allSettled(starting);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    await Promise.all(started.map((t) => t.close().catch(() => undefined)));
    throw failed.reason;
  }
  return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
}

async function startNats(processes: PeerProcesses, dir: string, time: BenchTime): Promise<BenchTarget> {
  const servers = await startNatsCluster(processes, dir, findExecutable('nats-server') ?? 'nats-server');
  return NatsTarget.connect(servers, time);
}

async function startRabbit(
  processes: PeerProcesses,
  dir: string,
  time: BenchTime,
  signal: AbortSignal | undefined,
): Promise<BenchTarget> {
  const cluster = await startRabbitCluster(processes, dir, debianRabbit);
  await waitRabbitCluster(cluster, debianRabbit, time, signal);
  return RabbitTarget.connect(cluster.urls[0] ?? '', time);
}
