import { once } from 'node:events';
import {
  connect,
  createServer as createHttp2Server,
  type ClientHttp2Session,
  type Http2Session,
  type Settings,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerService } from '../proto/gen/raftlog/v1/broker_pb.js';
import { createClient } from './client-adapter.js';
import { receiveWindowsDefault } from './receive-windows.js';
import { createServer } from './server.js';
import { eventually, startService, stopAll } from './test-harness.js';

const mib = 1024 * 1024;
afterEach(stopAll);

const sessions: ClientHttp2Session[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.close();
});

/** What a plain HTTP/2 client is granted by the server at `address`. */
async function grantedBy(address: string): Promise<{ streamBytes: number; connectionBytes: () => number }> {
  const session = connect(`http://${address}`);
  session.on('error', () => undefined);
  sessions.push(session);
  const [settings] = (await once(session, 'remoteSettings')) as [Settings];
  return {
    streamBytes: settings.initialWindowSize ?? 65_535,
    connectionBytes: () => session.state.remoteWindowSize ?? 0,
  };
}

describe('HTTP/2 receive windows', () => {
  it('a server grants its stream window in its SETTINGS and its connection window at once', async () => {
    const receiveWindows = { streamBytes: mib, connectionBytes: 3 * mib };
    const { address } = await startService(BrokerService, {}, { server: { receiveWindows } });
    const granted = await grantedBy(address);
    expect(granted.streamBytes).toBe(mib);
    await eventually(() => granted.connectionBytes() === 3 * mib);
  });

  it('every server grants the default windows unless told otherwise, not HTTP/2’s 64 KiB', async () => {
    const { address } = await startService(BrokerService, {});
    const granted = await grantedBy(address);
    expect(granted.streamBytes).toBe(receiveWindowsDefault.streamBytes);
    await eventually(() => granted.connectionBytes() === receiveWindowsDefault.connectionBytes);
  });

  it('a client grants responses the default stream window', async () => {
    const http2 = createHttp2Server();
    const seen: Settings[] = [];
    http2.on('session', (session: Http2Session) => {
      // The client ends its calls to this stand-in abruptly; only its SETTINGS matter here.
      session.on('error', () => undefined);
      session.once('remoteSettings', (s) => seen.push(s));
    });
    http2.on('stream', (stream) => stream.respond({ ':status': 404 }, { endStream: true }));
    await new Promise<void>((resolve) => http2.listen(0, '127.0.0.1', resolve));
    const { port } = http2.address() as AddressInfo;
    const client = createClient(BrokerService, `127.0.0.1:${port}`);
    try {
      await client.produce({}, { timeoutMs: 2_000 }).catch(() => undefined);
      await eventually(() => seen.length > 0);
      expect(seen[0]?.initialWindowSize).toBe(receiveWindowsDefault.streamBytes);
    } finally {
      client.close();
      await new Promise<void>((resolve) => http2.close(() => resolve()));
    }
  });

  it('refuses windows HTTP/2 does not allow', () => {
    expect(() => createServer({ receiveWindows: { streamBytes: 1_000, connectionBytes: mib } })).toThrow(
      /not a window HTTP\/2 allows/,
    );
    expect(() => createServer({ receiveWindows: { streamBytes: 2 * mib, connectionBytes: mib } })).toThrow(
      /at least streamBytes/,
    );
  });
});
