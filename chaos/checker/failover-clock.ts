import type { FaultKind } from '../history/index.js';
import type { Failover } from './types.js';

interface OpenFault {
  readonly at: number;
  readonly index: number;
  readonly time: number;
  readonly kind: FaultKind;
}

/**
 * Times each fault to the first acknowledged send invoked after it took effect: a send already in
 * flight may have been accepted before the fault, so only a fresh request shows the cluster serving
 * again. A fault never followed by such a send has no failover time; its outage shows as
 * unavailability instead.
 */
export class FailoverClock {
  private readonly open: OpenFault[] = [];
  private closedUpTo = 0;
  readonly failovers: Failover[] = [];

  faultStarted(at: number, index: number, time: number, kind: FaultKind): void {
    this.open.push({ at, index, time, kind });
  }

  // Completions arrive in time order, so the first fresh ack closes a fault at its earliest.
  sendAcknowledged(invokeAt: number, time: number): void {
    let fault = this.open[this.closedUpTo];
    while (fault !== undefined && fault.at < invokeAt) {
      this.failovers.push({ faultIndex: fault.index, kind: fault.kind, ms: round(time - fault.time) });
      this.closedUpTo++;
      fault = this.open[this.closedUpTo];
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
