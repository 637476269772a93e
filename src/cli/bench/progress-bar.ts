import type * as CliProgress from 'cli-progress';
import { createRequire } from 'node:module';
import { noProgress, type Progress } from '../bench-runner.js';
import type { CliContext } from '../cli-context.js';

/** Steps a bar moves in over a run: smooth to the eye, a bar update every thousandth of the total. */
const barStepsMax = 1000;

/**
 * A redrawing bar on the terminal's stderr; nothing when progress has nowhere to go. Records are
 * counted in whole steps: a bar update per record (about 0.3 µs, with its ETA bookkeeping) would be
 * a few percent of what a closed-loop client spends on each record.
 */
export function progressBar(ctx: CliContext, total: number, unit = 'records'): Progress {
  const stream = ctx.io.progressStream;
  if (stream === undefined) return noProgress;
  // Loaded with the first bar: every raftlog process (a node too) loads the CLI's modules.
  const { SingleBar } = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new SingleBar({
    stream,
    format: `{bar} {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0);
  return steppedProgress(bar, Math.max(1, Math.floor(total / barStepsMax)));
}

/** Passes increments on to `bar` once they add up to `step`; stopping passes on the rest first. */
export function steppedProgress(bar: { increment(n: number): void; stop(): void }, step: number): Progress {
  let pending = 0;
  return {
    increment: (n) => {
      pending += n;
      if (pending < step) return;
      bar.increment(pending);
      pending = 0;
    },
    stop: () => {
      if (pending > 0) bar.increment(pending);
      pending = 0;
      bar.stop();
    },
  };
}
