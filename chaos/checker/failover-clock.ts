import type { FaultKind, Key } from '../history/index.js';
import type { Failover } from './types.js';

interface OpenFault {
  readonly at: number;
  readonly index: number;
  readonly time: number;
  readonly kind: FaultKind;
  /** Keys that must acknowledge a fresh send before the cluster counts as recovered from this fault. */
  readonly waiting: Set<Key>;
}

/**
 * Times each fault to the moment every key it hit acknowledges a send invoked after the fault took
 * effect: a send already in flight may have been accepted before the fault, so only a fresh request
 * shows the key served again. A fault hits the keys led by its target nodes (as the leader events
 * last showed them); a fault aimed at no node (slow links, a ring of majorities) hits every key, and
 * one that hit no leader (a follower killed) needs no failover and gets none. A fault never
 * recovered from has no failover time; its outage shows as unavailability instead.
 */
export class FailoverClock {
  private readonly open: OpenFault[] = [];
  private readonly leaders = new Map<Key, number>();
  readonly failovers: Failover[] = [];

  leaderSeen(key: Key, leader: number): void {
    this.leaders.set(key, leader);
  }

  keySeen(key: Key): void {
    if (!this.leaders.has(key)) this.leaders.set(key, 0);
  }

  faultStarted(at: number, index: number, time: number, kind: FaultKind, nodes: readonly number[]): void {
    const keys = [...this.leaders].filter(([, leader]) => nodes.length === 0 || nodes.includes(leader));
    if (keys.length === 0) return;
    this.open.push({ at, index, time, kind, waiting: new Set(keys.map(([key]) => key)) });
  }

  // Completions arrive in time order, so the first fresh ack of each key closes a fault at its earliest.
  sendAcknowledged(invokeAt: number, time: number, key: Key): void {
    for (let i = 0; i < this.open.length; i++) {
      const fault = this.open[i]!;
      if (fault.at >= invokeAt || !fault.waiting.delete(key) || fault.waiting.size > 0) continue;
      this.failovers.push({ faultIndex: fault.index, kind: fault.kind, ms: round(time - fault.time) });
      this.open.splice(i--, 1);
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
