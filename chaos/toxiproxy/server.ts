import { createServer } from 'node:http';
import { Prng } from '../../lib/index.js';
import { formatHostPort } from './address.js';
import { apiHandler } from './http-api.js';
import { ProxyCollection } from './proxy-collection.js';
import { Serial } from './serial.js';

export interface ToxiproxyServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port (Toxiproxy's own default is 8474). */
  readonly port?: number;
  /** Seeds the draws of toxicity, jitter and slice sizes. Default 1. */
  readonly seed?: number;
}

export interface ToxiproxyServer {
  /** The API's base URL, e.g. `http://127.0.0.1:40123`, for `new Toxiproxy(url)`. */
  readonly url: string;
  /** Stops the API and every proxy, closing their connections. */
  close(): Promise<void>;
}

/** Bytes one direction of a proxied connection may hold (in toxics and write buffers) before it stops reading. */
const linkBytesMax = 1024 * 1024;

/** Starts a server that speaks Toxiproxy's HTTP API and proxies TCP as Toxiproxy does. */
export async function startToxiproxyServer(options: ToxiproxyServerOptions = {}): Promise<ToxiproxyServer> {
  const host = options.host ?? '127.0.0.1';
  const collection = new ProxyCollection({ prng: new Prng(options.seed ?? 1), linkBytesMax });
  const serial = new Serial();
  const server = createServer(apiHandler(collection, serial));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  let closing: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await serial.run(() => collection.closeAll());
    await closed;
  };
  return { url: `http://${formatHostPort(host, port)}`, close: () => (closing ??= shutdown()) };
}
