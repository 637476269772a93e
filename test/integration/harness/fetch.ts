import { isErrorCode, RaftlogError, splitRecordBatches } from '../../../lib/index.js';
import { ErrorCode, type ErrorDetail } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { waitForLeader } from './admin.js';
import { asRaftlogError, checkNotTornDown, sleep, type ClusterAccess } from './rpc.js';

export interface ReadRecord {
  readonly offset: bigint;
  readonly value: string;
}

const utf8 = new TextDecoder();
const partitionMaxBytes = 1024 * 1024;

/**
 * Reads a partition from offset 0 to its high watermark through its leader (`fromNode` insists on one
 * node, which must lead). Record values are decoded to strings at once: fetched bytes are views.
 */
export async function readPartition(
  access: ClusterAccess,
  topic: string,
  partition: number,
  options: { readonly fromNode?: number; readonly timeoutMs?: number; readonly fromOffset?: number } = {},
): Promise<ReadRecord[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const out: ReadRecord[] = [];
  let offset = BigInt(options.fromOffset ?? 0);
  let address: string | undefined;
  for (;;) {
    checkNotTornDown(access);
    if (Date.now() > deadline)
      throw new Error(`${topic}/${partition}: read stopped at offset ${offset} by its timeout`);
    address ??= await leaderAddress(access, topic, partition, options.fromNode);
    const fetched = await fetchOnce(access, address, topic, partition, offset).catch((e: unknown) =>
      asRaftlogError(e),
    );
    if (fetched instanceof Error) {
      if (!fetched.retriable) throw fetched;
      address = undefined;
      await sleep(50, access.signal);
      continue;
    }
    for (const record of fetched.records) if (record.offset >= offset) out.push(record);
    if (fetched.nextOffset >= fetched.highWatermark) return out;
    if (fetched.nextOffset <= offset && fetched.records.length === 0) await sleep(20, access.signal);
    offset = fetched.nextOffset > offset ? fetched.nextOffset : offset;
  }
}

async function leaderAddress(access: ClusterAccess, topic: string, partition: number, fromNode?: number) {
  const leader = await waitForLeader(access, topic, partition);
  if (fromNode !== undefined && leader.leaderId !== fromNode) {
    throw new Error(`${topic}/${partition} is led by node ${leader.leaderId}, not ${fromNode}`);
  }
  return leader.address;
}

async function fetchOnce(
  access: ClusterAccess,
  address: string,
  topic: string,
  partition: number,
  offset: bigint,
) {
  const response = await access.broker(address).fetch(
    {
      partitions: [{ topic, partition, offset, partitionMaxBytes }],
      maxBytes: 4 * partitionMaxBytes,
      maxWaitMs: 0,
    },
    { timeoutMs: 10_000 },
  );
  const part = response.partitions[0];
  if (part === undefined) throw new Error(`fetch of ${topic}/${partition} answered no partition`);
  if (part.error !== undefined && part.error.code !== ErrorCode.UNSPECIFIED) {
    throw fromDetail(part.error);
  }
  const records: ReadRecord[] = [];
  for (const batch of splitRecordBatches(part.records)) {
    for (const record of batch.records()) {
      records.push({ offset: BigInt(record.offset), value: utf8.decode(record.value ?? new Uint8Array()) });
    }
  }
  return { records, nextOffset: part.nextOffset, highWatermark: part.highWatermark };
}

/** A per-partition error of a response, as the RaftlogError a whole-call failure would have been. */
export function fromDetail(detail: ErrorDetail): RaftlogError {
  const name = ErrorCode[detail.code] ?? 'UNKNOWN';
  const hint = detail.leaderHint === '' ? {} : { leaderHint: detail.leaderHint };
  return new RaftlogError(isErrorCode(name) ? name : 'UNKNOWN', detail.message, hint);
}
