// A consumer group member as its own process, for tests that stop members cleanly (SIGTERM) or not
// (SIGKILL). Usage: node --import tsx test/integration/group-worker.ts BOOTSTRAP GROUP TOPIC NAME DELAY_MS
// Prints one JSON line per event: assigned/revoked/lost partitions, and each record once processed.
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer, RaftlogClient, type TopicPartitionRef } from '../../src/client/index.js';

const [bootstrap = '', groupId = '', topic = '', name = '', delayArg = '0'] = process.argv.slice(2);
const delayMs = Number(delayArg);
const out = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ m: name, t: Date.now(), ...event })}\n`);
};
const partitions = (ps: readonly TopicPartitionRef[]): number[] => ps.map((p) => p.partition);

const client = new RaftlogClient({ bootstrap });
const consumer = new Consumer(client, {
  groupId,
  topics: [topic],
  clientId: name,
  sessionTimeoutMs: 3_000,
  autoCommit: true,
  autoCommitIntervalMs: 200,
  onPartitionsAssigned: (ps) => out({ e: 'assigned', p: partitions(ps) }),
  onPartitionsRevoked: (ps) => out({ e: 'revoked', p: partitions(ps) }),
  onPartitionsLost: (ps) => out({ e: 'lost', p: partitions(ps) }),
});

let stopping = false;
let stop!: (value: 'stop') => void;
const stopped = new Promise<'stop'>((resolve) => (stop = resolve));
process.on('SIGTERM', () => {
  stopping = true;
  stop('stop');
});

out({ e: 'start' });
const records = consumer[Symbol.asyncIterator]();
for (;;) {
  // Asking for the next record marks the previous one processed; SIGTERM while waiting stops here.
  const next = await Promise.race([records.next(), stopped]);
  if (next === 'stop' || next.done === true) break;
  const r = next.value;
  if (delayMs > 0) await sleep(delayMs);
  out({ e: 'rec', v: new TextDecoder().decode(r.value ?? undefined), p: r.partition, o: r.offset });
  if (stopping) {
    consumer.markProcessed(r);
    break;
  }
}
await consumer.close({ commit: true });
out({ e: 'closed' });
client.close();
process.exit(0);
