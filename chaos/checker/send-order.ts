import type { Key } from '../history/index.js';
import type { AnomalyLog } from './anomaly-log.js';

interface LastSend {
  readonly offset: number;
  readonly at: number;
}

/** A producer's acknowledged sends to one key must land at increasing offsets. */
export class SendOrder {
  private readonly last = new Map<number, Map<Key, LastSend>>();

  constructor(private readonly log: AnomalyLog) {}

  acknowledged(process: number, key: Key, offset: number, at: number): void {
    let byKey = this.last.get(process);
    if (byKey === undefined) {
      byKey = new Map();
      this.last.set(process, byKey);
    }
    const previous = byKey.get(key);
    if (previous !== undefined && offset <= previous.offset) {
      const message = (): string =>
        `process ${process} was acknowledged offset ${offset} after offset ${previous.offset}`;
      this.log.add('nonmonotonic-send', key, message, [previous.at, at]);
    }
    byKey.set(key, { offset, at });
  }
}
