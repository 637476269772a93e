import { InvalidArgumentError } from 'commander';
import type { ResetGroupOffsetsInput } from '../client/index.js';

type OffsetResetTarget = ResetGroupOffsetsInput['to'];

/**
 * Integers from this on are epoch milliseconds (2001-09-09 and later), below it offsets: no
 * partition holds 10^12 records, and a timestamp that early is surely a typo.
 */
export const epochMsMin = 1_000_000_000_000;

/** `--to` of group reset-offsets: earliest | latest | OFFSET | ISO timestamp | epoch ms. */
export function offsetResetTarget(value: string): OffsetResetTarget {
  const v = value.trim();
  if (v === 'earliest' || v === 'latest') return v;
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is too large`);
    return n >= epochMsMin ? { timestampMs: n } : { offset: n };
  }
  // An ISO 8601 date, with or without a time and zone (no zone: local time, as Date.parse reads it).
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) {
    const ms = Date.parse(v);
    if (Number.isFinite(ms) && ms >= 0) return { timestampMs: ms };
  }
  throw new InvalidArgumentError(
    `expected earliest|latest|OFFSET|TIMESTAMP (ISO 8601 like 2026-01-31T12:00:00Z, or epoch ms), got "${value}"`,
  );
}
