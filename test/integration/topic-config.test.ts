import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, RaftlogError } from '../../lib/index.js';
import { Acks } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { sleep, startCluster, tsxLauncher, type TestCluster } from './harness/index.js';

const run = promisify(execFile);
const topic = 'settings';

/** Runs the real `raftlog` CLI; resolves with its exit code and output. */
async function cli(
  bootstrap: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(
      tsxLauncher.command,
      [...tsxLauncher.args, '--bootstrap', bootstrap, ...args],
      {
        cwd: tsxLauncher.cwd,
        timeout: 60_000,
      },
    );
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

async function produce(cluster: TestCluster, acks: Acks): Promise<void> {
  const leader = await cluster.waitForLeader(topic, 0);
  // The topic is compacted (delete,compact), which refuses records without a key.
  const records = [{ key: new Uint8Array([1]), value: new Uint8Array([1]) }];
  const batch = encodeRecordBatch({ timestamp: Date.now(), records });
  await cluster.broker(leader.address).produce({ topic, partition: 0, batch, acks }, { timeoutMs: 5_000 });
}

/** Produces until the outcome is `want` ('ok' or an error code); answers how long that took. */
async function produceUntil(
  cluster: TestCluster,
  acks: Acks,
  want: string,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    last = await produce(cluster, acks).then(
      () => 'ok',
      (e: unknown) => RaftlogError.from(e).code,
    );
    if (last === want) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`produce did not answer ${want} within ${timeoutMs} ms (last: ${last})`);
}

const queueSettings = {
  'queue.visibility.timeout.ms': 5_000,
  'queue.max.deliveries': 4,
  'queue.dead.letter.topic': 'jobs.dlq',
  'queue.message.ttl.ms': 3_600_000,
  'queue.dead.letter.expired': true,
};

async function describeConfig(bootstrap: string, name: string): Promise<Record<string, unknown>> {
  const described = await cli(bootstrap, '--json', 'topic', 'describe', name);
  expect(described.code, described.err).toBe(0);
  return (JSON.parse(described.out) as { config: Record<string, unknown> }).config;
}

/** Creates a topic with queue settings, alters one, and reads them back from another node. */
async function checkQueueSettings(cluster: TestCluster): Promise<void> {
  const bootstrap = cluster.nodes[0]!.address;
  const config = Object.entries(queueSettings).flatMap(([k, v]) => ['--config', `${k}=${v}`]);
  const created = await cli(bootstrap, '--json', 'topic', 'create', 'jobs', ...config);
  expect(created.code, created.err).toBe(0);
  const selfDeadLetter = ['topic', 'alter', 'jobs', '--config', 'queue.dead.letter.topic=jobs'];
  const refused = await cli(bootstrap, ...selfDeadLetter);
  expect(refused.code).toBe(1);
  expect(refused.err).toMatch(
    /INVALID_ARGUMENT: .*queue\.dead\.letter\.topic \(queue_dead_letter_topic\) may not be the topic itself/,
  );
  const alter = ['--json', 'topic', 'alter', 'jobs', '--config', 'queue.ordered.by.key=true'];
  const altered = await cli(bootstrap, ...alter);
  expect(altered.code, altered.err).toBe(0);
  const expected = { ...queueSettings, 'queue.ordered.by.key': true };
  expect(await describeConfig(cluster.nodes[1]!.address, 'jobs')).toMatchObject(expected);
  const defaults = await describeConfig(cluster.nodes[2]!.address, topic);
  expect(defaults).toMatchObject({
    'queue.visibility.timeout.ms': 30_000,
    'queue.max.deliveries': 0,
    'queue.dead.letter.topic': '',
    'queue.message.ttl.ms': 0,
    'queue.dead.letter.expired': false,
    'queue.ordered.by.key': false,
  });
}

describe('topic settings from the CLI, under Kafka names', () => {
  it('creates, describes and alters them, queue settings too; min.insync.replicas refuses quorum writes while a replica is down', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.waitAllAlive();
    const bootstrap = cluster.nodes.map((n) => n.address).join(',');
    const settings = ['min.insync.replicas=3', 'retention.ms=3600000', 'cleanup.policy=delete,compact'];
    const created = await cli(
      bootstrap,
      '--json',
      'topic',
      'create',
      topic,
      '--replicas',
      '3',
      ...settings.flatMap((s) => ['--config', s]),
    );
    expect(created.code, created.err).toBe(0);
    const expected = {
      'min.insync.replicas': 3,
      'retention.ms': 3_600_000,
      'cleanup.policy': 'compact,delete',
    };
    expect((JSON.parse(created.out) as { config: unknown }).config).toMatchObject(expected);
    const described = await cli(cluster.nodes[2]!.address, '--json', 'topic', 'describe', topic);
    const config = (JSON.parse(described.out) as { config: Record<string, unknown> }).config;
    expect(config).toMatchObject({ ...expected, 'max.message.bytes': 1_048_576, 'min.compaction.lag.ms': 0 });
    await checkQueueSettings(cluster);

    await produceUntil(cluster, Acks.QUORUM, 'ok', 20_000);
    const leader = await cluster.waitForLeader(topic, 0);
    const follower = cluster.nodes.find((n) => n.id !== leader.leaderId)!;
    await follower.kill();
    const refusedAfterMs = await produceUntil(cluster, Acks.QUORUM, 'NOT_ENOUGH_REPLICAS', 15_000);
    await produce(cluster, Acks.LEADER);

    const bad = await cli(bootstrap, 'topic', 'alter', topic, '--config', 'min.insync.replicas=0');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(
      /INVALID_ARGUMENT: .*min\.insync\.replicas \(min_insync_replicas\) must be an integer in \[1, 64\]/,
    );
    const altered = await cli(
      bootstrap,
      '--json',
      'topic',
      'alter',
      topic,
      '--config',
      'min.insync.replicas=2',
    );
    expect(altered.code, altered.err).toBe(0);
    expect(JSON.parse(altered.out)).toMatchObject({ name: topic, config: { 'min.insync.replicas': 2 } });
    await produceUntil(cluster, Acks.QUORUM, 'ok', 10_000);
    console.log(JSON.stringify({ test: 'min-insync', refusedAfterMs }));
  }, 120_000);
});
