import type { Unavailability } from './types.js';

/**
 * Stretches when sends were wanted but none was acknowledged: from the first send left waiting after
 * the last acknowledgement to the next acknowledgement. A history ending without one closes its
 * stretch at the last send activity, so a quiet drain phase does not count as an outage.
 */
export class Availability {
  private inFlight = 0;
  private since: number | undefined;
  private lastActivity = 0;
  readonly windows: Unavailability[] = [];

  constructor(private readonly msMin: number) {}

  sendInvoked(time: number): void {
    this.inFlight++;
    this.since ??= time;
    this.lastActivity = time;
  }

  sendCompleted(time: number, ok: boolean): void {
    this.inFlight--;
    this.lastActivity = time;
    if (!ok) return;
    this.close(time);
    this.since = this.inFlight > 0 ? time : undefined;
  }

  finish(): void {
    this.close(this.lastActivity);
    this.since = undefined;
  }

  private close(to: number): void {
    if (this.since !== undefined && to - this.since > this.msMin) {
      this.windows.push({ fromMs: this.since, toMs: to });
    }
  }
}
