/**
 * Assertions stay on in production: a broken invariant must stop the process before it corrupts
 * replicated state, rather than let it spread to other replicas.
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${String(value)}`);
}

export function assertSafeInteger(value: number, what = 'value'): void {
  if (!Number.isSafeInteger(value)) throw new AssertionError(`${what} is not a safe integer: ${value}`);
}

export function assertNonNegativeInteger(value: number, what = 'value'): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AssertionError(`${what} is not a non-negative integer: ${value}`);
  }
}
