import type { Server } from '@grpc/grpc-js';
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import type { AnyService, ServiceClient, ServiceImpl } from './service-types.js';
import type { ClientOptions } from './client-adapter.js';
import { createClient, createServer, implementService, listen, type ImplementOptions } from './index.js';
import type { ServerOptions } from './server.js';

/** A real server and client over 127.0.0.1 on a free port, closed by `stopAll`. */
export interface Harness<S> {
  readonly client: ServiceClient<S>;
  readonly address: string;
  readonly server: Server;
}

const running: { server: Server; close: () => void }[] = [];

export async function startService<S extends AnyService>(
  service: S,
  impl: ServiceImpl<S>,
  options: { server?: ServerOptions; client?: ClientOptions; implement?: ImplementOptions } = {},
): Promise<Harness<S>> {
  const server = createServer(options.server);
  implementService(server, service, impl, options.implement);
  const port = await listen(server, '127.0.0.1:0');
  const address = `127.0.0.1:${port}`;
  const client = createClient(service, address, options.client);
  running.push({ server, close: () => client.close() });
  return { client, address, server };
}

export function stopAll(): void {
  for (const r of running.splice(0)) {
    r.close();
    r.server.forceShutdown();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `check` holds, polling every few ms; rejects after timeoutMs. */
export async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

/**
 * Starts a call with an empty request on a raw HTTP/2 session and never reads its answer: the
 * stream stays paused, so HTTP/2 flow control (64 KiB windows) holds the rest in the server.
 */
export function unreadCall(session: ClientHttp2Session, path: string): ClientHttp2Stream {
  const call = session.request({
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  // The server cancels the stream when the test stops it: nothing to report.
  call.on('error', () => undefined);
  call.pause();
  call.end(Buffer.alloc(5));
  return call;
}
