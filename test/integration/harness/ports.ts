import { createServer } from 'node:net';

const lowest = 20_000;
const highest = 60_000;

/** A base port such that base..base+count-1 are all free on 127.0.0.1 right now. */
export async function freePortRange(count: number, attempts = 50): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const base = lowest + Math.floor(Math.random() * (highest - lowest - count));
    if (await allFree(base, count)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found in ${attempts} attempts`);
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
