import type { IncomingMessage, ServerResponse } from 'node:http';
import { toApiError } from './api-error.js';
import { errorReply, jsonReply, noContent, readBody, send, textReply, type Reply } from './http-io.js';
import { parseJson } from './json-fields.js';
import type { ProxyCollection } from './proxy-collection.js';
import type { Serial } from './serial.js';

/** The Toxiproxy release whose API this server follows. */
export const toxiproxyVersion = '2.12.0';

interface ApiRequest {
  /** The `{proxy}` and `{toxic}` parts of the path, decoded. */
  readonly params: readonly string[];
  readonly body: string;
}

type Handler = (request: ApiRequest) => Promise<Reply> | Reply;

interface Route {
  /** Path segments; `*` matches one segment. */
  readonly path: readonly string[];
  readonly handlers: Readonly<Partial<Record<string, Handler>>>;
}

/** The request handler of the HTTP API; requests run one at a time through `serial`. */
export function apiHandler(
  collection: ProxyCollection,
  serial: Serial,
): (request: IncomingMessage, response: ServerResponse) => void {
  const routes = apiRoutes(collection);
  return (request, response) => {
    void handle(routes, serial, request).then(
      (reply) => send(response, reply),
      () => response.destroy(),
    );
  };
}

async function handle(routes: readonly Route[], serial: Serial, request: IncomingMessage): Promise<Reply> {
  const match = matchRoute(routes, new URL(request.url ?? '/', 'http://localhost').pathname);
  if (match === undefined) return textReply(404, '404 page not found\n');
  const handler = match.route.handlers[request.method ?? ''];
  if (handler === undefined) return { status: 405 };
  if (request.headers['user-agent']?.startsWith('Mozilla/') === true) {
    return textReply(403, 'User agent not allowed\n');
  }
  const body = await readBody(request);
  return serial
    .run(() => handler({ params: match.params, body }))
    .catch((error: unknown) => errorReply(toApiError(error)));
}

function matchRoute(
  routes: readonly Route[],
  pathname: string,
): { route: Route; params: string[] } | undefined {
  const segments = pathname.split('/').slice(1).map(decodeSegment);
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (params !== undefined) return { route, params };
  }
  return undefined;
}

function matchPath(
  pattern: readonly string[],
  segments: readonly (string | undefined)[],
): string[] | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: string[] = [];
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i];
    if (segment === undefined || segment === '') return undefined;
    if (part === '*') params.push(segment);
    else if (part !== segment) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function apiRoutes(collection: ProxyCollection): Route[] {
  const json = (status: number, value: unknown): Reply => jsonReply(status, value);
  const proxyName = (request: ApiRequest): string => request.params[0] ?? '';
  const toxicName = (request: ApiRequest): string => request.params[1] ?? '';
  const updateProxy: Handler = async (r) =>
    json(200, await collection.update(proxyName(r), parseJson(r.body)));
  const updateToxic: Handler = (r) =>
    json(200, collection.updateToxic(proxyName(r), toxicName(r), parseJson(r.body)));
  return [
    {
      path: ['reset'],
      handlers: {
        POST: async () => {
          await collection.reset();
          return noContent;
        },
      },
    },
    {
      path: ['proxies'],
      handlers: {
        GET: () => json(200, collection),
        POST: async (r) => json(201, await collection.create(parseJson(r.body))),
      },
    },
    { path: ['populate'], handlers: { POST: (r) => populate(collection, r.body) } },
    {
      path: ['proxies', '*'],
      handlers: {
        GET: (r) => json(200, collection.get(proxyName(r))),
        POST: updateProxy,
        PATCH: updateProxy,
        DELETE: async (r) => {
          await collection.remove(proxyName(r));
          return noContent;
        },
      },
    },
    {
      path: ['proxies', '*', 'toxics'],
      handlers: {
        GET: (r) => json(200, collection.get(proxyName(r)).toJSON().toxics),
        POST: (r) => json(200, collection.addToxic(proxyName(r), parseJson(r.body))),
      },
    },
    {
      path: ['proxies', '*', 'toxics', '*'],
      handlers: {
        GET: (r) => json(200, collection.getToxic(proxyName(r), toxicName(r))),
        POST: updateToxic,
        PATCH: updateToxic,
        DELETE: (r) => {
          collection.removeToxic(proxyName(r), toxicName(r));
          return noContent;
        },
      },
    },
    { path: ['version'], handlers: { GET: () => versionReply } },
  ];
}

const versionReply: Reply = {
  status: 200,
  body: `{"version": "${toxiproxyVersion}"}\n`,
  contentType: 'application/json;charset=utf-8',
};

/** Populate answers `{"proxies": [...]}`, and on a failure adds `error` and `status` with that status. */
async function populate(collection: ProxyCollection, body: string): Promise<Reply> {
  try {
    const proxies = await collection.populate(parseJson(body));
    return jsonReply(201, { proxies });
  } catch (error) {
    const { message, status } = toApiError(error);
    return jsonReply(status, { error: message, status, proxies: [] });
  }
}
