import { apiErrors } from './api-error.js';
import { parseHostPort, parseListen } from './address.js';
import { asObject, optionalBoolean, optionalString, type JsonObject } from './json-fields.js';

/** What a client asks for when it creates or populates a proxy. */
export interface ProxyInput {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

export type ProxySettings = Omit<ProxyInput, 'name'>;

/** POST /proxies: name and upstream are required, listen defaults to any port, enabled to true. */
export function parseProxyCreate(body: unknown, where = ''): ProxyInput {
  const object = asObject(body);
  const name = optionalString(object, 'name') ?? '';
  const upstream = optionalString(object, 'upstream') ?? '';
  if (name === '') throw apiErrors.missingField(`name${where}`);
  if (upstream === '') throw apiErrors.missingField(`upstream${where}`);
  return checked({
    name,
    upstream,
    listen: optionalString(object, 'listen') ?? '',
    enabled: optionalBoolean(object, 'enabled') ?? true,
  });
}

/** POST or PATCH /proxies/{name}: omitted fields keep their current value. */
export function parseProxyUpdate(body: unknown, current: ProxySettings): ProxySettings {
  const object: JsonObject = asObject(body);
  return checked({
    listen: optionalString(object, 'listen') ?? current.listen,
    upstream: optionalString(object, 'upstream') ?? current.upstream,
    enabled: optionalBoolean(object, 'enabled') ?? current.enabled,
  });
}

/** POST /populate: the whole list is checked before anything changes. */
export function parsePopulate(body: unknown): ProxyInput[] {
  if (!Array.isArray(body)) throw apiErrors.badRequestBody('body must be a JSON array of proxies');
  const inputs = body.map((item, i) => parseProxyCreate(item, ` at proxy ${i + 1}`));
  const names = new Set<string>();
  for (const { name } of inputs) {
    if (names.has(name)) throw apiErrors.badRequestBody(`duplicate proxy name "${name}"`);
    names.add(name);
  }
  return inputs;
}

function checked<T extends ProxySettings>(settings: T): T {
  if (parseListen(settings.listen) === undefined) {
    throw apiErrors.badRequestBody(`listen must be host:port, got "${settings.listen}"`);
  }
  if (parseHostPort(settings.upstream) === undefined) {
    throw apiErrors.badRequestBody(`upstream must be host:port, got "${settings.upstream}"`);
  }
  return settings;
}
