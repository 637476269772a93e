import { apiErrors } from './api-error.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export function parseJson(text: string): unknown {
  // Go's decoder reports an empty body as EOF.
  if (text.trim() === '') throw apiErrors.badRequestBody('EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw apiErrors.badRequestBody(error instanceof Error ? error.message : String(error));
  }
}

export function asObject(value: unknown, what = 'body'): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw apiErrors.badRequestBody(`${what} must be a JSON object`);
  }
  return value as JsonObject;
}

/** A field of the given type; undefined when absent or null (Go leaves the default then). */
export function optionalString(object: JsonObject, key: string): string | undefined {
  return optionalField(object, key, 'string') as string | undefined;
}

export function optionalBoolean(object: JsonObject, key: string): boolean | undefined {
  return optionalField(object, key, 'boolean') as boolean | undefined;
}

export function optionalNumber(object: JsonObject, key: string): number | undefined {
  const value = optionalField(object, key, 'number') as number | undefined;
  if (value !== undefined && !Number.isFinite(value)) throw apiErrors.badRequestBody(`${key} must be finite`);
  return value;
}

/** Toxic attributes are integers in Toxiproxy; negative ones make no sense and are refused here. */
export function optionalNonNegativeInteger(object: JsonObject, key: string): number | undefined {
  const value = optionalNumber(object, key);
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw apiErrors.badRequestBody(`${key} must be a non-negative integer`);
  }
  return value;
}

function optionalField(object: JsonObject, key: string, type: 'string' | 'boolean' | 'number'): unknown {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) throw apiErrors.badRequestBody(`${key} must be a ${type}`);
  return value;
}
