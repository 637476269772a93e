import type { Logger } from 'pino';
import type { Clock, Timer } from '../../lib/index.js';
import { fromGlibc } from './glibc-call.js';
import { systemClock } from './system-clock.js';

/** Asks the allocator to hand its free pages back; `done` runs once it has, on the event loop. */
export type TrimCall = (done: (error: unknown) => void) => void;

/**
 * glibc's `malloc_trim(0)` on a worker thread, or undefined where there is none to call (another C
 * library, or no prebuilt FFI binding for this platform).
 *
 * Why: glibc returns the pages of a freed block only when the block borders the top of its heap. A
 * node's short-lived buffers below the mmap threshold (gRPC frames, produce batches, RocksDB write
 * batches, freed out of order) leave free pages inside the heap that stay resident after the load
 * is gone: 180–194 MiB per node half a minute after six runs of `bench produce`, where a trim takes
 * them to 128–156. Under steady load it does not help: the pages come back within seconds (every
 * 5 s, RSS per minute rose as without it, and throughput fell by about a tenth), hence once a
 * minute. It runs on a worker thread: one trim of a 120 MiB heap took 2–18 ms.
 */
export function loadMallocTrim(glibc: boolean): Promise<TrimCall | undefined> {
  return fromGlibc(glibc, (_koffi, libc): TrimCall => {
    const trim = libc.func('int malloc_trim(size_t pad)');
    return (done) => {
      trim.async(0, (error: unknown) => done(error));
    };
  });
}

/**
 * Runs `trim` every `intervalMs`, never two at once (a slow trim makes the next one wait for the
 * following tick, not pile up). Cancel the returned timer to stop.
 */
export function startMemoryTrim(
  trim: TrimCall,
  intervalMs: number,
  clock: Pick<Clock, 'every'>,
  onError: (error: unknown) => void,
): Timer {
  let running = false;
  return clock.every(intervalMs, () => {
    if (running) return;
    running = true;
    trim((error) => {
      running = false;
      if (error !== undefined && error !== null) onError(error);
    });
  });
}

/** Starts the node's trims when configured (`memoryTrimIntervalMs` > 0) and possible here. */
export async function startNodeMemoryTrim(
  intervalMs: number,
  glibc: boolean,
  logger: Logger,
): Promise<Timer | undefined> {
  if (intervalMs === 0) return undefined;
  const trim = await loadMallocTrim(glibc);
  if (trim === undefined) {
    if (glibc)
      logger.warn('malloc_trim is not callable here (no FFI binding): freed heap pages stay resident');
    return undefined;
  }
  let warned = false;
  return startMemoryTrim(trim, intervalMs, systemClock, (error) => {
    if (warned) return;
    warned = true;
    logger.warn(
      { err: error },
      'malloc_trim failed; it is tried again each interval and further failures are not logged',
    );
  });
}
