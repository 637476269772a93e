import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** Servers and sockets the tests open, so that `closePeers` stops them all. */
const servers = new Set<Server>();
const sockets = new Set<Socket>();

export interface Peer {
  /** `127.0.0.1:port`, to use as a proxy's upstream. */
  readonly address: string;
  /** Server-side sockets, in the order they were accepted. */
  readonly accepted: Socket[];
  /** Resolves with the next socket accepted. */
  nextAccepted(): Promise<Socket>;
}

/** A TCP server that answers every byte with itself and half-closes when its client does. */
export function startEcho(): Promise<Peer> {
  return startPeer(true, (socket) => socket.pipe(socket));
}

/**
 * A TCP server that only reads (read it with `collect` on `accepted`); its sockets close when the
 * other side does, as sockets do by default.
 */
export function startSink(): Promise<Peer> {
  return startPeer(false, () => undefined);
}

async function startPeer(allowHalfOpen: boolean, onSocket: (socket: Socket) => void): Promise<Peer> {
  const accepted: Socket[] = [];
  const waiting: ((socket: Socket) => void)[] = [];
  const server = createServer({ allowHalfOpen }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    accepted.push(socket);
    onSocket(socket);
    waiting.shift()?.(socket);
  });
  servers.add(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let taken = 0;
  const nextAccepted = (): Promise<Socket> => {
    const index = taken++;
    const ready = accepted[index];
    return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
  };
  return { address: `127.0.0.1:${port}`, accepted, nextAccepted };
}

/**
 * Connects to `address` (host:port); rejects with the connection error (ECONNREFUSED...). The socket
 * closes when the other side does, as sockets do by default.
 */
export async function connectTo(address: string): Promise<Socket> {
  const colon = address.lastIndexOf(':');
  const socket = connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
  sockets.add(socket);
  await once(socket, 'connect');
  socket.on('error', () => undefined);
  return socket;
}

export interface Collected {
  /** Everything received so far. */
  bytes(): Buffer;
  /** Resolves once at least `count` bytes have been received (rejects if the socket closes first). */
  atLeast(count: number): Promise<Buffer>;
  /** Resolves when the socket has closed: all bytes received and the error it closed with, if any. */
  readonly closed: Promise<{ bytes: Buffer; error: NodeJS.ErrnoException | undefined }>;
}

/** Reads everything a socket receives. */
export function collect(socket: Socket): Collected {
  const chunks: Buffer[] = [];
  let error: NodeJS.ErrnoException | undefined;
  const waiters: (() => void)[] = [];
  const bytes = (): Buffer => Buffer.concat(chunks);
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on('error', (cause: NodeJS.ErrnoException) => (error = cause));
  const closed = new Promise<{ bytes: Buffer; error: NodeJS.ErrnoException | undefined }>((resolve) =>
    socket.once('close', () => {
      resolve({ bytes: bytes(), error });
      for (const wake of waiters.splice(0)) wake();
    }),
  );
  const atLeast = async (count: number): Promise<Buffer> => {
    while (bytes().length < count) {
      if (socket.destroyed) throw new Error(`closed after ${bytes().length} of ${count} bytes`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    return bytes();
  };
  return { bytes, atLeast, closed };
}

/** Writes and waits until the data is handed to the kernel. */
export function writeAll(socket: Socket, data: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
}

export async function closePeers(): Promise<void> {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all([...servers].map((server) => new Promise((resolve) => server.close(resolve))));
  servers.clear();
}
