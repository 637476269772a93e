import type { Message } from './message.js';

/** No term reaches this: one election every millisecond would take 34 years. */
export const termMax = 2 ** 40;
/** No log index or snapshot offset reaches this: a million entries a second would take 35 years. */
export const logIndexMax = 2 ** 50;
/**
 * A message this many terms ahead of the receiver is forged or corrupt. With pre-vote a term moves
 * only after a majority agreed to an election, so even a node that slept through a long outage
 * trails by far fewer; adopting such a term would leave no room for the elections after it.
 */
export const termJumpMax = 1_000_000;

/** Why a well-formed message cannot come from a correct peer, or undefined when it can. */
export function implausibility(m: Message, currentTerm: number): string | undefined {
  const chunk = m.snapshotChunk;
  const terms = [m.term, m.logTerm, chunk?.metadata.term ?? 0];
  if (terms.some((t) => t > termMax)) return `a term beyond ${termMax}`;
  if (m.term > currentTerm + termJumpMax) {
    return `term ${m.term} is more than ${termJumpMax} terms past this node's ${currentTerm}`;
  }
  const lastEntry = m.index + m.entries.length;
  const indexes = [lastEntry, m.commit, m.rejectHint, chunk?.metadata.index ?? 0];
  if (indexes.some((i) => i > logIndexMax)) return `a log index beyond ${logIndexMax}`;
  if (chunk !== undefined && (chunk.totalBytes > logIndexMax || chunk.offset > chunk.totalBytes)) {
    return `snapshot chunk at ${chunk.offset} of ${chunk.totalBytes} bytes`;
  }
  return undefined;
}
