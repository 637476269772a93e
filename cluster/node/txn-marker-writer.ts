import type { Logger } from 'pino';
import { RaftlogError } from '../../lib/index.js';
import type { TxnPartition } from '../controller/index.js';
import type { NodeClock } from './node-clock.js';
import type { MarkerRequest, PartitionOutcome } from './txn-api.js';

export interface MarkerWriterPorts {
  readonly clock: NodeClock;
  readonly logger: Logger;
  /** WriteTxnMarkers at `address`; throws when the call itself fails. */
  readonly send: (address: string, request: MarkerRequest) => Promise<PartitionOutcome[]>;
  /**
   * Where to try a partition's leader on the `attempt`-th try: the leader this node knows of, else
   * its replicas in turn, never `failed` (where the last try went wrong) while another is left.
   */
  readonly leaderAddress: (
    topic: string,
    partition: number,
    attempt: number,
    failed: string | undefined,
  ) => string | undefined;
}

export const markerBackoffMsMin = 50;
export const markerBackoffMsMax = 1_000;

interface Pending {
  readonly partition: TxnPartition;
  address: string | undefined;
  attempt: number;
}

/** Partition outcomes that mean "this partition needs no marker from us" besides success. */
const settledCodes = new Set(['TOPIC_NOT_FOUND', 'PARTITION_NOT_FOUND', 'PRODUCER_FENCED']);

/**
 * Delivers a transaction's markers to the leader of every partition, one call per leader, and
 * retries what failed (NOT_LEADER at the hinted leader, anything else at the next replica) with a
 * doubling backoff bounded by markerBackoffMsMax, as long as `keepGoing` says the coordinator still
 * owns this end. Resolves true once every partition has its marker, false when told to stop.
 */
export async function writeAllMarkers(
  ports: MarkerWriterPorts,
  txn: Omit<MarkerRequest, 'partitions'> & { partitions: readonly TxnPartition[] },
  keepGoing: () => boolean,
): Promise<boolean> {
  let pending: Pending[] = txn.partitions.map((p) => ({
    partition: p,
    address: ports.leaderAddress(p.topic, p.partition, 0, undefined),
    attempt: 0,
  }));
  let backoffMs = markerBackoffMsMin;
  while (pending.length > 0) {
    if (!keepGoing()) return false;
    const rounds = await Promise.all(
      [...groupByAddress(pending)].map(([address, items]) => sendTo(ports, address, txn, items)),
    );
    pending = rounds.flat();
    if (pending.length === 0) break;
    await ports.clock.sleep(backoffMs);
    backoffMs = Math.min(backoffMs * 2, markerBackoffMsMax);
  }
  return true;
}

function groupByAddress(pending: readonly Pending[]): Map<string, Pending[]> {
  const groups = new Map<string, Pending[]>();
  for (const p of pending) {
    if (p.address === undefined) p.address = '';
    const list = groups.get(p.address) ?? [];
    list.push(p);
    groups.set(p.address, list);
  }
  return groups;
}

/** One call; returns the partitions still without a marker, with where to try them next. */
async function sendTo(
  ports: MarkerWriterPorts,
  address: string,
  txn: Omit<MarkerRequest, 'partitions'>,
  items: Pending[],
): Promise<Pending[]> {
  if (address === '') return items.map((p) => retryElsewhere(ports, p));
  let outcomes: PartitionOutcome[];
  try {
    outcomes = await ports.send(address, { ...txn, partitions: items.map((p) => p.partition) });
  } catch (error) {
    ports.logger.debug({ err: error, address }, 'writing transaction markers failed; retrying');
    return items.map((p) => retryElsewhere(ports, p));
  }
  const retry: Pending[] = [];
  items.forEach((item, i) => {
    const error = outcomes[i]?.error ?? (outcomes[i] ? undefined : missing());
    if (error === undefined || settledCodes.has(error.code)) return;
    if (error.code === 'NOT_LEADER' && error.leaderHint !== undefined) {
      item.address = error.leaderHint;
      retry.push(item);
    } else retry.push(retryElsewhere(ports, item));
  });
  return retry;
}

function missing(): RaftlogError {
  return new RaftlogError('UNAVAILABLE', 'no outcome for this partition');
}

function retryElsewhere(ports: MarkerWriterPorts, item: Pending): Pending {
  item.attempt += 1;
  const { topic, partition } = item.partition;
  item.address = ports.leaderAddress(topic, partition, item.attempt, item.address);
  return item;
}
