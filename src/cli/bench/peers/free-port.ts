import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/**
 * `count` consecutive ports free now, for the peers' listeners. Not from the OS's ephemeral range
 * (32768 and up): any outgoing connection may take one of those before the peer binds it (a RabbitMQ
 * node once failed with dist_port_already_used), and not from the range of raftlog's own cluster.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const offsets = Array.from({ length: count }, (_, i) => i);
  const base = await freeBasePort(offsets, host, peerRange);
  return offsets.map((o) => base + o);
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

interface PortRange {
  readonly start: number;
  readonly end: number;
}

/** Both below the OS's ephemeral range (32768 and up) and apart from each other. */
export const clusterRange: PortRange = { start: 20_000, end: 30_000 };
const peerRange: PortRange = { start: 30_000, end: 32_700 };
const attemptsMax = 100;

/**
 * A base port for a layout that binds base + each offset: every one of them free now, all within
 * `range`, so the ports of the peers and of raftlog's own cluster cannot collide.
 */
export async function freeBasePort(
  offsets: readonly number[],
  host = '127.0.0.1',
  range: PortRange = clusterRange,
): Promise<number> {
  const span = Math.max(...offsets);
  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    const base = randomInt(range.start, range.end - span);
    const free = await Promise.all(offsets.map((o) => isFree(base + o, host)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no free ports for a layout of ${offsets.length} ports in ${range.start}-${range.end}`);
}
