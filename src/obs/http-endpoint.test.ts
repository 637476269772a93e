import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenHttp, text, type HttpEndpoint } from './http-endpoint.js';
import { silentLogger } from './logger.js';

const open: HttpEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function serve(limits?: Parameters<typeof listenHttp>[3]): Promise<string> {
  const routes = new Map([
    ['/ok', () => text(200, 'fine\n')],
    [
      '/boom',
      () => {
        throw new Error('broken route');
      },
    ],
  ]);
  const endpoint = await listenHttp('127.0.0.1:0', routes, silentLogger(), limits);
  open.push(endpoint);
  return `127.0.0.1:${endpoint.port}`;
}

/** Sends raw bytes and returns whatever comes back before the server closes or 2 s pass. */
function raw(address: string, bytes: string): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect(Number(port), host);
    let got = '';
    const timer = setTimeout(() => socket.destroy(), 2_000);
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.write(bytes);
  });
}

describe('the bounded HTTP endpoint', () => {
  it('answers GET and HEAD on its routes, 404 elsewhere, 405 for other methods, 500 when a route throws', async () => {
    const at = await serve();
    const ok = await fetch(`http://${at}/ok?x=1`);
    expect([ok.status, await ok.text()]).toEqual([200, 'fine\n']);
    expect((await fetch(`http://${at}/ok`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`http://${at}/nope`)).status).toBe(404);
    const post = await fetch(`http://${at}/ok`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`http://${at}/boom`)).status).toBe(500);
  });

  it('refuses bodies and oversized headers, and survives garbage', async () => {
    const at = await serve();
    expect(await raw(at, 'GET /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello')).toMatch(
      /^HTTP\/1.1 413/,
    );
    expect(
      await raw(at, `GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(16 * 1024)}\r\n\r\n`),
    ).not.toMatch(/200 OK/);
    expect(await raw(at, '\u0000\u0001 not http at all\r\n\r\n')).not.toMatch(/200 OK/);
    expect((await fetch(`http://${at}/ok`)).status).toBe(200);
  });

  it('closes connections past its cap', async () => {
    const at = await serve({
      connectionsMax: 1,
      headerBytesMax: 1024,
      requestMsMax: 5_000,
      keepAliveMsMax: 5_000,
    });
    const [host, port] = at.split(':');
    const first = connect(Number(port), host);
    await new Promise((resolve) => first.once('connect', resolve));
    try {
      expect(await raw(at, 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('');
    } finally {
      first.destroy();
    }
  });
});
