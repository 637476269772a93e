import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const lowest = 20_000;
// Ports the kernel hands out to outgoing connections and port-0 listeners (Toxiproxy's proxies,
// clients) are never picked: one taken between the check and a node's bind would fail its start
// with EADDRINUSE.
const highest = ephemeralPortsStart() - 1;
// Ports handed out by this process and not yet bound by their node: never handed out twice.
const handedOut = new Set<number>();

/** A base port such that base..base+count-1 are all free on `host` right now. */
export async function freePortRange(count: number, host = '127.0.0.1', attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const base = lowest + Math.floor(Math.random() * (highest - lowest - count));
    if (await allFree(host, base, count)) {
      for (let port = base; port < base + count; port++) handedOut.add(port);
      return base;
    }
  }
  throw new Error(`no ${count} consecutive free ports found in ${attempts} attempts`);
}

/** One free port on `host`, outside the kernel's ephemeral range; the caller binds it soon after. */
export function freePort(host: string): Promise<number> {
  return freePortRange(1, host);
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

async function allFree(host: string, base: number, count: number): Promise<boolean> {
  for (let port = base; port < base + count; port++) {
    if (handedOut.has(port) || !(await isFree(host, port))) return false;
  }
  return true;
}

function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
