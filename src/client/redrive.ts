import type { RecordHeader } from '../../lib/index.js';
import { Producer } from './producer.js';
import { QueueConsumer, type QueueConsumerClient } from './queue-consumer.js';
import type { QueueMessage } from './queue-message.js';
import type { ProducerClient } from './producer.js';

export interface RedriveOptions {
  readonly deadLetterTopic: string;
  /** The queue group that leases from the dead-letter topic (default "raftlog-redrive"). */
  readonly queue?: string;
  /** Send every message here instead of its origin topic. */
  readonly to?: string;
  /** Messages per Lease call (default 100). */
  readonly batchMessages?: number;
}

export interface RedriveResult {
  readonly moved: number;
  /** Without `to` and without a raftlog-dlq-origin-topic header: left leased, not moved. */
  readonly skipped: number;
}

const dlqHeaderPrefix = 'raftlog-dlq-';
const text = new TextDecoder();

/**
 * Moves dead-lettered messages back: each is produced to its origin topic (to its origin partition)
 * or `to`, with its key, value and original headers, and only then acked in the dead-letter topic,
 * so a crash in between sends it twice rather than never. Runs until a lease comes back empty.
 */
export async function redrive(
  client: QueueConsumerClient & ProducerClient,
  options: RedriveOptions,
): Promise<RedriveResult> {
  const consumer = new QueueConsumer(client, {
    topic: options.deadLetterTopic,
    queue: options.queue ?? 'raftlog-redrive',
    maxMessages: options.batchMessages ?? 100,
    waitMs: 0,
    visibilityTimeoutMs: 60_000,
  });
  const producer = new Producer(client, { lingerMs: 1 });
  let moved = 0;
  let skipped = 0;
  try {
    for (let batch = await consumer.receive(); batch.length > 0; batch = await consumer.receive()) {
      const results = await Promise.all(batch.map((m) => moveOne(client, producer, m, options.to)));
      moved += results.filter((r) => r).length;
      skipped += results.filter((r) => !r).length;
    }
  } finally {
    await consumer.close();
    await producer.close();
  }
  return { moved, skipped };
}

async function moveOne(
  client: ProducerClient,
  producer: Producer,
  m: QueueMessage,
  to: string | undefined,
): Promise<boolean> {
  const originTopic = header(m.headers, 'raftlog-dlq-origin-topic');
  const topic = to ?? originTopic;
  if (topic === undefined || topic === '') return false;
  const partition = topic === originTopic ? await originPartition(client, m.headers, topic) : undefined;
  await producer.send({
    topic,
    key: m.key,
    value: m.value,
    headers: m.headers.filter((h) => !h.key.startsWith(dlqHeaderPrefix)),
    ...(partition === undefined ? {} : { partition }),
  });
  await m.ack();
  return true;
}

/** The origin partition while the topic still has it; else the partitioner picks by key. */
async function originPartition(
  client: ProducerClient,
  headers: readonly RecordHeader[],
  topic: string,
): Promise<number | undefined> {
  const raw = header(headers, 'raftlog-dlq-origin-partition');
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return undefined;
  const partition = Number(raw);
  return partition < (await client.partitionCount(topic)) ? partition : undefined;
}

function header(headers: readonly RecordHeader[], key: string): string | undefined {
  const h = headers.find((x) => x.key === key);
  return h?.value === undefined || h.value === null ? undefined : text.decode(h.value);
}
