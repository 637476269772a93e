import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, RaftlogClient } from '../../src/client/index.js';
import { check } from '../checker/index.js';
import { ChaosCluster, ExternalCluster, type ClusterUnderTest } from '../cluster/index.js';
import { runnerProcess, type PhaseEvent } from '../history/index.js';
import { Nemesis, planFaults, type PlannedFault } from '../nemesis/index.js';
import { writeReport } from '../report/index.js';
import { LeaderMonitor, Recorder } from '../workload/index.js';
import { kindsOf, type ChaosOptions } from './chaos-options.js';
import type { Progress } from './progress.js';
import { QueueWorkloadSet } from './queue-workload-set.js';
import type { RunWorkload } from './run-workload.js';
import { verdictOf, type Verdict } from './verdict.js';
import { WorkloadSet } from './workload-set.js';

const logTopic = 'chaos';
const monitorIntervalMs = 250;
const leadersTimeoutMs = 60_000;
const recoveryMs = 3_000;
const drainTimeoutMs = 60_000;

export interface ChaosOutcome {
  readonly verdict: Verdict;
  readonly historyPath: string;
}

/**
 * One chaos run: a cluster behind proxies, a workload recording its history, the nemesis applying
 * the seed's fault schedule, then heal, recover, drain, check and report.
 */
export async function runChaos(options: ChaosOptions, progress: Progress): Promise<ChaosOutcome> {
  const kinds = kindsOf(options.scenario, options.external !== undefined);
  await mkdir(options.outDir, { recursive: true });
  const historyPath = join(options.outDir, 'history.jsonl');
  const recorder = await Recorder.open(historyPath);
  const cluster = await clusterFor(options).catch(async (error: unknown) => {
    await recorder.close();
    throw error;
  });
  const nodeCount = cluster.nodes.length;
  const direct = cluster.directAdmin();
  const client = cluster.workloadClient();
  try {
    const startedAt = new Date().toISOString();
    const workload = workloadFor(options, recorder, client);
    await createTopicOnceReady(direct.admin, workload.topic, options.partitions, leadersTimeoutMs);
    const monitor = new LeaderMonitor(
      recorder,
      direct.client,
      workload.keys.map((k) => k.name),
    );
    await waitAllLed(monitor, cluster, leadersTimeoutMs);
    const watching = watchLeaders(monitor, cluster);
    const nemesis = new Nemesis({
      cluster,
      recorder,
      admin: direct.admin,
      topic: workload.topic,
      partitions: options.partitions,
      leaders: () => monitor.current(),
      signal: watching.signal,
    });
    const ticker = progress.every(1_000, () =>
      progress.line(recorder.now(), options, nemesis.counts, workload, monitor),
    );
    try {
      phase(recorder, 'faults');
      workload.start();
      await runFaults(
        nemesis,
        planFaults(kinds, options.seed, options.durationS * 1_000, nodeCount),
        options.durationS * 1_000,
        recorder,
      );
      phase(recorder, 'heal');
      await healEverything(nemesis, cluster);
      await waitAllLed(monitor, cluster, leadersTimeoutMs).catch(() => undefined);
      await sleep(recoveryMs);
      await workload.stop();
      phase(recorder, 'drain');
      await workload.drain(drainTimeoutMs);
      phase(recorder, 'done');
    } finally {
      ticker.stop();
      watching.stop();
    }
    const result = check(recorder.history);
    const crashes = cluster.nodes.flatMap((n) => n.unexpectedExits);
    const report = await writeReport(options.outDir, {
      scenario: options.scenario,
      seed: options.seed,
      nodes: nodeCount,
      durationS: options.durationS,
      startedAt,
      history: recorder.history,
      result,
      ...(options.command === undefined ? {} : { command: options.command }),
    });
    return { verdict: verdictOf(result, options.seed, nemesis.counts, crashes, report), historyPath };
  } finally {
    client.close();
    direct.client.close();
    await cluster.stop();
    await recorder.close();
  }
}

async function runFaults(
  nemesis: Nemesis,
  plan: readonly PlannedFault[],
  durationMs: number,
  recorder: Recorder,
): Promise<void> {
  for (const fault of plan) {
    if (recorder.now() >= durationMs && !fault.mandatory) break;
    await nemesis.run(fault);
  }
}

/** The harness's own nodes behind proxies, or the external cluster named in the options. */
function clusterFor(options: ChaosOptions): Promise<ClusterUnderTest> {
  if (options.external !== undefined) {
    if (options.toxiproxyUrl === undefined) throw new Error('an external cluster needs a Toxiproxy URL');
    return ExternalCluster.connect({ ...options.external, toxiproxyUrl: options.toxiproxyUrl });
  }
  return ChaosCluster.start({
    nodes: options.nodes,
    dir: join(options.outDir, 'cluster'),
    ...(options.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: options.toxiproxyUrl }),
    ...(options.launcher === undefined ? {} : { launcher: options.launcher }),
  });
}

/** Every fault undone: links healed, latency removed, processes resumed, stopped nodes started. */
async function healEverything(nemesis: Nemesis, cluster: ClusterUnderTest): Promise<void> {
  await nemesis.healActive();
  await cluster.links.healAll();
  await cluster.links.unslowAll();
  const processes = cluster.processes?.nodes ?? [];
  for (const node of processes) node.resume();
  await Promise.all(processes.filter((n) => !n.running).map((n) => n.start()));
}

/**
 * The queue workload gets a topic of its own per run: a queue group sees every message of its topic,
 * so messages another run left in a reused topic would look unexpected.
 */
function workloadFor(options: ChaosOptions, recorder: Recorder, client: RaftlogClient): RunWorkload {
  const { partitions, sendersPerKey, seed } = options;
  if (options.workload !== 'queue')
    return new WorkloadSet(recorder, client, logTopic, partitions, sendersPerKey);
  const topic = `chaos-queue-${seed}-${Date.now().toString(36)}`;
  const consumers = options.consumers ?? 3;
  return new QueueWorkloadSet(recorder, client, {
    topic,
    partitions,
    enqueuersPerKey: sendersPerKey,
    consumers,
    seed,
  });
}

/** Creates the workload's topic once every node has joined (a fresh cluster knows only itself at first). */
async function createTopicOnceReady(
  admin: Admin,
  topic: string,
  partitions: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin.createTopic({ name: topic, partitions, replicas: 3 });
      return;
    } catch (error) {
      // A retry of a create that took effect the first time.
      if ((error as { code?: string }).code === 'TOPIC_ALREADY_EXISTS') return;
      if (Date.now() > deadline) throw error;
      await sleep(300);
    }
  }
}

function phase(recorder: Recorder, name: PhaseEvent['phase']): void {
  recorder.record<PhaseEvent>({ process: runnerProcess, type: 'info', f: 'phase', phase: name });
}

function monitored(cluster: ClusterUnderTest) {
  return cluster.nodes.map((n) => ({
    id: n.id,
    directAddress: n.directAddress,
    reachable: n.running && !n.isPaused,
  }));
}

async function waitAllLed(
  monitor: LeaderMonitor,
  cluster: ClusterUnderTest,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await monitor.observe(monitored(cluster));
    if ([...monitor.current().values()].every((l) => l !== 0)) return;
    if (Date.now() > deadline) throw new Error(`not every partition had a leader after ${timeoutMs} ms`);
    await sleep(monitorIntervalMs);
  }
}

/** Observes leaders in the background until stopped; `signal` aborts with it, ending any fault's wait. */
function watchLeaders(
  monitor: LeaderMonitor,
  cluster: ClusterUnderTest,
): { signal: AbortSignal; stop(): void } {
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      await monitor.observe(monitored(cluster));
      await sleep(monitorIntervalMs, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  })();
  return {
    signal: abort.signal,
    stop: () => {
      abort.abort();
      void loop;
    },
  };
}
