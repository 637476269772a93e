import type { HistoryEvent, Key, LeaderEvent } from '../history/types.js';

/** Who led a key from `fromMs` to `toMs`; leader 0 means none was known. */
export interface LeaderSegment {
  readonly fromMs: number;
  readonly toMs: number;
  readonly leader: number;
}

export interface LeaderRow {
  readonly key: Key;
  readonly segments: readonly LeaderSegment[];
  /** Times at which the leader changed, including to and from no leader. */
  readonly changes: readonly number[];
}

/** Orders "t/2" before "t/10". */
const keyOrder = new Intl.Collator('en', { numeric: true }).compare;

export interface LeaderLimits {
  /** Rows drawn; the keys after them (in key order) are counted, not drawn. */
  readonly maxKeys: number;
  /** Segments of one row. */
  readonly maxSegments: number;
  /** Segments of all rows together: many keys get fewer segments each. */
  readonly totalSegments: number;
}

export interface LeaderRows {
  readonly rows: readonly LeaderRow[];
  readonly omitted: number;
}

/**
 * One row per key from the monitor's observations: a key has no segment before its first
 * observation, and its last leader holds until `endMs`. A row with more segments than its share of
 * the limits (a transfer storm over a long run) is resampled into that many bins.
 */
export function leaderRows(
  history: readonly HistoryEvent[],
  endMs: number,
  limits: LeaderLimits,
): LeaderRows {
  const byKey = new Map<Key, LeaderEvent[]>();
  for (const e of history) {
    if (e.f !== 'leader') continue;
    const list = byKey.get(e.key) ?? [];
    list.push(e);
    byKey.set(e.key, list);
  }
  const keys = [...byKey.keys()].sort(keyOrder);
  const drawn = keys.slice(0, limits.maxKeys);
  const perRow = Math.max(
    1,
    Math.min(limits.maxSegments, Math.floor(limits.totalSegments / Math.max(1, drawn.length))),
  );
  const rows = drawn.map((key) => {
    const exact = segmentsOf(byKey.get(key) ?? [], endMs);
    return exact.length > perRow
      ? resample(key, exact, perRow)
      : { key, segments: exact, changes: exact.slice(1).map((s) => s.fromMs) };
  });
  return { rows, omitted: keys.length - drawn.length };
}

function segmentsOf(events: readonly LeaderEvent[], endMs: number): LeaderSegment[] {
  const segments: { fromMs: number; toMs: number; leader: number }[] = [];
  for (const e of events) {
    const last = segments.at(-1);
    if (last !== undefined && last.leader === e.leader) continue;
    if (last !== undefined) last.toMs = e.time;
    segments.push({ fromMs: e.time, toMs: endMs, leader: e.leader });
  }
  const last = segments.at(-1);
  if (last !== undefined) last.toMs = Math.max(last.toMs, last.fromMs);
  return segments;
}

/**
 * Each bin shows the leader that held the key longest within it, and carries one change marker if
 * any change fell inside it: the row keeps its shape at a bounded size.
 */
function resample(key: Key, segments: readonly LeaderSegment[], bins: number): LeaderRow {
  const from = segments[0]?.fromMs ?? 0;
  const to = segments.at(-1)?.toMs ?? from;
  const width = (to - from) / bins;
  const out: { fromMs: number; toMs: number; leader: number }[] = [];
  const changes: number[] = [];
  let s = 0;
  for (let b = 0; b < bins; b++) {
    const lo = from + b * width;
    const hi = b === bins - 1 ? to : lo + width;
    const held = new Map<number, number>();
    let changed = false;
    while (s < segments.length) {
      const seg = segments[s] as LeaderSegment;
      if (seg.fromMs >= hi) break;
      held.set(seg.leader, (held.get(seg.leader) ?? 0) + Math.min(seg.toMs, hi) - Math.max(seg.fromMs, lo));
      if (s > 0 && seg.fromMs >= lo) changed = true;
      if (seg.toMs > hi) break;
      s++;
    }
    if (changed) changes.push(lo);
    const leader = dominant(held);
    const last = out.at(-1);
    if (last !== undefined && last.leader === leader) last.toMs = hi;
    else out.push({ fromMs: lo, toMs: hi, leader });
  }
  return { key, segments: out, changes };
}

function dominant(held: ReadonlyMap<number, number>): number {
  let best = 0;
  let most = -1;
  for (const [leader, ms] of held) {
    if (ms > most) {
      best = leader;
      most = ms;
    }
  }
  return best;
}
