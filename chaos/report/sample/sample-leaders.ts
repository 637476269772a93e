import type { Key } from '../../history/types.js';
import type { Draft } from './draft.js';
import { sampleFaults } from './sample-schedule.js';

function isDown(node: number, t: number): boolean {
  return sampleFaults.some((f) => f.electMs > 0 && f.nodes.includes(node) && t >= f.at && t < f.until);
}

/** Answers what the workload's clients would run into at a time: no leader, a cut, added latency. */
export class SampleLeaders {
  private readonly byKey = new Map<Key, { time: number; leader: number }[]>();

  constructor(drafts: readonly Draft[]) {
    for (const d of [...drafts].sort((a, b) => a.time - b.time)) {
      if (d.f !== 'leader') continue;
      const list = this.byKey.get(d.key) ?? [];
      list.push({ time: d.time, leader: d.leader });
      this.byKey.set(d.key, list);
    }
  }

  leaderAt(key: Key, t: number): number {
    let leader = 0;
    for (const e of this.byKey.get(key) ?? []) {
      if (e.time > t) break;
      leader = e.leader;
    }
    return leader;
  }

  /** When a request to `key` made at `t` can next reach a leader (`t` itself when it can now). */
  reachableFrom(key: Key, t: number): number {
    const leader = this.leaderAt(key, t);
    // The monitor notices a dead leader late; clients stop getting answers at once.
    if (leader === 0 || isDown(leader, t)) {
      const next = (this.byKey.get(key) ?? []).find((e) => e.time > t && e.leader !== 0);
      return next?.time ?? Number.POSITIVE_INFINITY;
    }
    const cut = sampleFaults.find(
      (f) => f.kind === 'client-leader-cut' && f.nodes.includes(leader) && t >= f.at && t < f.until,
    );
    return cut === undefined ? t : cut.until + 150;
  }

  extraLatency(t: number, jitter: number): number {
    const slow = sampleFaults.some((f) => f.kind === 'latency' && t >= f.at && t < f.until);
    return slow ? 120 + jitter * 40 : 0;
  }
}
