import type { Socket } from 'node:net';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startToxiproxyServer, type ToxiproxyServer } from './index.js';
import {
  closePeers,
  collect,
  connectTo,
  startEcho,
  writeAll,
  type Collected,
  type Peer,
} from './test-peers.js';

// The chaos harness's use: one proxy per link, a link cut by timeout toxics on both streams, healed by
// removing them and then disabling and enabling the proxy.

const linkCount = 30;

let server: ToxiproxyServer;
let toxiproxy: Toxiproxy;
let echo: Peer;

beforeAll(async () => {
  server = await startToxiproxyServer({ seed: 9 });
  toxiproxy = new Toxiproxy(server.url);
  echo = await startEcho();
});

afterAll(async () => {
  await server.close();
  await closePeers();
});

interface OpenLink {
  readonly socket: Socket;
  readonly received: Collected;
}

async function open(proxy: Proxy, greeting: string): Promise<OpenLink> {
  const socket = await connectTo(proxy.listen);
  const received = collect(socket);
  await writeAll(socket, greeting);
  await received.atLeast(greeting.length);
  return { socket, received };
}

async function cut(proxy: Proxy): Promise<void> {
  for (const stream of ['upstream', 'downstream'] as const) {
    await proxy.addToxic({
      name: `cut_${stream}`,
      type: 'timeout',
      stream,
      toxicity: 1,
      attributes: { timeout: 0 },
    });
  }
}

async function heal(proxy: Proxy): Promise<void> {
  for (const stream of ['upstream', 'downstream']) await (await proxy.getToxic(`cut_${stream}`)).remove();
  await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
  await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
}

it(`cuts and heals ${linkCount} links independently`, async () => {
  const proxies = await Promise.all(
    Array.from({ length: linkCount }, (_, i) =>
      toxiproxy.createProxy({ name: `link-${i}`, listen: '127.0.0.1:0', upstream: echo.address }),
    ),
  );
  expect(new Set(proxies.map((proxy) => proxy.listen)).size).toBe(linkCount);
  const links = await Promise.all(proxies.map((proxy, i) => open(proxy, `hello ${i};`)));

  const isolated = proxies.slice(0, linkCount / 2);
  await Promise.all(isolated.map(cut));
  await Promise.all(links.map(({ socket }, i) => writeAll(socket, `lost ${i};`)));
  const others = proxies.slice(linkCount / 2);
  await Promise.all(others.map((proxy, i) => open(proxy, `still up ${i};`)));

  await Promise.all(isolated.map(heal));
  const cutOff = await Promise.all(links.slice(0, linkCount / 2).map(({ received }) => received.closed));
  expect(cutOff.map(({ bytes }) => bytes.toString())).toEqual(isolated.map((_, i) => `hello ${i};`));

  const after = await toxiproxy.getAll();
  expect(proxies.map((proxy) => after[proxy.name]?.listen)).toEqual(proxies.map((proxy) => proxy.listen));
  await Promise.all(proxies.map((proxy, i) => open(proxy, `healed ${i};`)));
  const sent = links.map((_, i) => (i < linkCount / 2 ? `hello ${i};` : `hello ${i};lost ${i};`));
  await Promise.all(links.map(({ received }, i) => received.atLeast(sent[i]?.length ?? 0)));
  // The upstream saw nothing sent across a cut link (its sockets are the first ones it accepted).
  const byLength = (a: number, b: number): number => a - b;
  const upstreamSaw = echo.accepted.slice(0, linkCount).map((socket) => socket.bytesRead);
  expect(upstreamSaw.sort(byLength)).toEqual(sent.map((text) => text.length).sort(byLength));
});
