import { InvalidArgumentError } from 'commander';
import { positiveInt } from '../option-parsers.js';

/** `--record-bytes 100,1024,16384`: a sweep over sizes, in the order given. */
export function positiveIntList(value: string): number[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw new InvalidArgumentError(`expected a list like 100,1024, got "${value}"`);
  return items.map((s) => positiveInt(s));
}

/** `--rate-of-peak 0.5,0.8`: shares of the measured peak, each in (0, 1]. */
export function shareList(value: string): number[] {
  return value.split(',').map((s) => {
    const n = Number(s.trim());
    if (s.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1) {
      throw new InvalidArgumentError(`expected shares in (0, 1] like 0.5,0.8, got "${value}"`);
    }
    return n;
  });
}
