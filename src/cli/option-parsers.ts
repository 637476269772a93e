import { InvalidArgumentError } from 'commander';
import type { AcksMode, StartPosition } from '../client/index.js';

/** Commander argument parsers; InvalidArgumentError becomes an INVALID_ARGUMENT exit. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer in [${min}, ${max}], got "${value}"`);
    }
    return n;
  };
}

export const nonNegativeInt = integerIn(0, Number.MAX_SAFE_INTEGER);
export const positiveInt = integerIn(1, Number.MAX_SAFE_INTEGER);
export const partitionIndex = integerIn(0, 2 ** 32 - 1);

export function hostPort(value: string): string {
  if (!/^(\[[0-9a-fA-F:]+\]|[a-zA-Z0-9.-]+):\d{1,5}$/.test(value.trim())) {
    throw new InvalidArgumentError(`expected HOST:PORT, got "${value}"`);
  }
  return value.trim();
}

export function bootstrapList(value: string): string {
  value.split(',').forEach(hostPort);
  return value;
}

export function acksMode(value: string): AcksMode {
  if (value === 'none' || value === 'leader' || value === 'quorum') return value;
  throw new InvalidArgumentError(`expected quorum|leader|none, got "${value}"`);
}

export function startPosition(value: string): StartPosition {
  if (value === 'earliest' || value === 'latest') return value;
  if (/^\d+$/.test(value)) return nonNegativeInt(value);
  throw new InvalidArgumentError(`expected earliest|latest|OFFSET, got "${value}"`);
}
