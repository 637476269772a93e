import { RaftlogError } from '../../lib/index.js';

/** Names one lease: what Ack, Nack and ExtendLease take. */
export interface LeaseRef {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** A uint64 on the wire: kept as a bigint so no id loses digits. */
  readonly leaseId: bigint;
}

/**
 * `topic:partition:offset:leaseId`: printable, copy-pasteable into `raftlog queue ack`, and
 * unambiguous because topic names never contain ':'. Parsed from the right so a future topic
 * charset change cannot shift the numbers.
 */
export function encodeReceipt(ref: LeaseRef): string {
  return `${ref.topic}:${ref.partition}:${ref.offset}:${ref.leaseId}`;
}

export function decodeReceipt(receipt: string): LeaseRef {
  const parts = receipt.split(':');
  const [leaseId, offset, partition] = [parts.pop(), parts.pop(), parts.pop()];
  const topic = parts.join(':');
  if (topic === '' || !isUint(partition) || !isUint(offset) || !isUint(leaseId)) {
    throw new RaftlogError('INVALID_ARGUMENT', `not a queue receipt: ${JSON.stringify(receipt)}`);
  }
  const p = Number(partition);
  const o = Number(offset);
  const id = BigInt(leaseId);
  if (!Number.isSafeInteger(o) || p > 0xffff_ffff || id >= 2n ** 64n) {
    throw new RaftlogError('INVALID_ARGUMENT', `receipt out of range: ${receipt}`);
  }
  return { topic, partition: p, offset: o, leaseId: id };
}

function isUint(s: string | undefined): s is string {
  return s !== undefined && /^(0|[1-9][0-9]{0,19})$/.test(s);
}

export function leaseKey(ref: LeaseRef): string {
  return `${ref.topic}/${ref.partition}/${ref.offset}`;
}
