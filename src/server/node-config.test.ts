import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envName, loadNodeConfig } from './node-config.js';

const peers = '1=127.0.0.1:9091,2=127.0.0.1:9092,3=127.0.0.1:9093';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('node configuration', () => {
  it('takes flags, fills defaults and derives advertise from listen', () => {
    const config = loadNodeConfig({ id: '2', listen: '127.0.0.1:9092', peers, dataDir: '/tmp/x' }, {});
    expect(config.id).toBe(2);
    expect(config.advertise).toBe('127.0.0.1:9092');
    expect(config.peers.get(3)).toBe('127.0.0.1:9093');
    expect(config.tickMs).toBe(50);
    expect(config.electionTimeoutTicks).toBe(10);
  });

  it('puts the peer listener 1000 above the client port unless told, and never on the client port', () => {
    const base = { id: '2', listen: '127.0.0.1:9092', peers, dataDir: '/tmp/x' };
    expect(loadNodeConfig(base, {}).peerListen).toBe('127.0.0.1:10092');
    expect(loadNodeConfig(base, { RAFTLOG_PEER_LISTEN: '0.0.0.0:7000' }).peerListen).toBe('0.0.0.0:7000');
    expect(loadNodeConfig({ ...base, listen: '127.0.0.1:0' }, {}).peerListen).toBe('127.0.0.1:0');
    expect(() => loadNodeConfig({ ...base, peerListen: '127.0.0.1:9092' }, {})).toThrow(
      /peerListen must differ from listen/,
    );
    expect(() => loadNodeConfig({ ...base, listen: '127.0.0.1:65000' }, {})).toThrow(
      /peerListen must be HOST:PORT, got "127.0.0.1:66000"/,
    );
  });

  it('lets flags beat env and env beat the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftlog-config-'));
    dirs.push(dir);
    const file = join(dir, 'node.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 1,
        listen: '127.0.0.1:1',
        dataDir: '/a',
        tickMs: 20,
        peers: { 1: '127.0.0.1:1' },
      }),
    );
    const env = { [envName('config')]: file, [envName('tickMs')]: '30', [envName('dataDir')]: '/b' };
    const config = loadNodeConfig({ dataDir: '/c' }, env);
    expect(envName('tickMs')).toBe('RAFTLOG_TICK_MS');
    expect(config.tickMs).toBe(30);
    expect(config.dataDir).toBe('/c');
    expect(config.peers.get(1)).toBe('127.0.0.1:1');
  });

  it('takes a cluster id and a gap-fill request size from the environment, and checks both', () => {
    const base = { id: '1', listen: '127.0.0.1:9091', peers, dataDir: '/tmp/x' };
    const config = loadNodeConfig(base, {
      RAFTLOG_CLUSTER_ID: 'prod-eu',
      RAFTLOG_GAP_FILL_BYTES_MAX: '65536',
    });
    expect(config.clusterId).toBe('prod-eu');
    expect(config.gapFillBytesMax).toBe(65_536);
    expect(loadNodeConfig(base, {}).clusterId).toBeUndefined();
    expect(() =>
      loadNodeConfig(base, { RAFTLOG_CLUSTER_ID: 'has space', RAFTLOG_GAP_FILL_BYTES_MAX: '1' }),
    ).toThrow(/clusterId must be[\s\S]*gapFillBytesMax must be an integer/);
  });

  it('writes entry files with O_DIRECT unless told not to, from env or a JSON boolean in the file', () => {
    const base = { id: '1', listen: '127.0.0.1:9091', peers, dataDir: '/tmp/x' };
    expect(loadNodeConfig(base, {}).entryDirectIo).toBe(true);
    expect(loadNodeConfig(base, { RAFTLOG_ENTRY_DIRECT_IO: 'false' }).entryDirectIo).toBe(false);
    expect(loadNodeConfig(base, { RAFTLOG_ENTRY_DIRECT_IO: '0' }).entryDirectIo).toBe(false);
    expect(loadNodeConfig(base, { RAFTLOG_ENTRY_DIRECT_IO: 'TRUE' }).entryDirectIo).toBe(true);
    expect(() => loadNodeConfig(base, { RAFTLOG_ENTRY_DIRECT_IO: 'no' })).toThrow(
      /entryDirectIo must be true or false, got "no"/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'raftlog-config-'));
    dirs.push(dir);
    const file = join(dir, 'node.json');
    writeFileSync(file, JSON.stringify({ entryDirectIo: false }));
    expect(loadNodeConfig(base, { [envName('config')]: file }).entryDirectIo).toBe(false);
  });

  it('trims freed heap pages every minute unless told otherwise, 0 being off', () => {
    const base = { id: '1', listen: '127.0.0.1:9091', peers, dataDir: '/tmp/x' };
    expect(loadNodeConfig(base, {}).memoryTrimIntervalMs).toBe(60_000);
    expect(loadNodeConfig(base, { RAFTLOG_MEMORY_TRIM_INTERVAL_MS: '0' }).memoryTrimIntervalMs).toBe(0);
    expect(() => loadNodeConfig(base, { RAFTLOG_MEMORY_TRIM_INTERVAL_MS: '10' })).toThrow(
      /memoryTrimIntervalMs must be 0 \(off\) or at least 100/,
    );
  });

  it('leaves metrics and the console off unless given an address, from flags or env', () => {
    const base = { id: '1', listen: '127.0.0.1:9091', peers, dataDir: '/tmp/x' };
    const off = loadNodeConfig(base, {});
    expect([off.metricsListen, off.consoleListen]).toEqual([undefined, undefined]);
    const on = loadNodeConfig(
      { ...base, consoleListen: '127.0.0.1:9291' },
      { RAFTLOG_METRICS_LISTEN: '0.0.0.0:9191' },
    );
    expect([on.metricsListen, on.consoleListen]).toEqual(['0.0.0.0:9191', '127.0.0.1:9291']);
    expect(() => loadNodeConfig({ ...base, metricsListen: 'nine' }, {})).toThrow(
      /metricsListen must be HOST:PORT/,
    );
  });

  it('reports every problem at once with a clear code', () => {
    let caught: unknown;
    try {
      loadNodeConfig({ id: 'x', listen: 'nope', peers: '1=a:1,garbage', tickMs: '-5' }, {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const message = (caught as Error).message;
    expect(message).toMatch(/id must be an integer/);
    expect(message).toMatch(/listen must be HOST:PORT/);
    expect(message).toMatch(/"garbage" is not ID=HOST:PORT/);
    expect(message).toMatch(/dataDir is required/);
    expect(message).toMatch(/tickMs must be an integer/);
  });

  it('takes peers as seeds (this node need not be among them) and needs a heartbeat shorter than the election timeout', () => {
    expect(() =>
      loadNodeConfig(
        { id: '4', listen: '127.0.0.1:1', peers, dataDir: '/d', heartbeatIntervalTicks: 10 },
        {},
      ),
    ).toThrow(/heartbeatIntervalTicks must be smaller/);
    expect(loadNodeConfig({ id: '4', listen: '127.0.0.1:1', peers, dataDir: '/d' }, {}).peers.has(4)).toBe(
      false,
    );
  });

  it('rejects unknown settings in a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftlog-config-'));
    dirs.push(dir);
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ id: 1, colour: 'blue' }));
    expect(() => loadNodeConfig({ config: file }, {})).toThrow(/unknown setting "colour"/);
  });

  it('closes stalled connections after 10 s by default, never with 0, and refuses limits under a second', () => {
    const base = { id: '1', listen: '127.0.0.1:9091', dataDir: '/tmp/x' };
    expect(loadNodeConfig(base, {}).responseStallMsMax).toBe(10_000);
    expect(loadNodeConfig(base, { RAFTLOG_RESPONSE_STALL_MS_MAX: '0' }).responseStallMsMax).toBe(0);
    expect(loadNodeConfig({ ...base, responseStallMsMax: '30000' }, {}).responseStallMsMax).toBe(30_000);
    expect(() => loadNodeConfig({ ...base, responseStallMsMax: '500' }, {})).toThrow(
      /responseStallMsMax must be 0 \(off\) or at least 1000/,
    );
  });

  it('bounds connections and streams, from env too, and refuses caps that contradict each other', () => {
    const base = { id: '1', listen: '127.0.0.1:9091', dataDir: '/tmp/x' };
    expect(loadNodeConfig(base, {})).toMatchObject({
      connectionsMax: 1_024,
      callsPerConnectionMax: 256,
      responseBytesPerConnectionMax: 64 * 1024 * 1024,
      clientStreamsMax: 1_024,
      clientStreamsPerConnectionMax: 64,
    });
    expect(
      loadNodeConfig(base, { RAFTLOG_RESPONSE_BYTES_PER_CONNECTION_MAX: String(8 * 1024 * 1024) }),
    ).toMatchObject({ responseBytesPerConnectionMax: 8 * 1024 * 1024 });
    expect(() => loadNodeConfig({ ...base, responseBytesPerConnectionMax: '1000' }, {})).toThrow(
      /responseBytesPerConnectionMax/,
    );
    expect(loadNodeConfig(base, {}).responseBytesPerNodeMax).toBe(512 * 1024 * 1024);
    expect(
      loadNodeConfig(base, { RAFTLOG_RESPONSE_BYTES_PER_NODE_MAX: String(128 * 1024 * 1024) }),
    ).toMatchObject({ responseBytesPerNodeMax: 128 * 1024 * 1024 });
    expect(() => loadNodeConfig({ ...base, responseBytesPerNodeMax: '1000' }, {})).toThrow(
      /responseBytesPerNodeMax must be an integer in \[1048576, 68719476736\], got "1000"$/,
    );
    // Below one connection's budget, one connection's answers alone would stall all the others.
    expect(() => loadNodeConfig({ ...base, responseBytesPerNodeMax: String(32 * 1024 * 1024) }, {})).toThrow(
      /responseBytesPerNodeMax must not be smaller than responseBytesPerConnectionMax/,
    );
    const env = { [envName('connectionsMax')]: '10', [envName('clientStreamsMax')]: '20' };
    expect(envName('clientStreamsPerConnectionMax')).toBe('RAFTLOG_CLIENT_STREAMS_PER_CONNECTION_MAX');
    expect(loadNodeConfig({ ...base, clientStreamsPerConnectionMax: '5' }, env)).toMatchObject({
      connectionsMax: 10,
      clientStreamsMax: 20,
      clientStreamsPerConnectionMax: 5,
    });
    expect(() => loadNodeConfig({ ...base, clientStreamsPerConnectionMax: '30' }, env)).toThrow(
      /clientStreamsPerConnectionMax must not exceed clientStreamsMax/,
    );
    expect(() => loadNodeConfig({ ...base, callsPerConnectionMax: '64' }, {})).toThrow(
      /clientStreamsPerConnectionMax must be smaller than callsPerConnectionMax/,
    );
    expect(() => loadNodeConfig({ ...base, connectionsMax: '0' }, {})).toThrow(
      /connectionsMax must be an integer/,
    );
  });

  it('limits no address by default, and keeps a limit per address within [1, connectionsMax]', () => {
    const base = { id: '1', listen: '127.0.0.1:9091', dataDir: '/tmp/x' };
    expect(loadNodeConfig(base, {}).connectionsPerAddressMax).toBeUndefined();
    expect(envName('connectionsPerAddressMax')).toBe('RAFTLOG_CONNECTIONS_PER_ADDRESS_MAX');
    const env = { RAFTLOG_CONNECTIONS_PER_ADDRESS_MAX: '16' };
    expect(loadNodeConfig(base, env).connectionsPerAddressMax).toBe(16);
    expect(loadNodeConfig({ ...base, connectionsPerAddressMax: '1' }, env).connectionsPerAddressMax).toBe(1);
    const atCap = { ...base, connectionsMax: '10', connectionsPerAddressMax: '10' };
    expect(loadNodeConfig(atCap, {}).connectionsPerAddressMax).toBe(10);
    expect(() => loadNodeConfig({ ...atCap, connectionsPerAddressMax: '11' }, {})).toThrow(
      /connectionsPerAddressMax must be an integer in \[1, 10\], got "11"/,
    );
    expect(() => loadNodeConfig({ ...base, connectionsPerAddressMax: '0' }, {})).toThrow(
      /connectionsPerAddressMax must be an integer in \[1, 1024\], got "0"/,
    );
    expect(() => loadNodeConfig(base, { RAFTLOG_CONNECTIONS_PER_ADDRESS_MAX: 'many' })).toThrow(
      /connectionsPerAddressMax must be an integer in \[1, 1024\], got "many"/,
    );
  });
});

describe('TLS settings', () => {
  const base = { id: '1', listen: '127.0.0.1:9091', dataDir: '/tmp/x' };
  const file = (name: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'raftlog-tls-config-'));
    dirs.push(dir);
    writeFileSync(join(dir, name), 'pem');
    return join(dir, name);
  };

  it('is off by default, and the peer listener takes the client files and CA unless told', () => {
    expect(loadNodeConfig(base, {})).toMatchObject({ tlsCert: undefined, peerTlsCert: undefined });
    const [cert, key, ca] = [file('n.crt'), file('n.key'), file('ca.crt')];
    const env = {
      RAFTLOG_TLS_CERT: cert,
      RAFTLOG_TLS_KEY: key,
      RAFTLOG_TLS_CA: ca,
      RAFTLOG_TLS_CLIENT_AUTH: 'require',
    };
    expect(loadNodeConfig(base, env)).toMatchObject({
      tlsClientAuth: 'require',
      peerTlsCert: cert,
      peerTlsKey: key,
      peerTlsCa: ca,
    });
  });

  it('reports half pairs, unreadable files, a missing CA and an unknown client auth mode at once', () => {
    const cert = file('n.crt');
    const bad = { ...base, tlsCert: cert, tlsClientAuth: 'maybe', peerTlsKey: '/nope' };
    for (const problem of [
      /tlsCert and tlsKey go together/,
      /peerTlsKey: cannot read \/nope/,
      /tlsClientAuth must be one of none\|request\|require/,
    ]) {
      expect(() => loadNodeConfig(bad, {})).toThrow(problem);
    }
    expect(() => loadNodeConfig({ ...base, tlsCert: cert, tlsKey: cert }, {})).toThrow(
      /peer mTLS needs a CA/,
    );
    expect(() => loadNodeConfig({ ...base, tlsCa: cert }, {})).toThrow(/need tlsCert and tlsKey/);
  });
});
