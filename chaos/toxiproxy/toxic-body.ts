import { apiErrors } from './api-error.js';
import {
  asObject,
  optionalNonNegativeInteger,
  optionalNumber,
  optionalString,
  type JsonObject,
} from './json-fields.js';
import { isToxicType, toxicAttributeNames, type Stream, type Toxic, type ToxicType } from './link/index.js';

/** A new toxic before its attributes are read: Toxiproxy checks the name is free in between. */
export interface ToxicHeader {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: Stream;
  readonly toxicity: number;
  readonly body: JsonObject;
}

/** POST /proxies/{p}/toxics, checked in Toxiproxy's order: body, stream, type. */
export function parseToxicHeader(body: unknown): ToxicHeader {
  const object = asObject(body);
  const stream = parseStream(optionalString(object, 'stream') ?? 'downstream');
  const type = optionalString(object, 'type') ?? '';
  const toxicity = optionalNumber(object, 'toxicity') ?? 1;
  const name = optionalString(object, 'name') || `${type}_${stream}`;
  if (!isToxicType(type)) throw apiErrors.invalidToxicType();
  return { name, type, stream, toxicity, body: object };
}

export function toxicFromHeader(header: ToxicHeader): Toxic {
  const { name, type, stream, toxicity } = header;
  return { name, type, stream, toxicity, attributes: parseAttributes(type, header.body, {}) };
}

/** POST or PATCH /proxies/{p}/toxics/{t}: attributes and toxicity; omitted ones are kept. */
export function parseToxicUpdate(existing: Toxic, body: unknown): Toxic {
  const object = asObject(body);
  return {
    ...existing,
    toxicity: optionalNumber(object, 'toxicity') ?? existing.toxicity,
    attributes: parseAttributes(existing.type, object, existing.attributes),
  };
}

function parseStream(value: string): Stream {
  const stream = value.toLowerCase();
  if (stream !== 'upstream' && stream !== 'downstream') throw apiErrors.invalidStream();
  return stream;
}

/** Every attribute of the type, from the body or else from `base`, else 0; unknown keys are ignored. */
function parseAttributes(
  type: ToxicType,
  body: JsonObject,
  base: Readonly<Record<string, number>>,
): Record<string, number> {
  const given = body['attributes'] ?? {};
  const object = asObject(given, 'attributes');
  const attributes: Record<string, number> = {};
  for (const key of toxicAttributeNames[type]) {
    attributes[key] = optionalNonNegativeInteger(object, key) ?? base[key] ?? 0;
  }
  return attributes;
}
