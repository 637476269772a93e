import { Prng } from '../../lib/index.js';
import type { FaultKind } from '../history/index.js';
import { partitionShapes, type PartitionShape } from './partition-shapes.js';

/** One fault of a run, fixed by the seed before the run starts. */
export interface PlannedFault {
  readonly kind: FaultKind;
  /** Quiet time before the fault. */
  readonly gapMs: number;
  /** How long the fault is held before it is healed. */
  readonly holdMs: number;
  /** Aim at the leader of a key (most faults hurt most there) rather than any node. */
  readonly atLeader: boolean;
  readonly shape: PartitionShape;
  /** Drawn once for every choice made when the fault is applied (which node, which file, which key). */
  readonly seed: number;
  readonly clockOffsetMs: number;
  /** Part of the first round, which runs in full even past the duration so that every kind is injected. */
  readonly mandatory: boolean;
}

export const allFaultKinds: readonly FaultKind[] = [
  'partition',
  'kill',
  'pause',
  'restart-rolling',
  'transfer-storm',
  'membership',
  'disk-bitflip',
  'disk-truncate',
  'clock-skew',
  'latency',
  'client-leader-cut',
];

/**
 * The fault schedule for a run: every kind of `kinds` once in a seeded order (however short the
 * run), then seeded random draws until the schedule fills `durationMs`. The same seed gives the
 * same schedule.
 */
export function planFaults(
  kinds: readonly FaultKind[],
  seed: number,
  durationMs: number,
  nodes: number,
): PlannedFault[] {
  const prng = new Prng(seed);
  const shapes = partitionShapes.filter((s) => nodes >= 5 || s !== 'majorities-ring');
  const plan: PlannedFault[] = [];
  let plannedMs = 0;
  const firstRound = prng.shuffle([...kinds]);
  while (plannedMs < durationMs || firstRound.length > 0) {
    const mandatory = firstRound.length > 0;
    const kind = firstRound.shift() ?? prng.pick(kinds);
    const fault: PlannedFault = {
      kind,
      gapMs: prng.intBetween(500, 2_000),
      holdMs: prng.intBetween(1_500, 4_000),
      atLeader: prng.chance(0.7),
      shape: prng.pick(shapes),
      seed: prng.intBetween(0, 2 ** 31),
      clockOffsetMs: (prng.chance(0.5) ? 1 : -1) * prng.intBetween(5_000, 120_000),
      mandatory,
    };
    plan.push(fault);
    plannedMs += fault.gapMs + fault.holdMs;
  }
  return plan;
}
