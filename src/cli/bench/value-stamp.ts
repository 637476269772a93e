/** A record value needs this many bytes to carry its send time. */
export const stampBytes = 8;

/**
 * Writes the send time into the value's first bytes, so a consumer in the same process measures end
 * to end (produce → consume) against the same monotonic clock, finer than the record's ms timestamp.
 */
export function stampValue(value: Uint8Array, sentAtMs: number): Uint8Array {
  new DataView(value.buffer, value.byteOffset, value.byteLength).setFloat64(0, sentAtMs, true);
  return value;
}

/** The send time stamped by `stampValue`, or undefined for a value too short to carry one. */
export function readStamp(value: Uint8Array | undefined): number | undefined {
  if (value === undefined || value.byteLength < stampBytes) return undefined;
  return new DataView(value.buffer, value.byteOffset, value.byteLength).getFloat64(0, true);
}
