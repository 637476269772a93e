import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const lowest = 20_000;
// Ports the kernel hands out to outgoing connections and port-0 listeners (proxies, clients) are
// never picked: one taken between the check and a node's bind would fail its start (EADDRINUSE).
const highest = ephemeralPortsStart() - 1;

/** A base port such that base..base+count-1 are all free on 127.0.0.1 right now. */
export async function freePortRange(count: number, attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const base = lowest + Math.floor(Math.random() * (highest - lowest - count));
    if (await allFree(base, count)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found in ${attempts} attempts`);
}

function ephemeralPortsStart(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > lowest + 1_000 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

async function allFree(base: number, count: number): Promise<boolean> {
  for (let port = base; port < base + count; port++) if (!(await isFree(port))) return false;
  return true;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
