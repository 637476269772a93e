/** Producer sequences are int32 and wrap from 2^31 - 1 to 0, as in the RecordBatch header. */
export const sequenceMax = 0x7fff_ffff;
const sequenceSpan = 0x8000_0000;

export function nextSequence(sequence: number): number {
  return sequence === sequenceMax ? 0 : sequence + 1;
}

/** The sequence of the last record of a batch of `recordCount` records starting at `baseSequence`. */
export function lastSequenceOf(baseSequence: number, recordCount: number): number {
  return (baseSequence + recordCount - 1) % sequenceSpan;
}
