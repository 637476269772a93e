import type { AnomalyLog } from './anomaly-log.js';
import type { ValueFact } from './key-facts.js';
import type { KnownOffsets } from './known-offsets.js';

/**
 * The anomalies that need the whole history: whether each acknowledged value was read, and whether
 * each value read was sent. An acknowledged value that was never read is a lost write when a poll
 * read past its offset, and unseen otherwise (including when its offset is unknown).
 */
export function judgeValues(known: KnownOffsets, log: AnomalyLog): void {
  const { key, values, maxReadOffset } = known.facts;
  for (const [value, fact] of values) {
    if (fact.readAt >= 0) {
      judgeRead(value, fact, known, log);
    } else if (fact.outcome === 'ok') {
      if (fact.ackOffset !== undefined && fact.ackOffset <= maxReadOffset) {
        reportLost(value, fact, fact.ackOffset, known, log);
      } else {
        const at = fact.ackOffset === undefined ? '' : ` at offset ${fact.ackOffset}`;
        const message = (): string => `value ${value} acknowledged${at} was never read`;
        log.add('unseen', key, message, [fact.doneAt]);
      }
    }
  }
}

function judgeRead(value: string, fact: ValueFact, known: KnownOffsets, log: AnomalyLog): void {
  const key = known.facts.key;
  if (fact.sendAt < 0) {
    log.add('phantom', key, () => `value ${value} was read but never sent`, [fact.readAt]);
  } else if (fact.outcome === 'fail') {
    const message = (): string => `value ${value} was read although its send failed`;
    log.add('G1a', key, message, [fact.doneAt, fact.readAt]);
  }
}

function reportLost(
  value: string,
  fact: ValueFact,
  offset: number,
  known: KnownOffsets,
  log: AnomalyLog,
): void {
  const { key, maxReadOffset } = known.facts;
  const past = known.firstReadAbove(offset);
  const pastFact = past === undefined ? undefined : known.facts.offsets.get(past);
  const ops = pastFact === undefined ? [fact.doneAt] : [fact.doneAt, pastFact.readAt];
  const message = (): string =>
    `value ${value} acknowledged at offset ${offset} was never read; ` +
    `offset ${past ?? '?'} was read (offsets up to ${maxReadOffset} were)`;
  log.add('lost-write', key, message, ops);
}
