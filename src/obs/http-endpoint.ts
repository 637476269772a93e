import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** What a route answers. */
export interface HttpReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Path (without the query) → the reply; a route that throws answers 500 and is logged. */
export type HttpRoutes = ReadonlyMap<string, () => Promise<HttpReply> | HttpReply>;

export interface HttpEndpointLimits {
  /** Sockets open at once; one more is closed at once. */
  readonly connectionsMax: number;
  /** Request line plus headers. */
  readonly headerBytesMax: number;
  /** A request (headers and body) must arrive within this. */
  readonly requestMsMax: number;
  /** An idle keep-alive socket is closed after this. */
  readonly keepAliveMsMax: number;
}

export const httpEndpointLimitsDefault: HttpEndpointLimits = {
  connectionsMax: 64,
  headerBytesMax: 8 * 1024,
  requestMsMax: 10_000,
  keepAliveMsMax: 5_000,
};

export interface HttpEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A small read-only HTTP server (metrics, the console): GET and HEAD only, no request body, bounded
 * connections, header size and time. Nothing a client sends can throw out of it.
 */
export async function listenHttp(
  address: string,
  routes: HttpRoutes,
  logger: Logger,
  limits: HttpEndpointLimits = httpEndpointLimitsDefault,
): Promise<HttpEndpoint> {
  const server = createServer({ maxHeaderSize: limits.headerBytesMax }, (req, res) => {
    void answer(req, res, routes, logger);
  });
  server.maxConnections = limits.connectionsMax;
  server.requestTimeout = limits.requestMsMax;
  server.headersTimeout = Math.min(limits.requestMsMax, 60_000);
  server.keepAliveTimeout = limits.keepAliveMsMax;
  server.on('clientError', (_error, socket) => socket.destroy());
  const { host, port } = splitAddress(address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.warn({ err: error, address }, 'http endpoint error'));
  return { port: (server.address() as AddressInfo).port, close: () => closeServer(server) };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  routes: HttpRoutes,
  logger: Logger,
): Promise<void> {
  res.on('error', () => undefined);
  const reply = await route(req, routes).catch((error: unknown) => {
    logger.warn({ err: error, url: req.url }, 'http endpoint failed a request');
    return text(500, 'internal error\n');
  });
  const head = {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if (reply.status === 405) res.setHeader('allow', 'GET, HEAD');
  res.writeHead(reply.status, head);
  res.end(req.method === 'HEAD' ? undefined : reply.body);
  // The body of a request that should have none is not read: the connection is not reused.
  if (hasBody(req)) req.socket.destroySoon();
}

async function route(req: IncomingMessage, routes: HttpRoutes): Promise<HttpReply> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'only GET and HEAD\n');
  if (hasBody(req)) return text(413, 'a request body is not accepted\n');
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const handler = routes.get(path);
  return handler === undefined ? text(404, 'not found\n') : await handler();
}

const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

export const text = (status: number, body: string): HttpReply => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body,
});

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(at + 1)) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
