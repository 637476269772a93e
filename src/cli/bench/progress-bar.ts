import { SingleBar } from 'cli-progress';
import { noProgress, type Progress } from '../bench-runner.js';
import type { CliContext } from '../cli-context.js';

/** A redrawing bar on the terminal's stderr; nothing when progress has nowhere to go. */
export function progressBar(ctx: CliContext, total: number, unit = 'records'): Progress {
  const stream = ctx.io.progressStream;
  if (stream === undefined) return noProgress;
  const bar = new SingleBar({
    stream,
    format: `{bar} {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0);
  return { increment: (n) => bar.increment(n), stop: () => bar.stop() };
}
