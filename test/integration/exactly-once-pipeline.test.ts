import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { Producer, RaftlogClient } from '../../src/client/index.js';
import { trackPid, untrackPid } from './harness/cleanup.js';
import { readTopicValues, repoRoot, sleep, startCluster, type TestCluster } from './harness/index.js';
import { TransformPipeline } from './transform-pipeline.js';

const total = 20_000;
const partitions = 3;

async function setUp(): Promise<{ cluster: TestCluster; bootstrap: string }> {
  const cluster = await startCluster({ nodes: 3 });
  await cluster.createTopic('in', partitions, 3);
  await cluster.createTopic('out', partitions, 3);
  for (const t of ['in', 'out']) for (let p = 0; p < partitions; p++) await cluster.waitForLeader(t, p);
  const bootstrap = cluster.nodes.map((n) => n.address).join(',');
  const client = new RaftlogClient({ bootstrap });
  const producer = new Producer(client, { lingerMs: 5 });
  await Promise.all(
    Array.from({ length: total }, (_, i) =>
      producer.send({ topic: 'in', partition: i % partitions, value: `v${i}` }),
    ),
  );
  await producer.close();
  client.close();
  return { cluster, bootstrap };
}

/** Reads the output as a read_committed consumer until every record is there or nothing comes for idleMs. */
function committedOutput(bootstrap: string, idleMs: number): Promise<string[]> {
  return readTopicValues(bootstrap, 'out', 'read_committed', idleMs);
}

function expectExactlyOnce(values: readonly string[]): void {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
  const missing = Array.from({ length: total }, (_, i) => `o${i}`).filter((v) => !counts.has(v));
  expect({ twice: twice.slice(0, 10), missing: missing.slice(0, 10), extra: values.length - total }).toEqual({
    twice: [],
    missing: [],
    extra: 0,
  });
}

async function until(
  what: string,
  check: () => boolean,
  timeoutMs: number,
  state: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${state()}`);
    await sleep(50);
  }
}

describe('consume-transform-produce in transactions, 3 nodes, 3 → 3 partitions', () => {
  it('writes every input exactly once, and a second instance resumes from the committed offsets', async () => {
    const { bootstrap } = await setUp();
    const options = {
      bootstrap,
      input: 'in',
      output: 'out',
      group: 'pipe',
      transactionalId: 'pipe-1',
      batchRecords: 500,
    };
    const first = new TransformPipeline(options);
    first.start();
    await until('half the input', () => first.outputCommitted >= total / 2, 120_000);
    await first.stop();
    const second = new TransformPipeline(options);
    second.start();
    const values = await waitForOutput(bootstrap, () => second.errors);
    await second.stop();
    expectExactlyOnce(values);
    expect([...first.errors, ...second.errors]).toEqual([]);
    console.log(
      JSON.stringify({
        test: 'pipeline',
        transactions: first.committedTransactions + second.committedTransactions,
      }),
    );
  }, 240_000);

  it('stays exactly once when the pipeline process is SIGKILLed (almost surely inside a transaction) and a new one takes over', async () => {
    const { bootstrap } = await setUp();
    const first = pipelineProcess(bootstrap);
    await until('the first pipeline at work', () => first.progress() >= total / 4, 120_000);
    await first.stop('SIGKILL');
    const killedAt = first.progress();
    const second = pipelineProcess(bootstrap);
    try {
      const values = await waitForOutput(bootstrap, () => []);
      expectExactlyOnce(values);
      // The second instance resumed from what the first committed, not from the start.
      expect(second.progress()).toBeLessThanOrEqual(total - killedAt);
      console.log(JSON.stringify({ test: 'pipeline-crash', killedAt, secondCommitted: second.progress() }));
    } finally {
      await second.stop('SIGTERM');
    }
  }, 300_000);

  it('stays exactly once while a second pipeline joins the group and the first then leaves', async () => {
    const { bootstrap } = await setUp();
    // Slowed down (a pause after each transaction of 100) so the second joins while input is left:
    // at 150 ms the first needs at least 22 s for its last three quarters, longer than the second
    // takes to start, join and be given partitions on a loaded machine (50 ms once let it finish first).
    const first = pipelineProcess(bootstrap, 'pipe-1', 150);
    let second: ReturnType<typeof pipelineProcess> | undefined;
    try {
      await until('the first pipeline at work', () => first.progress() >= total / 4, 120_000);
      const joined = pipelineProcess(bootstrap, 'pipe-2', 50);
      second = joined;
      await until(
        'both at work',
        () => joined.progress() > 0 && first.progress() >= total / 2,
        120_000,
        () => `first at ${first.progress()}, second at ${joined.progress()}`,
      );
      await first.stop('SIGTERM');
      const values = await waitForOutput(bootstrap, () => []);
      expectExactlyOnce(values);
      console.log(
        JSON.stringify({ test: 'pipeline-two-members', first: first.progress(), second: joined.progress() }),
      );
    } finally {
      await Promise.all([first.stop('SIGKILL'), second?.stop('SIGTERM')]);
    }
  }, 300_000);

  it('stays exactly once while the leaders of input, output and controller are SIGKILLed in turn', async () => {
    const { cluster, bootstrap } = await setUp();
    const pipeline = new TransformPipeline({
      bootstrap,
      input: 'in',
      output: 'out',
      group: 'pipe',
      transactionalId: 'pipe-1',
      batchRecords: 100,
      pauseMs: 30,
    });
    pipeline.start();
    const killed: string[] = [];
    const faults = (async () => {
      const roles = ['input', 'output', 'controller'] as const;
      const restarts: Promise<void>[] = [];
      for (const [i, role] of roles.entries()) {
        await until(
          `progress before killing the ${role} leader`,
          () => pipeline.outputCommitted >= ((2 * i + 1) * total) / 10,
          180_000,
        );
        const victim =
          role === 'controller'
            ? ((await cluster.clusterStatus()).controller?.leaderId ?? 0)
            : (await cluster.waitForLeader(role === 'input' ? 'in' : 'out', i % partitions)).leaderId;
        if (victim === 0) throw new Error('no controller leader to kill');
        killed.push(`${role}:${victim}@${pipeline.outputCommitted}`);
        // Each fault lands while the pipeline still has input to move.
        expect(pipeline.outputCommitted).toBeLessThan(total);
        await cluster.node(victim).kill('SIGKILL');
        await sleep(1_000);
        restarts.push(cluster.node(victim).start());
      }
      await Promise.all(restarts);
    })();
    await faults;
    const values = await waitForOutput(bootstrap, () => pipeline.errors);
    await pipeline.stop();
    expectExactlyOnce(values);
    console.log(
      JSON.stringify({
        test: 'pipeline-faults',
        killed,
        committed: pipeline.committedTransactions,
        aborted: pipeline.abortedTransactions,
        fenced: pipeline.fenced,
        errors: pipeline.errors.slice(0, 5),
      }),
    );
  }, 420_000);
});

/** The pipeline in its own process; `progress()` is the output it reported committed. */
function pipelineProcess(bootstrap: string, transactionalId = 'pipe-1', pauseMs = 0) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'test/integration/pipeline-worker.ts'),
      bootstrap,
      transactionalId,
      String(pauseMs),
    ],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const pid = child.pid!;
  trackPid(pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => untrackPid(pid));
  let committed = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    committed = (JSON.parse(line) as { committed: number }).committed;
  });
  return {
    progress: () => committed,
    stop: async (signal: 'SIGTERM' | 'SIGKILL') => {
      child.kill(signal);
      await exited;
    },
  };
}

/** Polls the committed output until it holds every input (or stops growing). */
async function waitForOutput(bootstrap: string, errors: () => readonly string[]): Promise<string[]> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const values = await committedOutput(bootstrap, 3_000);
    if (values.length >= total || Date.now() > deadline) return values;
    if (errors().length > 200)
      throw new Error(`the pipeline keeps failing: ${errors().slice(-3).join(' | ')}`);
    await sleep(2_000);
  }
}
