import { anomalyNames, type AnomalyName, type CheckResult } from '../checker/types.js';
import type {
  AssignOp,
  FaultEvent,
  FaultKind,
  HistoryEvent,
  Key,
  LeaderEvent,
  OpType,
  PhaseEvent,
  PollOp,
  ReadRecord,
  SendOp,
} from '../history/types.js';

/** Builds histories for tests, one event at a time in the order given, with dense indices. */
export class CraftedHistory {
  readonly events: HistoryEvent[] = [];

  private add<T extends HistoryEvent>(event: Omit<T, 'index'>): T {
    const full = { ...event, index: this.events.length } as T;
    this.events.push(full);
    return full;
  }

  fault(
    time: number,
    phase: 'start' | 'end',
    kind: FaultKind,
    nodes: number[],
    description: string = kind,
  ): FaultEvent {
    return this.add<FaultEvent>({
      time,
      process: -1,
      type: 'info',
      f: 'fault',
      phase,
      kind,
      nodes,
      description,
    });
  }

  leader(time: number, key: Key, leader: number, term?: number): LeaderEvent {
    const base = { time, process: -2, type: 'info', f: 'leader', key, leader } as const;
    return this.add<LeaderEvent>(term === undefined ? base : { ...base, term });
  }

  phase(time: number, phase: PhaseEvent['phase']): PhaseEvent {
    return this.add<PhaseEvent>({ time, process: -3, type: 'info', f: 'phase', phase });
  }

  send(time: number, process: number, type: OpType, key: Key, value: string, offset?: number): SendOp {
    const base = { time, process, type, f: 'send', key, value } as const;
    return this.add<SendOp>(offset === undefined ? base : { ...base, offset });
  }

  poll(time: number, process: number, type: OpType, key: Key, from: number, records?: ReadRecord[]): PollOp {
    const base = { time, process, type, f: 'poll', key, from } as const;
    return this.add<PollOp>(records === undefined ? base : { ...base, records });
  }

  assign(time: number, process: number, type: OpType, keys: Key[], seekToBeginning = true): AssignOp {
    return this.add<AssignOp>({ time, process, type, f: 'assign', keys, seekToBeginning });
  }
}

export function zeroCounts(): Record<AnomalyName, number> {
  return Object.fromEntries(anomalyNames.map((n) => [n, 0])) as Record<AnomalyName, number>;
}

/** A valid result with nothing in it, to override field by field. */
export function emptyResult(overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    valid: true,
    operations: { ok: 0, fail: 0, info: 0 },
    anomalyCounts: zeroCounts(),
    anomalies: [],
    faults: {},
    failovers: [],
    failoverMs: { p50: 0, max: 0 },
    unavailability: [],
    timeline: [],
    ...overrides,
  };
}
