// Child process for the crash test: alternates unsynced and synced writes forever, reporting each
// synced write on stdout once it is durable, until the parent SIGKILLs it.
import { KvWriteBatch, RocksKvStore } from '../index.js';

const location = process.argv[2];
if (location === undefined) throw new Error('usage: crash-writer <db path>');
const kv = await RocksKvStore.open(location);
const enc = (s: string) => new TextEncoder().encode(s);
const value = new Uint8Array(512).fill(7);

for (let i = 0; ; i++) {
  await kv.write(new KvWriteBatch().put(enc(`u/${i}`), value), { sync: false });
  await kv.write(new KvWriteBatch().put(enc(`s/${i}`), value).put(enc(`t/${i}`), value), { sync: true });
  process.stdout.write(`synced ${i}\n`);
}
