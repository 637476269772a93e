import type { Prng } from '../../../lib/index.js';
import type { FaultKind, Key } from '../../history/types.js';
import type { Draft } from './draft.js';

export const sampleKeys: readonly Key[] = ['chaos/0', 'chaos/1', 'chaos/2'];
export const sampleNodes = [1, 2, 3] as const;

export interface ScheduledFault {
  readonly at: number;
  readonly until: number;
  readonly kind: FaultKind;
  readonly nodes: readonly number[];
  readonly description: string;
  /** How long the cluster takes to elect a new leader for keys the fault took from their leader; 0 when it takes none. */
  readonly electMs: number;
}

/** A mix like `--scenario all` draws: network, process, disk, clock and membership faults. */
export const sampleFaults: readonly ScheduledFault[] = [
  {
    at: 4000,
    until: 9500,
    kind: 'partition',
    nodes: [2],
    description: 'isolate node 2 (both directions)',
    electMs: 1350,
  },
  {
    at: 12000,
    until: 15200,
    kind: 'kill',
    nodes: [1],
    description: 'SIGKILL node 1, restart after 3 s',
    electMs: 420,
  },
  {
    at: 18000,
    until: 22000,
    kind: 'pause',
    nodes: [3],
    description: 'SIGSTOP node 3 for 4 s',
    electMs: 1250,
  },
  {
    at: 25000,
    until: 31000,
    kind: 'latency',
    nodes: [1, 2, 3],
    description: '120 ms ± 40 ms on every link',
    electMs: 0,
  },
  {
    at: 27000,
    until: 28600,
    kind: 'transfer-storm',
    nodes: [],
    description: 'leadership transfers every 200 ms',
    electMs: 0,
  },
  {
    at: 33000,
    until: 38000,
    kind: 'partition',
    nodes: [1],
    description: 'node 1 cut from nodes 2 and 3 (bridge)',
    electMs: 1500,
  },
  {
    at: 40000,
    until: 44000,
    kind: 'disk-bitflip',
    nodes: [2],
    description: 'stop node 2, flip a byte in its log, restart',
    electMs: 380,
  },
  {
    at: 45000,
    until: 50000,
    kind: 'clock-skew',
    nodes: [3],
    description: "node 3's wall clock 30 s ahead",
    electMs: 0,
  },
  {
    at: 51000,
    until: 54500,
    kind: 'client-leader-cut',
    nodes: [2],
    description: 'client cut from node 2',
    electMs: 0,
  },
  {
    at: 52500,
    until: 58000,
    kind: 'membership',
    nodes: [3],
    description: 'remove node 3, add it back as a learner, promote',
    electMs: 450,
  },
  {
    at: 56000,
    until: 59300,
    kind: 'kill',
    nodes: [1],
    description: 'SIGKILL node 1, restart after 3 s',
    electMs: 440,
  },
];

export function faultDrafts(): Draft[] {
  return sampleFaults.flatMap((f) => {
    const base = {
      process: -1,
      type: 'info',
      f: 'fault',
      kind: f.kind,
      nodes: f.nodes,
      description: f.description,
    } as const;
    return [
      { ...base, time: f.at, phase: 'start' },
      { ...base, time: f.until, phase: 'end' },
    ];
  });
}

function downAt(node: number, t: number): boolean {
  return sampleFaults.some((f) => f.electMs > 0 && f.nodes.includes(node) && t >= f.at && t < f.until);
}

/** Leader changes as the monitor would see them, from the faults that take leaders away. */
export function leaderDrafts(prng: Prng): Draft[] {
  const leaders = new Map<Key, number>(sampleKeys.map((k, i) => [k, (i % 3) + 1]));
  let term = 2;
  const drafts: Draft[] = sampleKeys.map((key) => leaderDraft(300, key, leaders.get(key) ?? 0, term));
  const elect = (key: Key, t: number): void => {
    const live = sampleNodes.filter((n) => !downAt(n, t) && n !== leaders.get(key));
    const next = prng.pick(live);
    leaders.set(key, next);
    drafts.push(leaderDraft(t, key, next, ++term));
  };
  for (const f of sampleFaults) {
    if (f.kind === 'transfer-storm') {
      for (let t = f.at; t < f.until; t += 200) elect(prng.pick(sampleKeys), t + prng.intBetween(0, 40));
      continue;
    }
    if (f.electMs === 0) continue;
    for (const key of sampleKeys) {
      if (!f.nodes.includes(leaders.get(key) ?? 0)) continue;
      drafts.push(leaderDraft(f.at + prng.intBetween(40, 120), key, 0, term));
      elect(key, f.at + f.electMs + prng.intBetween(-80, 120));
    }
  }
  return drafts;
}

function leaderDraft(time: number, key: Key, leader: number, term: number): Draft {
  return { time, process: -2, type: 'info', f: 'leader', key, leader, term };
}
