import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startCluster, type TestCluster } from './harness/index.js';

// Debian's python3-grpcio and python3-protobuf live under /usr/bin/python3, not a pyenv shim.
const python = '/usr/bin/python3';
const example = join(repoRoot, 'examples/python');
const count = 1000;
let gen: string;

/** Generates the stubs the way examples/python/README.md says, into a temp dir. */
beforeAll(() => {
  gen = mkdtempSync(join(tmpdir(), 'raftlog-python-'));
  const protos = readdirSync(join(repoRoot, 'proto/raftlog/v1')).map((f) => `proto/raftlog/v1/${f}`);
  const result = spawnSync(
    'protoc',
    [
      '-I',
      'proto',
      `--python_out=${gen}`,
      `--grpc_python_out=${gen}`,
      '--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin',
      ...protos,
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  expect(result.status, `protoc failed: ${result.error?.message ?? result.stderr}`).toBe(0);
});

afterAll(() => rmSync(gen, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one example script; `onStderr` sees its progress lines as they come. */
function runPython(
  script: string,
  args: string[],
  onStderr: (line: string) => void = () => {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(example, script), ...args], {
      cwd: example,
      env: { ...process.env, RAFTLOG_PYTHON_GEN: gen, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const line of d.toString().split('\n')) if (line !== '') onStderr(line);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Produces `count` records with the example, SIGKILLing partition 0's leader once 300 are sent. */
async function produceKillingALeader(cluster: TestCluster, api: string, topic: string): Promise<number> {
  const bootstrap = cluster.nodes.map((n) => n.address).join(',');
  let killing: Promise<number> | undefined;
  const run = await runPython(
    'producer.py',
    ['--bootstrap', bootstrap, '--topic', topic, '--count', String(count), '--api', api, '--prefix', api],
    (line) => {
      if (line === 'progress 300' && killing === undefined) {
        killing = cluster.waitForLeader(topic, 0).then(async (leader) => {
          await cluster.node(leader.leaderId).kill('SIGKILL');
          return leader.leaderId;
        });
      }
    },
  );
  expect(run.code, run.stderr).toBe(0);
  expect(killing, 'the producer reported its progress').toBeDefined();
  // Created by the example in the cluster's first seconds, without a replication factor: still 3.
  const described = await cluster.admin(cluster.liveNodes()[0]!.address).describeTopic({ name: topic });
  expect(described.topic?.replicationFactor).toBe(3);
  const killed = await killing!;
  await cluster.node(killed).start();
  return killed;
}

async function consume(cluster: TestCluster, api: string, topic: string): Promise<string[]> {
  const bootstrap = cluster.nodes.map((n) => n.address).join(',');
  const run = await runPython('consumer.py', [
    '--bootstrap',
    bootstrap,
    '--topic',
    topic,
    '--api',
    api,
    '--expect',
    String(count),
    '--idle-s',
    '15',
  ]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.split('\n').filter((l) => l !== '');
}

function expectEachOnce(values: readonly string[], prefix: string): void {
  const expected = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  expect(values).toHaveLength(count);
  expect([...values].sort()).toEqual(expected.sort());
}

describe('a Python client generated from proto/ by Debian protoc', () => {
  it('produces and consumes through the record API and through its own batch codec, losing nothing when a leader dies', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await produceKillingALeader(cluster, 'records', 'py-records');
    expectEachOnce(await consume(cluster, 'records', 'py-records'), 'records');

    await produceKillingALeader(cluster, 'batch', 'py-batches');
    expectEachOnce(await consume(cluster, 'batch', 'py-batches'), 'batch');
    // Both paths store the same format: each reader reads the other's records.
    expectEachOnce(await consume(cluster, 'records', 'py-batches'), 'batch');
    expectEachOnce(await consume(cluster, 'batch', 'py-records'), 'records');
  }, 240_000);
});
