// A queue consumer as its own process, for tests that SIGKILL one while it holds leases.
// Usage: node --import tsx test/integration/queue-worker.ts BOOTSTRAP TOPIC QUEUE NAME MODE
// MODE `ack` acks every message; `hold` takes one lease round and never settles it (its leases are
// extended while it lives), as a worker stuck on its messages.
// Prints one JSON line per event: a message received (`got`), an ack answered ok or failed.
import { QueueConsumer, RaftlogClient } from '../../src/client/index.js';

const [bootstrap = '', topic = '', queue = '', name = '', mode = 'ack'] = process.argv.slice(2);
const out = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ m: name, t: Date.now(), ...event })}\n`);
};

const client = new RaftlogClient({ bootstrap });
const consumer = new QueueConsumer(client, {
  topic,
  queue,
  consumerId: name,
  maxMessages: 20,
  visibilityTimeoutMs: 3_000,
  waitMs: 500,
});
process.on('SIGTERM', () => {
  void consumer.close().then(() => process.exit(0));
});
out({ e: 'start' });
if (mode === 'hold') {
  for (const m of await consumer.receive()) {
    out({
      e: 'got',
      v: new TextDecoder().decode(m.value ?? undefined),
      p: m.partition,
      o: m.offset,
      d: m.deliveryCount,
    });
  }
  await new Promise(() => undefined);
}
for await (const m of consumer) {
  const v = new TextDecoder().decode(m.value ?? undefined);
  out({ e: 'got', v, p: m.partition, o: m.offset, d: m.deliveryCount });
  try {
    await m.ack();
    out({ e: 'acked', v });
  } catch (error) {
    out({ e: 'ack-failed', v, error: (error as Error).message });
  }
}
