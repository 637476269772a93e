import type { Http2Server, Http2Session } from 'node:http2';
import type { Server } from '@grpc/grpc-js';
import { assert } from '../lib/index.js';

/**
 * HTTP/2 flow-control windows a receiver grants: how many bytes a sender may have on the way before
 * the receiver's WINDOW_UPDATE comes back. HTTP/2's default is 64 KiB for a stream and for the whole
 * connection, so a 300 KiB Raft append or produce batch crossed in five round trips, each waiting on a
 * busy receiver's event loop: appends took ~50 ms from leader to follower under load.
 */
export interface ReceiveWindows {
  /** Per stream (SETTINGS_INITIAL_WINDOW_SIZE); at most 2^31 - 1. */
  readonly streamBytes: number;
  /** Per connection, shared by its streams; at least streamBytes. */
  readonly connectionBytes: number;
}

const windowBytesMax = 2 ** 31 - 1;
const mib = 1024 * 1024;

/** One Raft append (1 MiB) or four default produce batches pass in one round trip. */
export const receiveWindowsDefault: ReceiveWindows = { streamBytes: 4 * mib, connectionBytes: 8 * mib };

/** What grpc-js keeps of a server and has no option for yet (its client takes `grpc-node.flow_control_window`). */
interface ServerInternals {
  commonServerOptions?: { settings?: Record<string, unknown> };
  createHttp2Server?: (credentials: unknown) => Http2Server;
}

/**
 * Makes every HTTP/2 server `server` creates from now on (bindAsync, connection injectors) grant
 * `windows`: the stream window goes out in the server's SETTINGS, the connection window as soon as a
 * session starts. A grpc-js without the two internals this relies on fails here, at start, rather than
 * serving with 64 KiB windows unnoticed (receive-windows.test.ts checks the windows a client sees).
 */
export function widenReceiveWindows(server: Server, windows: ReceiveWindows): void {
  const { streamBytes, connectionBytes } = windows;
  assert(
    Number.isInteger(streamBytes) && streamBytes >= 65_535 && streamBytes <= windowBytesMax,
    `streamBytes ${streamBytes} is not a window HTTP/2 allows (65535 to 2^31 - 1)`,
  );
  assert(
    Number.isInteger(connectionBytes) && connectionBytes >= streamBytes && connectionBytes <= windowBytesMax,
    `connectionBytes ${connectionBytes} must be at least streamBytes and at most 2^31 - 1`,
  );
  const internals = server as unknown as ServerInternals;
  const options = internals.commonServerOptions;
  const create = internals.createHttp2Server;
  assert(
    options !== undefined && typeof create === 'function',
    'this grpc-js keeps no commonServerOptions or createHttp2Server: receive windows cannot be set',
  );
  options.settings = { ...options.settings, initialWindowSize: streamBytes };
  internals.createHttp2Server = (credentials: unknown): Http2Server => {
    const http2Server = create.call(server, credentials);
    http2Server.on('session', (session: Http2Session) => session.setLocalWindowSize(connectionBytes));
    return http2Server;
  };
}
