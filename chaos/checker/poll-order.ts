import type { Key, ReadRecord } from '../history/index.js';
import type { AnomalyLog } from './anomaly-log.js';
import type { OffsetFact } from './key-facts.js';
import type { KnownOffsets } from './known-offsets.js';

interface Cursor {
  /** Offset of the last record the process read from the key, or one before where it started. */
  readonly last: number;
  /** The poll that set `last`. */
  readonly at: number;
  /** Until a poll returns records, `last` comes from the first poll's `from`. */
  readonly fromStart: boolean;
}

/**
 * Offsets strictly between `lo` and `hi` that a reader passed over: inside one poll, between where
 * its first poll started and its first record, or between two polls. A skip if any is known to exist.
 */
interface Gap {
  readonly kind: 'within' | 'start' | 'between';
  readonly process: number;
  readonly key: Key;
  readonly lo: number;
  readonly hi: number;
  /** Completion positions of the polls involved. */
  readonly polls: readonly number[];
}

/**
 * Each reader's polls of a key, in order, until an assign moves it. Order is checked as polls
 * complete; skips only at the end, because the values a poll skipped may be revealed by later reads.
 */
export class PollOrder {
  private readonly cursors = new Map<number, Map<Key, Cursor>>();
  private readonly gaps: Gap[] = [];

  constructor(private readonly log: AnomalyLog) {}

  assigned(process: number): void {
    this.cursors.delete(process);
  }

  polled(process: number, key: Key, from: number, records: readonly ReadRecord[], at: number): void {
    const byKey = this.cursorsOf(process);
    // The first poll after an assign has no predecessor; where it was asked to start stands in for one.
    const cursor = byKey.get(key) ?? { last: from - 1, at, fromStart: true };
    const first = records[0]?.[0];
    const last = records.at(-1)?.[0];
    if (first === undefined || last === undefined) {
      byKey.set(key, cursor);
      return;
    }
    this.checkWithin(process, key, records, at);
    this.checkAfter(process, key, cursor, first, at);
    byKey.set(key, { last, at, fromStart: false });
  }

  /** Reports the gaps that known offsets fall into; a poll with several inner gaps counts once. */
  resolve(known: (key: Key) => KnownOffsets | undefined): void {
    const reportedWithin = new Set<number>();
    for (const gap of this.gaps) {
      const offsets = known(gap.key);
      const skipped = offsets?.firstBetween(gap.lo, gap.hi);
      const fact = skipped === undefined ? undefined : offsets?.facts.offsets.get(skipped);
      if (skipped === undefined || fact === undefined) continue;
      const poll = gap.polls.at(-1) ?? -1;
      if (gap.kind === 'within') {
        if (reportedWithin.has(poll)) continue;
        reportedWithin.add(poll);
      }
      this.reportSkip(gap, skipped, fact);
    }
  }

  private checkWithin(process: number, key: Key, records: readonly ReadRecord[], at: number): void {
    let nonmonotonic = false;
    for (let i = 1; i < records.length; i++) {
      const lo = records[i - 1]?.[0] ?? 0;
      const hi = records[i]?.[0] ?? 0;
      if (hi > lo + 1) this.gaps.push({ kind: 'within', process, key, lo, hi, polls: [at] });
      if (hi > lo || nonmonotonic) continue;
      nonmonotonic = true;
      const message = (): string => `process ${process} ${passWords('within', lo, hi)}`;
      this.log.add('int-nonmonotonic-poll', key, message, [at]);
    }
  }

  private checkAfter(process: number, key: Key, cursor: Cursor, first: number, at: number): void {
    const kind = cursor.fromStart ? 'start' : 'between';
    const polls = [cursor.at, at];
    if (first > cursor.last + 1) this.gaps.push({ kind, process, key, lo: cursor.last, hi: first, polls });
    if (first > cursor.last) return;
    const message = (): string => `process ${process} ${passWords(kind, cursor.last, first)}`;
    this.log.add('nonmonotonic-poll', key, message, polls);
  }

  private reportSkip(gap: Gap, skipped: number, fact: OffsetFact): void {
    const message = (): string =>
      `process ${gap.process} ${passWords(gap.kind, gap.lo, gap.hi)}, ` +
      `skipping offset ${skipped} (${fact.value})`;
    const name = gap.kind === 'within' ? 'int-poll-skip' : 'poll-skip';
    this.log.add(name, gap.key, message, [...gap.polls, fact.at]);
  }

  private cursorsOf(process: number): Map<Key, Cursor> {
    let byKey = this.cursors.get(process);
    if (byKey === undefined) {
      byKey = new Map();
      this.cursors.set(process, byKey);
    }
    return byKey;
  }
}

function passWords(kind: Gap['kind'], lo: number, hi: number): string {
  switch (kind) {
    case 'within':
      return `read offset ${hi} right after ${lo} in one poll`;
    case 'start':
      return `polled from offset ${lo + 1} and began at ${hi}`;
    case 'between':
      return `ended a poll at offset ${lo} and began the next at ${hi}`;
  }
}
