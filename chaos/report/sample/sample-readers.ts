import type { Prng } from '../../../lib/index.js';
import type { Key, ReadRecord } from '../../history/types.js';
import type { Draft } from './draft.js';
import type { SampleLeaders } from './sample-leaders.js';
import type { Acked } from './sample-workload.js';
import { sampleKeys } from './sample-schedule.js';
import { writers } from './sample-workload.js';

const pollMax = 300;

export interface Poll {
  readonly key: Key;
  readonly records: readonly ReadRecord[];
  readonly done: Draft;
}

/** One reader per key, assigned from the beginning, polling where its previous poll ended. */
export function readerDrafts(
  prng: Prng,
  leaders: SampleLeaders,
  log: readonly Acked[],
  untilMs: number,
): { drafts: Draft[]; polls: Poll[] } {
  const drafts: Draft[] = [];
  const polls: Poll[] = [];
  sampleKeys.forEach((key, r) => {
    const process = writers + r;
    const assign = { process, f: 'assign', keys: [key], seekToBeginning: true } as const;
    drafts.push({ ...assign, time: 150, type: 'invoke' }, { ...assign, time: 162, type: 'ok' });
    const mine = log.filter((a) => a.key === key);
    let from = 0;
    for (let t = 400 + r * 31; t < untilMs; t += prng.intBetween(200, 300)) {
      const base = { process, f: 'poll', key, from } as const;
      drafts.push({ ...base, time: t, type: 'invoke' });
      if (leaders.reachableFrom(key, t) > t) {
        drafts.push({ ...base, time: t + 100, type: 'fail' });
        continue;
      }
      const records = mine
        .filter((a) => a.doneAt <= t && a.offset >= from)
        .slice(0, pollMax)
        .map((a): ReadRecord => [a.offset, a.value]);
      const done: Draft = { ...base, time: t + prng.intBetween(2, 8), type: 'ok', records };
      drafts.push(done);
      polls.push({ key, records, done });
      from = (records.at(-1)?.[0] ?? from - 1) + 1;
    }
  });
  return { drafts, polls };
}
