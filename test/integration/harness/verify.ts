import type { ReadRecord } from './fetch.js';
import type { PartitionLedger } from './produce.js';

export interface VerifySummary {
  readonly partition: number;
  readonly acked: number;
  readonly read: number;
  /** Ids of unacknowledged attempts that turned out to be stored (allowed, at most once). */
  readonly maybeStored: number;
}

/**
 * Checks what was read back against what was acknowledged: every acknowledged record is there exactly
 * once, at the offset its acknowledgement gave, in acknowledgement order; nothing else is there but
 * records of attempts in doubt, each at most once; offsets strictly increase.
 */
export function verifyPartition(ledger: PartitionLedger, records: readonly ReadRecord[]): VerifySummary {
  const problems: string[] = [];
  const offsetOf = indexRecords(records, ledger, problems);
  let previous = -1n;
  for (const batch of ledger.acked) {
    batch.ids.forEach((id, i) => {
      const offset = offsetOf.get(id);
      const expected = batch.baseOffset + BigInt(i);
      if (offset === undefined) problems.push(`acknowledged ${id} (offset ${expected}) is missing`);
      else if (offset !== expected)
        problems.push(`acknowledged ${id} is at ${offset}, acknowledged at ${expected}`);
      else if (offset <= previous) problems.push(`acknowledged ${id} at ${offset} is not after ${previous}`);
      if (offset !== undefined) previous = offset;
    });
  }
  const maybeStored = [...ledger.maybe].filter((id) => offsetOf.has(id)).length;
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).join('\n  ');
    throw new Error(`${ledger.topic}/${ledger.partition}: ${problems.length} problems\n  ${shown}`);
  }
  return { partition: ledger.partition, acked: ledger.ackedRecords, read: records.length, maybeStored };
}

function indexRecords(records: readonly ReadRecord[], ledger: PartitionLedger, problems: string[]) {
  const acked = new Set(ledger.acked.flatMap((b) => b.ids));
  const offsetOf = new Map<string, bigint>();
  let last = -1n;
  for (const { offset, value } of records) {
    if (offset <= last) problems.push(`offset ${offset} read after ${last}`);
    last = offset;
    if (offsetOf.has(value))
      problems.push(`${value} stored twice (offsets ${offsetOf.get(value)} and ${offset})`);
    else if (!acked.has(value) && !ledger.maybe.has(value))
      problems.push(`${value} at ${offset} was never sent`);
    offsetOf.set(value, offsetOf.get(value) ?? offset);
  }
  return offsetOf;
}
