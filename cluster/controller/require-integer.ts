import { RaftlogError } from '../../lib/index.js';
import { shownValue } from './shown-value.js';

/** A command's integer field, or INVALID_ARGUMENT naming the range and what came instead. */
export function requireInteger(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `${what} must be an integer in [${min}, ${max}], got ${shownValue(value)}`,
    );
  }
  return value;
}
