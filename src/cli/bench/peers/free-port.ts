import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/** A TCP port free on `host` right now (the OS picks it); a peer binds it moments later. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Below the OS's ephemeral range (32768 and up), where freePort's picks for the peers come from. */
const fixedRangeStart = 20_000;
const fixedRangeEnd = 30_000;
const attemptsMax = 100;

/**
 * A base port for a layout that binds base + each offset: every one of them free now, and all below
 * the ephemeral range, so ports handed out meanwhile by freePort cannot collide with them.
 */
export async function freeBasePort(offsets: readonly number[], host = '127.0.0.1'): Promise<number> {
  const span = Math.max(...offsets);
  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    const base = randomInt(fixedRangeStart, fixedRangeEnd - span);
    const free = await Promise.all(offsets.map((o) => isFree(base + o, host)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(
    `no free ports for a layout of ${offsets.length} ports in ${fixedRangeStart}-${fixedRangeEnd}`,
  );
}
