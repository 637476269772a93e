import { Toxiproxy } from 'toxiproxy-node-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startToxiproxyServer, type ToxiproxyServer } from './index.js';
import { closePeers, collect, connectTo, startEcho, type Peer } from './test-peers.js';

let server: ToxiproxyServer;
let toxiproxy: Toxiproxy;
let echo: Peer;

beforeEach(async () => {
  server = await startToxiproxyServer();
  toxiproxy = new Toxiproxy(server.url);
  echo = await startEcho();
});

afterEach(async () => {
  await server.close();
  await closePeers();
});

interface RawReply {
  readonly status: number;
  readonly text: string;
}

async function raw(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<RawReply> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...(headers === undefined ? {} : { headers }),
  });
  return { status: response.status, text: await response.text() };
}

function errorBody(error: string, status: number): string {
  return `${JSON.stringify({ error, status })}\n`;
}

async function echoesThrough(listen: string): Promise<boolean> {
  const socket = await connectTo(listen);
  const received = collect(socket);
  socket.end('ping');
  const { bytes } = await received.closed;
  return bytes.toString() === 'ping';
}

describe('proxies', () => {
  it('creates a proxy (201) that reports the port it bound and proxies to its upstream', async () => {
    const reply = await raw('POST', '/proxies', {
      name: 'raw',
      listen: '127.0.0.1:0',
      upstream: echo.address,
    });
    expect(reply.status).toBe(201);
    const created = JSON.parse(reply.text) as Record<string, unknown>;
    expect(created).toMatchObject({ name: 'raw', upstream: echo.address, enabled: true, toxics: [] });
    expect(created['listen']).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);

    const proxy = await toxiproxy.createProxy({ name: 'n1', listen: '127.0.0.1:0', upstream: echo.address });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(proxy.enabled).toBe(true);
    expect((await toxiproxy.get('n1')).listen).toBe(proxy.listen);
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['raw', 'n1']);
    expect(await echoesThrough(proxy.listen)).toBe(true);
  });

  it("refuses duplicates (409), missing fields and bad bodies (400), unknown names (404) with Toxiproxy's errors", async () => {
    await toxiproxy.createProxy({ name: 'n1', listen: '127.0.0.1:0', upstream: echo.address });
    await expect(
      toxiproxy.createProxy({ name: 'n1', listen: '127.0.0.1:0', upstream: echo.address }),
    ).rejects.toThrow('Request failed with status code 409');
    expect(await raw('POST', '/proxies', { name: 'n1', upstream: echo.address })).toEqual({
      status: 409,
      text: errorBody('proxy already exists', 409),
    });
    expect(await raw('POST', '/proxies', { name: 'x' })).toEqual({
      status: 400,
      text: errorBody('missing required field: upstream', 400),
    });
    expect(await raw('POST', '/proxies', { upstream: echo.address })).toEqual({
      status: 400,
      text: errorBody('missing required field: name', 400),
    });
    expect(await raw('POST', '/proxies', '')).toEqual({
      status: 400,
      text: errorBody('bad request body: EOF', 400),
    });
    expect((await raw('POST', '/proxies', '{"name":')).status).toBe(400);
    expect((await raw('POST', '/proxies', { name: 'x', upstream: 'no-port' })).status).toBe(400);
    expect((await raw('POST', '/proxies', { name: 7, upstream: echo.address })).status).toBe(400);
    await expect(toxiproxy.get('nope')).rejects.toThrow('Request failed with status code 404');
    expect(await raw('GET', '/proxies/nope')).toEqual({
      status: 404,
      text: errorBody('proxy not found', 404),
    });
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['n1']);
  });

  it('fails with 500 when the listen address is taken, and creates nothing', async () => {
    const reply = await raw('POST', '/proxies', {
      name: 'taken',
      listen: echo.address,
      upstream: echo.address,
    });
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.text)).toMatchObject({ status: 500 });
    expect(await raw('GET', '/proxies/taken')).toMatchObject({ status: 404 });
  });

  it('disables and enables on the same address, through POST (the client) and PATCH', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'n1', listen: '127.0.0.1:0', upstream: echo.address });
    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(disabled.enabled).toBe(false);
    expect(disabled.listen).toBe(proxy.listen);
    await expect(connectTo(proxy.listen)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const reply = await raw('PATCH', '/proxies/n1', { enabled: true });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toMatchObject({ name: 'n1', listen: proxy.listen, enabled: true });
    expect(await echoesThrough(proxy.listen)).toBe(true);
  });

  it('restarts on a new address when listen changes', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'n1', listen: '127.0.0.1:0', upstream: echo.address });
    const moved = JSON.parse((await raw('PATCH', '/proxies/n1', { listen: '127.0.0.1:0' })).text) as {
      listen: string;
    };
    expect(moved.listen).not.toBe(proxy.listen);
    await expect(connectTo(proxy.listen)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await echoesThrough(moved.listen)).toBe(true);
  });

  it('deletes with an empty 204, after which the name is unknown', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'n1', listen: '127.0.0.1:0', upstream: echo.address });
    await toxiproxy.createProxy({ name: 'n2', listen: '127.0.0.1:0', upstream: echo.address });
    expect(await raw('DELETE', '/proxies/n2')).toEqual({ status: 204, text: '' });
    await proxy.remove();
    await expect(proxy.remove()).rejects.toThrow('Request failed with status code 404');
    await expect(connectTo(proxy.listen)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await toxiproxy.getAll()).toEqual({});
  });
});

describe('toxics', () => {
  it("adds a toxic (200) with Toxiproxy's defaults: downstream, toxicity 1, named <type>_<stream>", async () => {
    await toxiproxy.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    const reply = await raw('POST', '/proxies/p/toxics', { type: 'latency', attributes: { latency: 10 } });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 10, jitter: 0 },
    });
  });

  it('reads, lists (upstream first), updates and removes toxics through the client', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    await proxy.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 10, jitter: 0 },
    });
    const cut = await proxy.addToxic({
      name: 'cut',
      type: 'timeout',
      stream: 'upstream',
      toxicity: 0.5,
      attributes: { timeout: 0 },
    });
    expect(cut.toJson()).toEqual({
      name: 'cut',
      type: 'timeout',
      stream: 'upstream',
      toxicity: 0.5,
      attributes: { timeout: 0 },
    });
    expect((await proxy.getToxic('cut')).toJson()).toEqual(cut.toJson());
    const listed = JSON.parse((await raw('GET', '/proxies/p/toxics')).text) as { name: string }[];
    expect(listed.map((toxic) => toxic.name)).toEqual(['cut', 'slow']);
    expect((await toxiproxy.get('p')).toJson()).toMatchObject({ name: 'p', enabled: true });

    const updated = await cut.update({ ...cut.toJson(), toxicity: 1, attributes: { timeout: 250 } });
    expect(updated.toJson()).toMatchObject({ toxicity: 1, attributes: { timeout: 250 } });
    const patched = await raw('PATCH', '/proxies/p/toxics/slow', { attributes: { jitter: 5 } });
    expect(JSON.parse(patched.text)).toMatchObject({ toxicity: 1, attributes: { latency: 10, jitter: 5 } });

    expect(await raw('DELETE', '/proxies/p/toxics/slow')).toEqual({ status: 204, text: '' });
    await updated.remove();
    await expect(proxy.getToxic('cut')).rejects.toThrow('Request failed with status code 404');
    expect(await raw('GET', '/proxies/p/toxics/cut')).toEqual({
      status: 404,
      text: errorBody('toxic not found', 404),
    });
    expect(await raw('GET', '/proxies/p/toxics')).toEqual({ status: 200, text: '[]' });
  });

  it('refuses duplicate names (409), bad types, streams and attributes (400), unknown proxies (404)', async () => {
    const proxy = await toxiproxy.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
    await proxy.addToxic({
      name: 't',
      type: 'timeout',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    expect(
      await raw('POST', '/proxies/p/toxics', { name: 't', type: 'latency', stream: 'downstream' }),
    ).toEqual({
      status: 409,
      text: errorBody('toxic already exists', 409),
    });
    expect(await raw('POST', '/proxies/p/toxics', { type: 'down' })).toEqual({
      status: 400,
      text: errorBody('invalid toxic type', 400),
    });
    expect(await raw('POST', '/proxies/p/toxics', { type: 'latency', stream: 'sideways' })).toEqual({
      status: 400,
      text: errorBody('stream was invalid, can be either upstream or downstream', 400),
    });
    const badAttributes = [{ latency: -1 }, { latency: 1.5 }, { latency: 'x' }];
    for (const attributes of badAttributes) {
      expect((await raw('POST', '/proxies/p/toxics', { type: 'latency', attributes })).status).toBe(400);
    }
    expect((await raw('PATCH', '/proxies/p/toxics/t', { toxicity: 'high' })).status).toBe(400);
    expect(await raw('POST', '/proxies/nope/toxics', { type: 'latency' })).toEqual({
      status: 404,
      text: errorBody('proxy not found', 404),
    });
    expect((await raw('DELETE', '/proxies/p/toxics/nope')).status).toBe(404);
  });
});

describe('populate, reset, version and the rest', () => {
  it('populates (201); an unchanged proxy is kept with its toxics, a changed one replaced', async () => {
    const created = await toxiproxy.populate([
      { name: 'a', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'b', listen: '127.0.0.1:0', upstream: echo.address, enabled: false },
    ]);
    expect(Object.keys(created)).toEqual(['a', 'b']);
    const a = created['a'];
    expect(a?.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(created['b']?.enabled).toBe(false);
    await a?.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 1, jitter: 0 },
    });

    const other = await startEcho();
    const reply = await raw('POST', '/populate', [
      { name: 'a', listen: a?.listen, upstream: echo.address },
      { name: 'b', listen: '127.0.0.1:0', upstream: other.address },
    ]);
    expect(reply.status).toBe(201);
    const { proxies } = JSON.parse(reply.text) as {
      proxies: { name: string; upstream: string; toxics: unknown[] }[];
    };
    expect(proxies.map((p) => [p.name, p.upstream, p.toxics.length])).toEqual([
      ['a', echo.address, 1],
      ['b', other.address, 0],
    ]);
  });

  it('checks the whole populate list first: an invalid entry changes nothing', async () => {
    const reply = await raw('POST', '/populate', [
      { name: 'ok', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'bad', listen: '127.0.0.1:0' },
    ]);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toEqual({
      error: 'missing required field: upstream at proxy 2',
      status: 400,
      proxies: [],
    });
    expect(await toxiproxy.getAll()).toEqual({});
    await expect(toxiproxy.populate([])).resolves.toEqual({});
  });

  it('resets (204): every proxy enabled again, every toxic gone', async () => {
    const a = await toxiproxy.createProxy({ name: 'a', listen: '127.0.0.1:0', upstream: echo.address });
    const b = await toxiproxy.createProxy({ name: 'b', listen: '127.0.0.1:0', upstream: echo.address });
    await a.addToxic({
      name: 'cut',
      type: 'timeout',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    await b.update({ enabled: false, listen: b.listen, upstream: b.upstream });
    expect(await raw('POST', '/reset')).toEqual({ status: 204, text: '' });
    await toxiproxy.reset();
    const all = await toxiproxy.getAll();
    expect(Object.values(all).map((p) => [p.name, p.enabled, p.listen])).toEqual([
      ['a', true, a.listen],
      ['b', true, b.listen],
    ]);
    expect(await raw('GET', '/proxies/a/toxics')).toEqual({ status: 200, text: '[]' });
    expect(await echoesThrough(a.listen)).toBe(true);
    expect(await echoesThrough(b.listen)).toBe(true);
  });

  it('tells its version as Toxiproxy does', async () => {
    expect(await toxiproxy.getVersion()).toBe('{"version": "2.12.0"}\n');
  });

  it('refuses browsers (403), unknown paths (404) and methods (405)', async () => {
    const browser = { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)' };
    expect(await raw('GET', '/proxies', undefined, browser)).toEqual({
      status: 403,
      text: 'User agent not allowed\n',
    });
    expect((await raw('GET', '/nothing')).status).toBe(404);
    expect((await raw('GET', '/proxies/')).status).toBe(404);
    expect((await raw('DELETE', '/proxies')).status).toBe(405);
  });
});
