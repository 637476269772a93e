// Node memory under a steady write load: starts a 3-node cluster as `npm start` does (`raftlog cluster
// up`, after `npm run build`), runs `raftlog bench produce` back to back (1 partition, 3 replicas, 1 KiB,
// acks=quorum) for --minutes, samples each node's RSS every --sample-seconds, and writes OUT.csv
// (t, node, rss_mib, and from each node's /metrics: V8 heap total and used, external memory, RocksDB's
// own memory, glibc's heap in use, free inside it and mapped block by block, all in MiB) and OUT.svg
// (RSS per node over time, each run's throughput listed under it).
// Usage: node --import tsx test/bench/node-rss.ts [--minutes 10] [--sample-seconds 5] [--count 100000]
//        [--base-port 29391] [--out test/bench/results/node-rss] [--topic-config retention.bytes=536870912]
//        [--node-flags "--heap-growing-percent=100"]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseExposition, sumOf } from '../../src/cli/bench/index.js';
import { httpPortOffset, readClusterFile } from '../../src/local/index.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? undefined : Number(process.argv[i + 1]);
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
}
function text(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}

const minutes = flag('minutes', 10);
const sampleSeconds = flag('sample-seconds', 5);
const count = flag('count', 100_000);
const basePort = flag('base-port', 29391);
const out = text('out', 'test/bench/results/node-rss');
const topicConfig = text('topic-config', '');
/** Node.js flags for the launcher, which passes them on to every node (e.g. --heap-growing-percent=100). */
const nodeFlags = text('node-flags', '')
  .split(' ')
  .filter((f) => f !== '');
const cli = join(import.meta.dirname, '../../bin/raftlog.js');
const bootstrap = `127.0.0.1:${basePort}`;

interface Sample {
  readonly t: number;
  readonly node: number;
  readonly rssMib: number;
  /** V8 heap total and used, external (Buffers and ArrayBuffers), RocksDB (memtables, readers, cache). */
  readonly parts: readonly number[];
}

const partNames = [
  'heap_total_mib',
  'heap_used_mib',
  'external_mib',
  'rocksdb_mib',
  'malloc_in_use_mib',
  'malloc_free_mib',
  'malloc_mmapped_mib',
] as const;
/**
 * The metric (and labels) each part is read from; RocksDB's is summed over its uses. The malloc parts
 * are glibc's own account, which overlaps the others (Buffers and RocksDB's memory come from it too):
 * they tell memory in use from free space glibc keeps inside its heap.
 */
const partSeries: readonly (readonly [string, Record<string, string>])[] = [
  ['nodejs_heap_size_total_bytes', {}],
  ['nodejs_heap_size_used_bytes', {}],
  ['nodejs_external_memory_bytes', {}],
  ['raftlog_storage_engine_memory_bytes', {}],
  ['raftlog_process_native_heap_bytes', { state: 'in_use' }],
  ['raftlog_process_native_heap_bytes', { state: 'free' }],
  ['raftlog_process_native_heap_bytes', { state: 'mmapped' }],
];

/** Each part in one scrape of a node's metrics, in MiB (NaN when the scrape failed). */
async function memoryParts(metricsAddress: string): Promise<number[]> {
  const text = await fetch(`http://${metricsAddress}/metrics`)
    .then((r) => r.text())
    .catch(() => undefined);
  if (text === undefined) return partSeries.map(() => Number.NaN);
  const samples = parseExposition(text);
  return partSeries.map(
    ([name, labels]) => Math.round((sumOf(samples, name, labels) / 1024 / 1024) * 10) / 10,
  );
}

function rssMib(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Math.round(Number(match[1]) / 1024);
  } catch {
    return undefined;
  }
}

async function run(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, RAFTLOG_BOOTSTRAP: bootstrap },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`raftlog ${args.join(' ')} exited ${code}: ${output}`);
  return output;
}

async function startCluster(dataDir: string): Promise<ChildProcess> {
  const up = spawn(process.execPath, [
    ...nodeFlags,
    cli,
    'cluster',
    'up',
    '--data',
    dataDir,
    '--base-port',
    String(basePort),
  ]);
  // Both pipes stay read for the whole run (leaving a for-await loop over one would close it), so
  // nothing the launcher writes later meets a closed pipe.
  let output = '';
  let ready = false;
  await new Promise<void>((resolve, reject) => {
    const keep = (d: Buffer): void => {
      if (ready) return;
      output += d.toString();
      ready = output.includes('cluster ready');
      if (ready) resolve();
    };
    up.stderr.on('data', keep);
    up.stdout.on('data', keep);
    up.once('exit', () => reject(new Error(`cluster did not start: ${output}`)));
  });
  return up;
}

/** The launcher exits once it has signalled its nodes; their data directories go only after them. */
async function nodesGone(pids: readonly number[]): Promise<void> {
  for (let i = 0; i < 150 && pids.some((pid) => existsSync(`/proc/${pid}`)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function renderSvg(samples: readonly Sample[], runs: readonly string[]): string {
  const w = 760;
  const h = 300;
  const left = 56;
  const right = 110;
  const top = 28;
  const bottom = 40;
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const yMax = Math.ceil(Math.max(100, ...samples.map((s) => s.rssMib)) / 50) * 50;
  const x = (t: number): string => (left + ((w - left - right) * t) / tMax).toFixed(1);
  const y = (v: number): string => (h - bottom - ((h - top - bottom) * v) / yMax).toFixed(1);
  const colors = ['#1f77b4', '#2ca02c', '#d62728'];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h + 16 * Math.ceil(runs.length / 6)}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="18" font-size="13">Node RSS (MiB) over ${minutes} minutes of back-to-back bench produce (1 KiB, acks=quorum, 3 replicas${topicConfig === '' ? '' : `, ${topicConfig}`})</text>`,
  ];
  for (let v = 0; v <= yMax; v += 50) {
    parts.push(
      `<line x1="${left}" x2="${w - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${left - 6}" y="${Number(y(v)) + 4}" text-anchor="end">${v}</text>`,
    );
  }
  for (let t = 0; t <= tMax; t += 60) {
    parts.push(`<text x="${x(t)}" y="${h - bottom + 14}" text-anchor="middle">${t / 60} min</text>`);
  }
  for (const node of [1, 2, 3]) {
    const points = samples.filter((s) => s.node === node).map((s) => `${x(s.t)},${y(s.rssMib)}`);
    const color = colors[node - 1] ?? '#000';
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points.join(' ')}"/>`);
    parts.push(`<text x="${w - right + 8}" y="${top + 14 * node}" fill="${color}">node ${node}</text>`);
  }
  for (let i = 0; i < runs.length; i += 6) {
    const line = runs.slice(i, i + 6).join(', ');
    parts.push(
      `<text x="${left}" y="${h + 16 * (i / 6)}">${i === 0 ? 'records/s per run: ' : ''}${line}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

const dataDir = mkdtempSync(join(tmpdir(), 'raftlog-node-rss-'));
const up = await startCluster(dataDir);
const samples: Sample[] = [];
const runs: string[] = [];
const started = Date.now();
const pids = (readClusterFile(dataDir)?.nodes ?? []).flatMap((n) =>
  n.pid === undefined ? [] : [[n.id, n.pid] as const],
);
const sample = async (): Promise<void> => {
  const t = Math.round((Date.now() - started) / 1000);
  for (const [node, pid] of pids) {
    const rss = rssMib(pid);
    const parts = await memoryParts(`127.0.0.1:${basePort + httpPortOffset + node - 1}`);
    if (rss !== undefined) samples.push({ t, node, rssMib: rss, parts });
  }
};
const sampler = setInterval(() => void sample(), sampleSeconds * 1000);
try {
  await sample();
  const config = topicConfig === '' ? [] : ['--config', topicConfig];
  await run(['topic', 'create', 'rss', '--partitions', '1', '--replicas', '3', ...config]);
  while (Date.now() - started < minutes * 60_000) {
    const output = await run(['bench', 'produce', '--topic', 'rss', '--count', String(count)]);
    const rate = /(\d+) records\/s/.exec(output)?.[1] ?? '?';
    runs.push(rate);
    process.stdout.write(`run ${runs.length}: ${rate} records/s\n`);
  }
  await sample();
} finally {
  clearInterval(sampler);
  // A launcher that already exited emits no 'exit' again: awaiting it would leave the top-level await
  // unsettled, and the script would end there without its report (Node exits with code 13).
  const gone = up.exitCode !== null || up.signalCode !== null ? Promise.resolve() : once(up, 'exit');
  up.kill('SIGINT');
  await gone;
  await nodesGone(pids.map(([, pid]) => pid));
  rmSync(dataDir, { recursive: true, force: true });
}
writeFileSync(
  `${out}.csv`,
  `t,node,rss_mib,${partNames.join(',')}\n${samples.map((s) => [s.t, s.node, s.rssMib, ...s.parts].join(',')).join('\n')}\n`,
);
writeFileSync(`${out}.svg`, renderSvg(samples, runs));
const last = samples.slice(-3).map((s) => s.rssMib);
const max = Math.max(...samples.map((s) => s.rssMib));
// What grew over the second half of the run, per node: RSS and each part, last sample minus the one at half time.
const half = Math.max(...samples.map((s) => s.t)) / 2;
const secondHalfGrowthMib = pids.map(([node]) => {
  const own = samples.filter((s) => s.node === node);
  const mid = own.find((s) => s.t >= half);
  const end = own[own.length - 1];
  if (mid === undefined || end === undefined) return { node };
  const parts = Object.fromEntries(
    partNames.map((name, i) => [name, Math.round(((end.parts[i] ?? 0) - (mid.parts[i] ?? 0)) * 10) / 10]),
  );
  return { node, rss_mib: end.rssMib - mid.rssMib, ...parts };
});
process.stdout.write(
  `${JSON.stringify({ runs: runs.length, rssMibMax: max, rssMibLast: last, secondHalfGrowthMib, out })}\n`,
);
