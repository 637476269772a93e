import type { ConsumerRecord } from '../client/index.js';

export interface ConsumeLimits {
  /** Stop after this many records. */
  readonly max?: number;
  /** Stop after this long without a new record. */
  readonly idleTimeoutMs?: number;
  /** Stop when aborted (an interrupted command that still has to finish cleanly). */
  readonly signal?: AbortSignal;
}

/** Pulls records until a limit is reached or the source ends; returns how many were handled. */
export async function consumeRecords(
  source: AsyncIterable<ConsumerRecord>,
  limits: ConsumeLimits,
  onRecord: (record: ConsumerRecord) => void,
): Promise<number> {
  const iterator = source[Symbol.asyncIterator]();
  let count = 0;
  while (limits.max === undefined || count < limits.max) {
    const next = await nextWithin(iterator, limits.idleTimeoutMs, limits.signal);
    if (next === 'idle' || next.done === true) break;
    onRecord(next.value);
    count++;
  }
  return count;
}

async function nextWithin<T>(
  iterator: AsyncIterator<T>,
  timeoutMs: number | undefined,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<T> | 'idle'> {
  if (timeoutMs === undefined && signal === undefined) return iterator.next();
  if (signal?.aborted === true) return 'idle';
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const idle = new Promise<'idle'>((resolve) => {
    if (timeoutMs !== undefined) timer = setTimeout(() => resolve('idle'), timeoutMs);
    onAbort = () => resolve('idle');
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([iterator.next(), idle]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}
