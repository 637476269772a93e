// RocksDB write throughput through the KvStore port: 1 KiB values, write batches of 1, 16 and 256
// entries, with and without sync (fsync per write). Prints JSON; medians of 3 runs per case.
// Usage: node --import tsx test/bench/rocksdb-write.ts [--seconds 3] [--runs 3]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KvWriteBatch, RocksKvStore } from '../../storage/index.js';

const valueBytes = 1024;
const batchSizes = [1, 16, 256];

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? undefined : Number(process.argv[i + 1]);
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
}

const secondsPerRun = flag('seconds', 3);
const runs = flag('runs', 3);

function key(n: number): Uint8Array {
  const k = new Uint8Array(9);
  const view = new DataView(k.buffer);
  k[0] = 0x7f;
  view.setUint32(1, Math.floor(n / 2 ** 32));
  view.setUint32(5, n >>> 0);
  return k;
}

interface Run {
  entriesPerSecond: number;
  mibPerSecond: number;
  writes: number;
}

async function runOnce(entriesPerWrite: number, sync: boolean): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'raftlog-bench-'));
  const kv = await RocksKvStore.open(join(dir, 'db'));
  const value = new Uint8Array(valueBytes).fill(0x5a);
  let n = 0;
  let writes = 0;
  try {
    const start = performance.now();
    const deadline = start + secondsPerRun * 1000;
    while (performance.now() < deadline) {
      const batch = new KvWriteBatch();
      for (let i = 0; i < entriesPerWrite; i++) batch.put(key(n++), value);
      await kv.write(batch, { sync });
      writes++;
    }
    const seconds = (performance.now() - start) / 1000;
    return { entriesPerSecond: n / seconds, mibPerSecond: (n * valueBytes) / seconds / 2 ** 20, writes };
  } finally {
    await kv.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

const results = [];
for (const sync of [true, false]) {
  for (const entriesPerWrite of batchSizes) {
    const samples: Run[] = [];
    for (let r = 0; r < runs; r++) samples.push(await runOnce(entriesPerWrite, sync));
    const eps = samples.map((s) => s.entriesPerSecond);
    results.push({
      sync,
      entriesPerWrite,
      entriesPerSecond: round(median(eps)),
      entriesPerSecondMinMax: [round(Math.min(...eps)), round(Math.max(...eps))],
      mibPerSecond: round(median(samples.map((s) => s.mibPerSecond)), 1),
      writesPerSecond: round(median(eps) / entriesPerWrite),
    });
  }
}

process.stdout.write(
  `${JSON.stringify({ bench: 'rocksdb-write', valueBytes, secondsPerRun, runs, node: process.version, results }, null, 2)}\n`,
);
