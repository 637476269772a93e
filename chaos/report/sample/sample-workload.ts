import type { Prng } from '../../../lib/index.js';
import type { Key } from '../../history/types.js';
import type { Draft } from './draft.js';
import type { SampleLeaders } from './sample-leaders.js';
import { sampleKeys } from './sample-schedule.js';

export const writers = 6;
export const concurrency = writers + sampleKeys.length;
const timeoutMs = 1000;

export interface Attempt {
  readonly process: number;
  readonly key: Key;
  readonly value: string;
  readonly invokeAt: number;
  readonly doneAt: number;
  readonly type: 'ok' | 'fail' | 'info';
}

/** Typical broker latency: a log-normal around 4 ms. */
function latency(prng: Prng): number {
  const z = Math.sqrt(-2 * Math.log(1 - prng.nextFloat())) * Math.cos(2 * Math.PI * prng.nextFloat());
  return Math.max(1, Math.round(Math.exp(Math.log(4) + 0.5 * z)));
}

/** Each writer sends unique values to one key until `untilMs`, one at a time, as the harness does. */
export function sendAttempts(prng: Prng, leaders: SampleLeaders, untilMs: number): Attempt[] {
  const attempts: Attempt[] = [];
  let value = 0;
  for (let w = 0; w < writers; w++) {
    const key = sampleKeys[w % sampleKeys.length] ?? 'chaos/0';
    let process = w;
    for (let t = 200 + w * 7; t < untilMs;) {
      const attempt = send(prng, leaders, { process, key, value: `v${value++}`, t });
      attempts.push(attempt);
      if (attempt.type === 'info') process += concurrency;
      t = attempt.doneAt + prng.intBetween(1, 25);
    }
  }
  return attempts;
}

function send(
  prng: Prng,
  leaders: SampleLeaders,
  op: { process: number; key: Key; value: string; t: number },
): Attempt {
  const base = { process: op.process, key: op.key, value: op.value, invokeAt: op.t };
  const reachable = leaders.reachableFrom(op.key, op.t);
  if (reachable - op.t > timeoutMs) return { ...base, doneAt: op.t + timeoutMs, type: 'info' };
  if (reachable > op.t && prng.chance(0.25))
    return { ...base, doneAt: op.t + prng.intBetween(30, 200), type: 'fail' };
  const doneAt = Math.round(
    reachable + latency(prng) + leaders.extraLatency(reachable, prng.nextFloat() * 2 - 1),
  );
  return { ...base, doneAt, type: 'ok' };
}

export interface Acked extends Attempt {
  readonly offset: number;
}

/**
 * Offsets in acknowledgement order per key, except that the broker under test loses `lost` (it
 * acknowledged them before a quorum had them), so the next values reuse their offsets.
 */
export function assignOffsets(attempts: readonly Attempt[], lost: ReadonlySet<string>): Acked[] {
  const next = new Map<Key, number>();
  const freed = new Map<Key, number[]>();
  const acked: Acked[] = [];
  for (const a of [...attempts].filter((x) => x.type === 'ok').sort((x, y) => x.doneAt - y.doneAt)) {
    const isLost = lost.has(a.value);
    const reused = isLost ? undefined : freed.get(a.key)?.shift();
    const offset = reused ?? next.get(a.key) ?? 0;
    if (reused === undefined) next.set(a.key, offset + 1);
    if (isLost) freed.set(a.key, [...(freed.get(a.key) ?? []), offset]);
    acked.push({ ...a, offset });
  }
  return acked;
}

/** Writes as the history records them: an invoke, then its completion. */
export function sendDrafts(
  attempts: readonly Attempt[],
  acked: readonly Acked[],
): Map<string, [Draft, Draft]> {
  const offsets = new Map(acked.map((a) => [a.value, a.offset]));
  return new Map(
    attempts.map((a) => {
      const base = { process: a.process, f: 'send', key: a.key, value: a.value } as const;
      const offset = offsets.get(a.value);
      const done: Draft =
        a.type === 'ok' && offset !== undefined
          ? { ...base, time: a.doneAt, type: 'ok', offset }
          : { ...base, time: a.doneAt, type: a.type };
      return [a.value, [{ ...base, time: a.invokeAt, type: 'invoke' }, done]];
    }),
  );
}
