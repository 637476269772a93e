import { createServer as createTcpServer, type Socket } from 'node:net';
import { ServerCredentials, type Server } from '@grpc/grpc-js';
import { RaftlogError } from '../../lib/index.js';
import { connectionKey } from '../../rpc/index.js';

export interface BoundedListener {
  readonly port: number;
  /** Stops accepting; open connections are left to the gRPC server's shutdown. */
  stopAccepting(): void;
  /** Stops accepting and drops whatever connection the gRPC server's shutdown left open. */
  close(): Promise<void>;
  /** Open connections by remote address; always empty when connections per address are not limited. */
  connectionsByAddress(): ReadonlyMap<string, number>;
  /** Drops the connection grpc-js knows by this key (rpc's connectionKey); false when none is open. */
  closeConnection(key: string): boolean;
}

/** What a listener holds open at most. */
export interface ConnectionBounds {
  readonly connectionsMax: number;
  /**
   * Connections from one remote address at once; unset: no such limit, since a NAT or a service mesh
   * proxy puts many clients behind one address.
   */
  readonly connectionsPerAddressMax?: number | undefined;
  /** A connection that has sent no byte this long after it opened is closed (default 10 s). */
  readonly silentMsMax?: number;
}

const silentMsMaxDefault = 10_000;

/**
 * Serves `server` on `address` with at most connectionsMax TCP connections at once. grpc-js has no
 * such bound, so the socket is accepted here and handed to grpc-js through its connection injector;
 * one connection over the cap is closed at once by Node (net.Server.maxConnections), which a gRPC
 * client sees as UNAVAILABLE, and every open connection keeps being served. A connection that sends
 * nothing (not even a TLS hello or the HTTP/2 preface) within silentMsMax is closed, so sockets
 * opened and left silent cannot hold the cap for ever. With connectionsPerAddressMax, a connection
 * over its remote address's share is closed the same way before grpc-js sees it, so one address
 * cannot take the whole cap from every other.
 */
export async function listenBounded(
  server: Server,
  address: string,
  { connectionsMax, connectionsPerAddressMax, silentMsMax = silentMsMaxDefault }: ConnectionBounds,
  onError: (error: Error) => void = () => undefined,
  credentials: ServerCredentials = ServerCredentials.createInsecure(),
): Promise<BoundedListener> {
  const { host, port } = splitHostPort(address);
  // With TLS credentials grpc-js runs the handshake on each injected socket: plaintext never gets in.
  const injector = server.createConnectionInjector(credentials);
  const sockets = new Map<string, Socket>();
  const perAddress = new AddressCounts(connectionsPerAddressMax ?? Infinity);
  const tcp = createTcpServer({ noDelay: true }, (socket) => {
    if (!perAddress.admit(socket)) {
      socket.destroy();
      return;
    }
    const key = connectionKey(socket.remoteAddress, socket.remotePort, socket.localPort);
    sockets.set(key, socket);
    // bytesRead counts what the socket's handle read, also once HTTP/2 or TLS reads from it.
    const silent = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, silentMsMax);
    silent.unref();
    socket.once('close', () => {
      clearTimeout(silent);
      sockets.delete(key);
    });
    injector.injectConnection(socket);
  });
  const closed = new Promise<void>((resolve) => tcp.once('close', resolve));
  const stopAccepting = (): void => {
    if (tcp.listening) tcp.close();
  };
  tcp.maxConnections = connectionsMax;
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, () => {
      tcp.off('error', reject);
      // Accept failures (EMFILE...) after the start must not end the process: report and go on.
      tcp.on('error', onError);
      resolve();
    });
  });
  const bound = tcp.address();
  if (bound === null || typeof bound === 'string') throw new RaftlogError('INTERNAL', 'listener has no port');
  return {
    port: bound.port,
    stopAccepting,
    close: () => {
      stopAccepting();
      for (const socket of sockets.values()) socket.destroy();
      return closed;
    },
    connectionsByAddress: () => perAddress.snapshot(),
    closeConnection: (key) => {
      const socket = sockets.get(key);
      socket?.destroy();
      return socket !== undefined;
    },
  };
}

/** Open sockets per remote address, with no entry for an address that has none left. */
class AddressCounts {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a place for the socket's address until it closes; false when the address has none left. */
  admit(socket: Socket): boolean {
    // Without a limit nothing is counted, so the map costs nothing where it is off.
    if (this.max === Infinity) return true;
    // A socket reset before it got here has no address: it is gone anyway.
    if (socket.remoteAddress === undefined) return false;
    const address = plainAddress(socket.remoteAddress);
    const held = this.counts.get(address) ?? 0;
    if (held >= this.max) return false;
    this.counts.set(address, held + 1);
    socket.once('close', () => this.release(address));
    return true;
  }

  snapshot(): ReadonlyMap<string, number> {
    return new Map(this.counts);
  }

  private release(address: string): void {
    const held = this.counts.get(address) ?? 0;
    if (held > 1) this.counts.set(address, held - 1);
    else this.counts.delete(address);
  }
}

/** An IPv4 client of a dual-stack listener shows as ::ffff:1.2.3.4: the same client as 1.2.3.4. */
function plainAddress(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

function splitHostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RaftlogError('INVALID_ARGUMENT', `listen address must be host:port, got '${address}'`);
  }
  return { host, port };
}
