import type { FaultKind } from '../history/index.js';
import type { LeaderMonitor } from '../workload/index.js';
import type { ChaosOptions } from './chaos-options.js';
import type { RunWorkload } from './run-workload.js';

/**
 * The live progress line, on stderr so stdout stays for the verdict: rewritten in place on a
 * terminal, one line every few seconds otherwise (CI logs).
 */
export class Progress {
  private ticks = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly quiet = false,
  ) {}

  every(ms: number, fn: () => string): { stop(): void } {
    const timer = setInterval(() => this.show(fn()), ms);
    return {
      stop: () => {
        clearInterval(timer);
        if (this.out.isTTY && !this.quiet) this.out.write('\n');
      },
    };
  }

  line(
    nowMs: number,
    options: ChaosOptions,
    faults: ReadonlyMap<FaultKind, number>,
    workload: RunWorkload,
    monitor: LeaderMonitor,
  ): string {
    const faultCount = [...faults.values()].reduce((a, b) => a + b, 0);
    const leaders = [...monitor.current()].map(
      ([key, id]) => `${key.split('/')[1]}:${id === 0 ? '-' : `n${id}`}`,
    );
    return (
      `${(nowMs / 1000).toFixed(0)}s/${options.durationS}s faults ${faultCount} ` +
      `${workload.progress()} leaders ${leaders.join(' ')}`
    );
  }

  note(text: string): void {
    if (this.quiet) return;
    if (this.out.isTTY) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
  }

  private show(text: string): void {
    if (this.quiet) return;
    this.ticks++;
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${text}`);
    else if (this.ticks % 5 === 0) this.out.write(`${text}\n`);
  }
}
