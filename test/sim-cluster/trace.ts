import { createHash } from 'node:crypto';

/** The run's event trace: what happened, at which simulated time; its digest shows two runs alike. */
export class Trace {
  private readonly hash = createHash('sha256');
  private readonly tail: string[] = [];
  count = 0;

  constructor(
    private readonly now: () => number,
    private readonly tailMax = 40,
  ) {}

  add(event: string): void {
    const line = `${this.now()} ${event}`;
    this.hash.update(line + '\n');
    this.count++;
    this.tail.push(line);
    if (this.tail.length > this.tailMax) this.tail.shift();
  }

  /** The last events, to print with a failure. */
  lastEvents(): readonly string[] {
    return this.tail;
  }

  digest(): string {
    return this.hash.copy().digest('hex').slice(0, 16);
  }
}
