import { RaftlogError, splitRecordBatches, type NodeId } from '../../lib/index.js';
import type { NodeApi } from '../../cluster/node/index.js';
import { BrokerViolation } from './broker-violation.js';

/** One stored batch as the checks see it: who wrote it and its checksum. */
export interface BatchIdentity {
  readonly producerId: number;
  readonly sequence: number;
  readonly crc: number;
}

export function identityKey(id: BatchIdentity): string {
  return `${id.producerId}:${id.sequence}:${id.crc}`;
}

const fetchBytesMax = 1024 * 1024;

/**
 * Reads every replica's committed data (replica reads, as a gap fill does) and holds it to one
 * history: an offset has one batch on every replica and at every time (so committed data never
 * changes and replicas agree), a (producer, sequence) is stored at one offset only (an idempotent
 * retry is never appended twice), an acknowledged batch is at its acknowledged offset wherever that
 * offset is committed, and a replica's high watermark never goes back within one incarnation.
 */
export class ReplicaChecker {
  /** partition → offset → batch key, over all replicas and all time. */
  private readonly committed = new Map<string, Map<number, string>>();
  /** partition → (producer:epoch:sequence) → offset. */
  private readonly placed = new Map<string, Map<string, number>>();
  /** partition → offset → acknowledged batch key. */
  private readonly acked = new Map<string, Map<number, string>>();
  /** `${node}#${incarnation}/${partition}` → high watermark last seen. */
  private readonly watermarks = new Map<string, number>();
  /** `${node}#${incarnation}/${partition}` → offset read up to. */
  private readonly cursors = new Map<string, number>();
  /** `${node}#${incarnation}/${partition}` last seen holding no replica. */
  private readonly empty = new Set<string>();
  checks = 0;

  /** The client heard this batch acknowledged at `offset`. */
  noteAck(partition: string, offset: number, id: BatchIdentity): void {
    const key = identityKey(id);
    const acks = mapOf(this.acked, partition);
    const before = acks.get(offset);
    if (before !== undefined && before !== key)
      throw new BrokerViolation(
        'acknowledged write lost',
        `${partition}@${offset} acknowledged as ${before} and as ${key}`,
      );
    acks.set(offset, key);
    const stored = this.committed.get(partition)?.get(offset);
    if (stored !== undefined && stored !== key)
      throw new BrokerViolation(
        'acknowledged write lost',
        `${partition}@${offset} acknowledged as ${key}, committed as ${stored}`,
      );
  }

  /** Reads what `node` has committed of `topic`/`partition` since the last check of this incarnation (or all of it). */
  async checkReplica(
    node: NodeId,
    incarnation: number,
    api: NodeApi,
    topic: string,
    partition: number,
    /** Reads the whole retained log again, not only what is new (finds holes made later). */
    fromStart = false,
  ): Promise<void> {
    const name = `${topic}/${partition}`;
    const where = `${node}#${incarnation}/${name}`;
    let offset = fromStart ? 0 : (this.cursors.get(where) ?? 0);
    // Below the log start a fetch is out of range: retention moved past what was read last time.
    const logStart = localLogStart(api, topic, partition);
    if (logStart === undefined) {
      // No replica here (not yet, or removed): one added later starts over, from its own watermark.
      this.empty.add(where);
      this.cursors.delete(where);
      this.watermarks.delete(where);
      return;
    }
    this.empty.delete(where);
    offset = Math.max(offset, logStart);
    for (;;) {
      const out = await new Promise<Awaited<ReturnType<NodeApi['fetch']>>>((ok) =>
        ok(
          api.fetch({
            topic,
            partition,
            offset,
            bytesMax: fetchBytesMax,
            isolation: 'read-uncommitted',
            replicaRead: true,
          }),
        ),
      ).catch((error: unknown) => {
        // Damage a replica finds in its own committed log is data lost, never "try later".
        if (error instanceof RaftlogError && error.code === 'CORRUPTION')
          throw new BrokerViolation('committed log readable', `${where} from ${offset}: ${error.message}`);
        if (error instanceof RaftlogError) return undefined; // not hosted here (yet), or out of range
        throw error;
      });
      if (out === undefined) return;
      this.checks++;
      this.noteWatermark(where, out.highWatermark);
      if (out.logStartOffset > out.highWatermark)
        throw new BrokerViolation(
          'log start within the committed log',
          `${where}: log start ${out.logStartOffset} above high watermark ${out.highWatermark}`,
        );
      if (offset < out.logStartOffset) offset = out.logStartOffset;
      for (const batch of splitRecordBatches(out.records)) {
        if (batch.baseOffset >= out.highWatermark) break;
        if (batch.baseOffset !== offset)
          throw new BrokerViolation(
            'committed log dense',
            `${where}: asked from ${offset} (log start ${out.logStartOffset}), got a batch at ${batch.baseOffset}`,
          );
        const id = { producerId: batch.producerId, sequence: batch.baseSequence, crc: batch.crc };
        // A sequence restarts at each epoch of a producer, and markers carry none (a coordinator may
        // write one twice): the idempotence key is (producer, epoch, sequence) of data batches.
        const writer = batch.isControl
          ? undefined
          : `${batch.producerId}:${batch.producerEpoch}:${batch.baseSequence}`;
        this.noteCommitted(name, batch.baseOffset, id, node, writer);
        offset = batch.nextOffset;
      }
      this.cursors.set(where, offset);
      if (out.nextOffset <= offset || offset >= out.highWatermark || out.records.length === 0) return;
      offset = Math.max(offset, out.nextOffset);
    }
  }

  /** The last check of this node incarnation found no replica of the partition there. */
  seenEmpty(node: NodeId, incarnation: number, partition: string): boolean {
    return this.empty.has(`${node}#${incarnation}/${partition}`);
  }

  /** Every acknowledged offset below `highWatermark` of the partition's leader at the end. */
  checkAllAcknowledgedBelow(partition: string, highWatermark: number): void {
    for (const offset of this.acked.get(partition)?.keys() ?? [])
      if (offset >= highWatermark)
        throw new BrokerViolation(
          'acknowledged write lost',
          `${partition}@${offset} was acknowledged but the healed leader's high watermark is ${highWatermark}`,
        );
  }

  ackedCount(): number {
    let n = 0;
    for (const m of this.acked.values()) n += m.size;
    return n;
  }

  private noteWatermark(where: string, highWatermark: number): void {
    const before = this.watermarks.get(where) ?? 0;
    if (highWatermark < before)
      throw new BrokerViolation(
        'high watermark monotonic',
        `${where} went from ${before} to ${highWatermark}`,
      );
    this.watermarks.set(where, highWatermark);
  }

  private noteCommitted(
    partition: string,
    offset: number,
    id: BatchIdentity,
    node: NodeId,
    writer: string | undefined,
  ): void {
    const key = identityKey(id);
    const offsets = mapOf(this.committed, partition);
    const before = offsets.get(offset);
    if (before !== undefined && before !== key)
      throw new BrokerViolation(
        'one value per offset',
        `${partition}@${offset} is ${before}, and ${key} on node ${node}`,
      );
    offsets.set(offset, key);
    const ack = this.acked.get(partition)?.get(offset);
    if (ack !== undefined && ack !== key)
      throw new BrokerViolation(
        'acknowledged write lost',
        `${partition}@${offset} acknowledged as ${ack}, node ${node} has ${key}`,
      );
    if (id.producerId < 0 || writer === undefined) return;
    const placed = mapOf(this.placed, partition);
    const who = writer;
    const at = placed.get(who);
    if (at !== undefined && at !== offset)
      throw new BrokerViolation(
        'idempotent retry never duplicated',
        `${partition}: batch ${who} at ${at} and at ${offset}`,
      );
    placed.set(who, offset);
  }
}

function localLogStart(api: NodeApi, topic: string, partition: number): number | undefined {
  try {
    const view = api.describeTopic(topic).partitionViews.find((v) => v.partition === partition);
    return view === undefined || view.highWatermark < 0 ? undefined : view.logStartOffset;
  } catch {
    return undefined;
  }
}

function mapOf<K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let m = outer.get(key);
  if (m === undefined) outer.set(key, (m = new Map<K, V>()));
  return m;
}
