import { crc32c, encodeRecordBatch, headerOffsets, type NodeId, type Prng } from '../../lib/index.js';
import { BrokerViolation } from './broker-violation.js';
import type { ClientCalls } from './client-calls.js';
import type { SimClient } from './sim-client.js';
import type { SimClusterStats } from './sim-cluster-stats.js';
import type { Trace } from './trace.js';

/** Chance per step of one hostile produce: a few per run. */
const hostileChance = 0.002;

/** What is wrong with a hostile batch: each is a batch no writer of this format produces. */
const kinds = [
  'far-timestamp',
  'negative-timestamp',
  'bad-crc',
  'record-count',
  'unknown-attribute',
  'truncated',
  'garbage',
] as const;
type HostileKind = (typeof kinds)[number];

/**
 * A client that sends hostile batches to partition leaders: timestamps of 2^60 (well formed, CRC
 * valid: the batch that once crashed every replica on apply), negative timestamps, a wrong CRC, a
 * record count that does not match the records, an unknown attribute bit, a cut-off batch, random
 * bytes. Every one must be refused (any error, or no answer from a node that is down); one
 * acknowledged fails the run, and a node that crashes on one fails it through `no crash loop`.
 */
export class SimHostile {
  constructor(
    private readonly prng: Prng,
    private readonly calls: ClientCalls,
    private readonly client: SimClient,
    private readonly stats: SimClusterStats,
    private readonly trace: Trace,
    private readonly fail: (error: unknown) => void,
  ) {}

  step(): void {
    const topics = [...this.client.knownTopics];
    if (topics.length === 0 || !this.prng.chance(hostileChance)) return;
    const [topic, partitions] = this.prng.pick(topics);
    const partition = this.prng.intBetween(0, partitions - 1);
    const kind = this.prng.pick(kinds);
    const batch = this.hostileBatch(kind);
    const leader = this.calls.partitionSeen(topic, partition)?.leaderId;
    const name = `${topic}/${partition}`;
    this.stats.hostileProduces++;
    void this.calls
      .call(
        (api) => api.produce({ topic, partition, batch, acks: 'quorum', timeoutMs: 2_000 }),
        leader === undefined || leader === 0 ? undefined : (leader as NodeId),
      )
      .then((outcome) => {
        const code = outcome.error?.code ?? 'no answer';
        this.trace.add(`hostile ${kind} ${name} ${outcome.ok ? 'ACKNOWLEDGED' : code}`);
        if (outcome.ok) {
          this.fail(new BrokerViolation('hostile batch refused', `${kind} batch acknowledged on ${name}`));
        }
      });
  }

  private hostileBatch(kind: HostileKind): Uint8Array {
    if (kind === 'garbage') {
      return Uint8Array.from({ length: this.prng.intBetween(1, 120) }, () => this.prng.intBetween(0, 255));
    }
    const bytes = encodeRecordBatch({
      records: [{ value: new TextEncoder().encode('hostile') }],
      timestamp: 1_700_000_000_000,
    });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    switch (kind) {
      case 'far-timestamp': {
        // 2^60 as once reported; 2^53 - 1 and 2^52 + 1 are exact in a double but past the format's range.
        const ts = this.prng.pick([1n << 60n, (1n << 53n) - 1n, (1n << 52n) + 1n]);
        view.setBigInt64(headerOffsets.baseTimestamp, ts);
        view.setBigInt64(headerOffsets.maxTimestamp, ts);
        return resealed(bytes);
      }
      case 'negative-timestamp':
        view.setBigInt64(headerOffsets.baseTimestamp, -5n);
        view.setBigInt64(headerOffsets.maxTimestamp, -5n);
        return resealed(bytes);
      case 'bad-crc':
        view.setUint32(headerOffsets.crc, (view.getUint32(headerOffsets.crc) ^ 0x5a5a) >>> 0);
        return bytes;
      case 'record-count':
        view.setInt32(headerOffsets.recordCount, 3);
        return resealed(bytes);
      case 'unknown-attribute':
        view.setInt16(headerOffsets.attributes, 0x4000);
        return resealed(bytes);
      case 'truncated':
        return bytes.subarray(0, bytes.length - this.prng.intBetween(1, 8));
    }
  }
}

/** The CRC recomputed over the edited bytes: the batch is intact on the wire, whatever it says. */
function resealed(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(headerOffsets.crc, crc32c(bytes, 0, headerOffsets.attributes, bytes.length));
  return bytes;
}
