import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RaftlogError } from '../../lib/index.js';
import { LocalCluster, clusterLayout, readClusterFile } from '../local/index.js';
import type { CliAdmin } from './cli-context.js';
import { LeaderCensus } from './bench-scale-leaders.js';
import { cpuSeconds, loadAverage1m, rssBytes } from './bench-scale-proc.js';

export interface ScaleBenchOptions {
  readonly partitions: number;
  /** The partitions are spread evenly over this many topics. */
  readonly topics: number;
  readonly nodes: number;
  readonly basePort: number;
  /** Kept after the run; a fresh temporary directory (removed afterwards) when absent. */
  readonly dataDir?: string;
  /** Quiet time between the last partition led and the idle window, for groups to quiesce. */
  readonly settleMs: number;
  readonly idleWindowMs: number;
  /** Give up waiting for every partition to be led after this long. */
  readonly leadTimeoutMs: number;
  readonly logLevel: string;
}

export interface NodeIdleSample {
  readonly node: number;
  /** Of one core, over the idle window. */
  readonly cpuPercent: number;
  readonly rssMiB: number;
}

export interface ScaleBenchResult {
  readonly partitions: number;
  readonly topics: number;
  readonly nodes: number;
  readonly createMs: number;
  /** From the first create call until every partition's leader says it leads; undefined: timed out. */
  readonly allLedAfterCreateMs: number | undefined;
  /** Partitions led when the wait after the create ended. */
  readonly createLed: number;
  readonly idle: readonly NodeIdleSample[];
  /** Sum over the nodes, of one core. */
  readonly idleCpuPercent: number;
  readonly idleLoadAverage: number | undefined;
  /** From the restart of every SIGKILLed node until every partition is led again; undefined: timed out. */
  readonly restartAllLedMs: number | undefined;
  /** Partitions led when the wait after the restart ended. */
  readonly restartLed: number;
  readonly restartLoadAverage: number | undefined;
}

export type ScaleLog = (line: string) => void;

const pollMs = 500;

/** Starts its own cluster, measures it, and stops every process it started, however it ends. */
export async function runScaleBench(
  o: ScaleBenchOptions,
  connect: (bootstrap: string) => Promise<{ admin: Pick<CliAdmin, 'createTopic'>; close(): void }>,
  log: ScaleLog,
): Promise<ScaleBenchResult> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'raftlog-scale-'));
  const layout = clusterLayout(o.nodes, '127.0.0.1', o.basePort);
  const census = new LeaderCensus(layout);
  let cluster = startCluster(o, dataDir);
  try {
    await cluster.waitReady();
    log(`cluster of ${o.nodes} nodes ready under ${dataDir}`);
    const topics = topicNames(o.topics);
    const session = await connect(layout.map((n) => n.address).join(','));
    const created = await createPartitions(session.admin, topics, o, log).finally(() => session.close());
    const led = await waitAllLed(census, new Set(topics), o, log);
    const allLedAfterCreateMs = led.elapsedMs + created.startedBeforeMs;
    log(
      led.done
        ? `all ${o.partitions} partitions led ${ms(allLedAfterCreateMs)} after the first create`
        : `only ${led.led}/${o.partitions} partitions led ${ms(allLedAfterCreateMs)} after the first create`,
    );
    await sleep(o.settleMs);
    const idle = await measureIdle(dataDir, o.idleWindowMs);
    log(`idle: ${describeIdle(idle.samples)} (load average ${idle.loadAverage ?? '?'})`);
    cluster.killNow();
    await cluster.stop(0);
    log('every node SIGKILLed; restarting');
    const restartedAt = performance.now();
    cluster = startCluster(o, dataDir);
    await cluster.waitReady();
    const restart = await waitAllLed(census, new Set(topics), o, log, restartedAt);
    return {
      partitions: o.partitions,
      topics: o.topics,
      nodes: o.nodes,
      createMs: Math.round(created.createMs),
      allLedAfterCreateMs: led.done ? Math.round(allLedAfterCreateMs) : undefined,
      createLed: led.led,
      idle: idle.samples,
      idleCpuPercent: round1(idle.samples.reduce((sum, s) => sum + s.cpuPercent, 0)),
      idleLoadAverage: idle.loadAverage,
      restartAllLedMs: restart.done ? Math.round(restart.elapsedMs) : undefined,
      restartLed: restart.led,
      restartLoadAverage: loadAverage1m(),
    };
  } finally {
    census.close();
    await cluster.stop();
    if (o.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

function startCluster(o: ScaleBenchOptions, dataDir: string): LocalCluster {
  return new LocalCluster({
    nodes: o.nodes,
    basePort: o.basePort,
    dataDir,
    host: '127.0.0.1',
    logLevel: o.logLevel,
  });
}

function topicNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `scale-${i}`);
}

/** Partition counts per topic: as even as can be, the first topics taking the remainder. */
export function partitionsPerTopic(partitions: number, topics: number): number[] {
  const base = Math.floor(partitions / topics);
  return Array.from({ length: topics }, (_, i) => base + (i < partitions % topics ? 1 : 0));
}

/** Creates the topics one call at a time, retrying what a cluster that just formed may refuse. */
async function createPartitions(
  admin: Pick<CliAdmin, 'createTopic'>,
  topics: readonly string[],
  o: ScaleBenchOptions,
  log: ScaleLog,
): Promise<{ createMs: number; startedBeforeMs: number }> {
  const counts = partitionsPerTopic(o.partitions, topics.length);
  const startedAt = performance.now();
  for (const [i, name] of topics.entries()) {
    const replicas = Math.min(3, o.nodes);
    await createWithRetry(() => admin.createTopic({ name, partitions: counts[i] ?? 0, replicas }));
  }
  const createMs = performance.now() - startedAt;
  log(`created ${o.partitions} partitions in ${topics.length} topic(s) in ${ms(createMs)}`);
  return { createMs, startedBeforeMs: createMs };
}

async function createWithRetry(create: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await create();
      return;
    } catch (error) {
      // A retry of a create whose answer was lost finds the topic made.
      if (error instanceof RaftlogError && error.code === 'TOPIC_ALREADY_EXISTS') return;
      if (attempt >= 60) throw error;
      await sleep(pollMs);
    }
  }
}

interface LedWait {
  readonly done: boolean;
  readonly led: number;
  readonly elapsedMs: number;
}

/** Polls the cheap count; once it says every partition is led, one exact census confirms it. */
async function waitAllLed(
  census: LeaderCensus,
  topics: ReadonlySet<string>,
  o: ScaleBenchOptions,
  log: ScaleLog,
  startedAt = performance.now(),
): Promise<LedWait> {
  let reported = -1;
  for (;;) {
    let led = await census.ledCount();
    if (led >= o.partitions) led = await census.ledExactly(topics);
    const elapsedMs = performance.now() - startedAt;
    if (led >= o.partitions) return { done: true, led, elapsedMs };
    if (elapsedMs > o.leadTimeoutMs) return { done: false, led, elapsedMs };
    if (led !== reported) log(`  ${led}/${o.partitions} led after ${ms(elapsedMs)}`);
    reported = led;
    await sleep(pollMs);
  }
}

async function measureIdle(
  dataDir: string,
  windowMs: number,
): Promise<{ samples: NodeIdleSample[]; loadAverage: number | undefined }> {
  const nodes = (readClusterFile(dataDir)?.nodes ?? []).flatMap((n) =>
    n.pid === undefined ? [] : [{ id: n.id, pid: n.pid }],
  );
  const before = nodes.map((n) => cpuSeconds(n.pid) ?? 0);
  const startedAt = performance.now();
  await sleep(windowMs);
  const seconds = (performance.now() - startedAt) / 1000;
  const samples = nodes.map((n, i) => ({
    node: n.id,
    cpuPercent: round1((((cpuSeconds(n.pid) ?? 0) - (before[i] ?? 0)) / seconds) * 100),
    rssMiB: Math.round((rssBytes(n.pid) ?? 0) / 2 ** 20),
  }));
  return { samples, loadAverage: loadAverage1m() };
}

function describeIdle(samples: readonly NodeIdleSample[]): string {
  return samples.map((s) => `node ${s.node} ${s.cpuPercent}% ${s.rssMiB} MiB`).join(', ');
}

/** The row of the scale table (issue #17) with its header. */
export function describeScaleBench(r: ScaleBenchResult): string {
  const rss = r.idle.map((s) => s.rssMiB);
  const create =
    r.allLedAfterCreateMs === undefined
      ? `not all led (${r.createLed}/${r.partitions})`
      : ms(r.allLedAfterCreateMs);
  const restart =
    r.restartAllLedMs === undefined ? `not all led (${r.restartLed}/${r.partitions})` : ms(r.restartAllLedMs);
  return [
    '| partitions | all led after create | RSS per node | idle CPU (all nodes) | full SIGKILL restart → all led |',
    '|---|---|---|---|---|',
    `| ${r.partitions.toLocaleString('en-US')} (${r.topics} topic${r.topics === 1 ? '' : 's'}) ` +
      `| ${create} | ${Math.min(...rss)}–${Math.max(...rss)} MiB ` +
      `| ${r.idleCpuPercent}% (${r.idle.map((s) => `${s.cpuPercent}`).join(' + ')}) | ${restart} |`,
    `load average: ${r.idleLoadAverage ?? '?'} during the idle window, ${r.restartLoadAverage ?? '?'} after the restart; ` +
      `create calls ${ms(r.createMs)}`,
  ].join('\n');
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
