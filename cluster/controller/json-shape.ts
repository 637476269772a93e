import { NewerFormatError, RaftlogError } from '../../lib/index.js';

/**
 * Shape checks for JSON read back from the controller log or a snapshot: anything unexpected is
 * CORRUPT_MESSAGE naming the path, and every number must be a safe integer (JSON.parse silently
 * rounds larger ones, which would make replicas disagree).
 */
export function corrupt(path: string, expected: string): RaftlogError {
  return new RaftlogError('CORRUPT_MESSAGE', `controller data: ${path} must be ${expected}`);
}

export function asObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(path, 'an object');
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw corrupt(path, 'an array');
  return value;
}

export function asInt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw corrupt(path, 'a safe integer');
  return value;
}

export function asString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw corrupt(path, 'a string');
  return value;
}

export function asBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw corrupt(path, 'a boolean');
  return value;
}

export function asIntArray(value: unknown, path: string): number[] {
  return asArray(value, path).map((v, i) => asInt(v, `${path}[${i}]`));
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function rejectBigint(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint')
    throw new RaftlogError('INTERNAL', 'controller data holds numbers, not bigint');
  return value;
}

/** One version byte, then UTF-8 JSON. */
export function encodeVersionedJson(version: number, value: unknown): Uint8Array {
  const json = utf8Encoder.encode(JSON.stringify(value, rejectBigint));
  const out = new Uint8Array(1 + json.length);
  out[0] = version;
  out.set(json, 1);
  return out;
}

/** Reads format versions `oldest` to `version`; a later one is NewerFormatError. */
export function decodeVersionedJson(
  bytes: Uint8Array,
  version: number,
  what: string,
  oldest = version,
): unknown {
  if (bytes.length < 2)
    throw new RaftlogError('CORRUPT_MESSAGE', `${what} of ${bytes.length} bytes is too short`);
  const format = bytes[0] as number;
  if (format > version) throw new NewerFormatError(`${what} of format version ${format}`);
  if (format < oldest) {
    throw new RaftlogError('CORRUPT_MESSAGE', `${what} has format version ${format}, expected ${version}`);
  }
  try {
    return JSON.parse(utf8Decoder.decode(bytes.subarray(1))) as unknown;
  } catch (cause) {
    throw new RaftlogError('CORRUPT_MESSAGE', `${what} is not valid UTF-8 JSON`, { cause });
  }
}
