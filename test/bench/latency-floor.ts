// The floor under one-at-a-time produce latency on this machine, in this stack: three processes and a
// client doing only what an acknowledged record must (the client sends it over a gRPC stream; the
// leader writes it to RocksDB with sync while it goes to two followers over gRPC streams; each
// follower writes it with sync and answers; the leader answers the client once its own write and one
// follower's answer are in), with no Raft, no broker code, no validation. What
// `raftlog bench produce --one-at-a-time` measures above this is what the node adds; this is what
// Node.js, grpc-js and a synced RocksDB write cost on their own, three processes sharing the CPUs.
// Prints a table: the client's latency per run, and each process's write latency over all runs.
// Usage: node --import tsx test/bench/latency-floor.ts [--count 5000] [--record-bytes 1024] [--runs 3]
//          [--no-sync] [--json]
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { formatTable, latencyColumns } from '../../src/cli/bench/index.js';
import { LatencyRecorder, type LatencySummary } from '../../src/cli/bench-runner.js';
import { KvWriteBatch, RocksKvStore } from '../../storage/index.js';

const identity = (b: Buffer): Buffer => b;
const service = {
  exchange: {
    path: '/floor.Floor/Exchange',
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} as unknown as grpc.ServiceDefinition;
const FloorClient = grpc.makeGenericClientConstructor(service, 'Floor');
type Duplex = grpc.ClientDuplexStream<Buffer, Buffer>;
type ServerDuplex = grpc.ServerDuplexStream<Buffer, Buffer>;

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'client' },
    followers: { type: 'string', default: '' },
    dir: { type: 'string', default: '' },
    count: { type: 'string', default: '5000' },
    'record-bytes': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '3' },
    'no-sync': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const sync = !args['no-sync'];
/** An answer later than this means the quorum is gone (a follower stopped, a disk hung): the run fails. */
const answerMsMax = 10_000;

function openStream(port: string): Duplex {
  const client = new FloorClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const stream = (client as unknown as { exchange(): Duplex }).exchange();
  stream.on('error', () => undefined);
  return stream;
}

/**
 * Serves `onMessage` on a stream service and prints `ready PORT` once listening; on SIGTERM prints
 * `writes SUMMARY` (its synced writes' latency) and exits.
 */
function serve(writes: LatencyRecorder, onMessage: (call: ServerDuplex, message: Buffer) => void): void {
  const server = new grpc.Server();
  server.addService(service, {
    exchange: (call: ServerDuplex) => {
      call.on('data', (m: Buffer) => onMessage(call, m));
      call.on('error', () => undefined);
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    process.stdout.write(`ready ${port}\n`);
  });
  process.once('SIGTERM', () => {
    process.stdout.write(`writes ${JSON.stringify(writes.summary())}\n`, () => process.exit(0));
  });
}

async function openKv(): Promise<RocksKvStore> {
  await mkdir(args.dir, { recursive: true });
  return RocksKvStore.open(join(args.dir, 'db'));
}

function key(index: number): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = 0x7f;
  new DataView(k.buffer).setBigUint64(1, BigInt(index));
  return k;
}

function persister(kv: RocksKvStore, writes: LatencyRecorder) {
  return async (index: number, data: Uint8Array): Promise<void> => {
    const batch = new KvWriteBatch();
    batch.put(key(index), data);
    const t0 = performance.now();
    await kv.write(batch, { sync });
    writes.recordMs(performance.now() - t0);
  };
}

/** A follower: writes each record (8-byte index, then the data) and answers with its index. */
async function follower(): Promise<void> {
  const writes = new LatencyRecorder();
  const persist = persister(await openKv(), writes);
  serve(writes, (call, m) => {
    const index = Number(m.readBigUInt64BE(0));
    void persist(index, m.subarray(8)).then(() => call.write(m.subarray(0, 8)));
  });
}

/** The leader: its own write and the followers' at once; the client hears back after two of three. */
async function leader(): Promise<void> {
  const writes = new LatencyRecorder();
  const persist = persister(await openKv(), writes);
  const followers = args.followers.split(',').map(openStream);
  const waiting = new Map<number, { votes: number; call: ServerDuplex; sequence: Buffer }>();
  let next = 0;
  const vote = (index: number): void => {
    const w = waiting.get(index);
    if (w === undefined || ++w.votes < 2) return;
    waiting.delete(index);
    w.call.write(w.sequence);
  };
  for (const f of followers) f.on('data', (m: Buffer) => vote(Number(m.readBigUInt64BE(0))));
  serve(writes, (call, m) => {
    const index = ++next;
    // The client's sequence is kept aside and the leader's index written over it: the record itself
    // is forwarded as received, not copied.
    waiting.set(index, { votes: 0, call, sequence: Buffer.from(m.subarray(0, 8)) });
    m.writeBigUInt64BE(BigInt(index), 0);
    for (const f of followers) f.write(m);
    void persist(index, m.subarray(8)).then(() => vote(index));
  });
}

interface Child {
  /** What its lines are reported as: `follower 1`, `follower 2`, `leader`. */
  readonly name: string;
  readonly process: ChildProcess;
  readonly lines: Interface;
}

function nextLine(child: Child, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`${child.name} exited with ${code}`));
    const onLine = (line: string): void => {
      if (!line.startsWith(prefix)) return;
      child.lines.off('line', onLine);
      child.process.off('exit', onExit);
      resolve(line.slice(prefix.length));
    };
    child.lines.on('line', onLine);
    child.process.once('exit', onExit);
  });
}

/** Starts a role in a child process, listed in `children` at once so that it is stopped however this ends. */
async function start(
  role: 'follower' | 'leader',
  name: string,
  extra: string[],
  dir: string,
  children: Child[],
): Promise<string> {
  const argv = [...process.execArgv, process.argv[1]!, '--role', role, '--dir', dir, ...extra];
  const child = spawn(process.execPath, sync ? argv : [...argv, '--no-sync'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = { name, process: child, lines: createInterface({ input: child.stdout }) };
  children.push(started);
  return nextLine(started, 'ready ');
}

async function measure(port: string, count: number, recordBytes: number): Promise<LatencySummary> {
  const stream = openStream(port);
  const latency = new LatencyRecorder();
  const message = Buffer.alloc(8 + recordBytes, 0x5a);
  // A process that died ends the stream, a stopped one leaves the answer out: either fails the run
  // rather than waiting forever. One watchdog for the run, not a timer per record on the measured path.
  let answeredAt = performance.now();
  let watchdog: NodeJS.Timeout | undefined;
  const stuck = Promise.race([
    once(stream, 'status').then((): never => {
      throw new Error('the leader ended the stream');
    }),
    new Promise<never>((_, reject) => {
      watchdog = setInterval(() => {
        if (performance.now() - answeredAt > answerMsMax)
          reject(new Error(`no answer within ${answerMsMax} ms: a quorum of the three is not answering`));
      }, 1_000);
    }),
  ]);
  stuck.catch(() => undefined);
  try {
    for (let i = 0; i < count; i++) {
      message.writeBigUInt64BE(BigInt(i), 0);
      const t0 = performance.now();
      const answered = new Promise<void>((resolve) => stream.once('data', () => resolve()));
      stream.write(message);
      await Promise.race([answered, stuck]);
      answeredAt = performance.now();
      latency.recordMs(answeredAt - t0);
    }
  } finally {
    clearInterval(watchdog);
    stream.end();
  }
  return latency.summary();
}

async function client(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'raftlog-floor-'));
  const children: Child[] = [];
  try {
    const f1 = await start('follower', 'follower 1', [], join(root, 'f1'), children);
    const f2 = await start('follower', 'follower 2', [], join(root, 'f2'), children);
    const l = await start('leader', 'leader', ['--followers', `${f1},${f2}`], join(root, 'l'), children);
    const count = Number(args.count);
    const recordBytes = Number(args['record-bytes']);
    await measure(l, Math.min(500, count), recordBytes); // warm-up
    const runs: LatencySummary[] = [];
    for (let r = 0; r < Number(args.runs); r++) runs.push(await measure(l, count, recordBytes));
    const writes: Record<string, LatencySummary> = {};
    for (const c of children) {
      const reported = nextLine(c, 'writes ');
      c.process.kill('SIGTERM');
      writes[c.name] = JSON.parse(await reported) as LatencySummary;
    }
    if (args.json) process.stdout.write(`${JSON.stringify({ count, recordBytes, sync, runs, writes })}\n`);
    else {
      const rows = [
        ...runs.map((s, r) => ({ name: `run ${r + 1}: ${count} records, answer`, s })),
        ...Object.entries(writes).map(([who, s]) => ({ name: `${who}'s writes, all runs`, s })),
      ];
      const name = { header: `floor (sync ${sync})`, cell: (row: { name: string }) => row.name };
      process.stdout.write(
        `${formatTable([name, ...latencyColumns((row: { s: LatencySummary }) => row.s)], rows)}\n`,
      );
    }
  } finally {
    for (const c of children)
      if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  }
}

const roles: Record<string, () => Promise<void>> = { client, follower, leader };
await roles[args.role]!();
