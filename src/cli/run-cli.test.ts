import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { RaftlogError } from '../../lib/index.js';
import type {
  TopicSettings,
  ClusterStatus,
  ConsumerRecord,
  ProducerRecord,
  RecordAck,
  TransactionDetails,
} from '../client/index.js';
import type { CliAdmin, CliConsumer, CliDeps, CliProducer, CliSession } from './cli-context.js';
import { memoryIo } from './testing/memory-io.js';

const sampleStatus: ClusterStatus = {
  clusterId: 'c1',
  controller: { leader: 1, term: 3, commitIndex: 40, voters: [1, 2, 3], learners: [] },
  nodes: [
    {
      id: 1,
      address: '127.0.0.1:9091',
      alive: true,
      replicas: 1,
      leaders: 1,
      membership: 'active',
      metricsUrl: '',
      logicalVersion: 2,
    },
    {
      id: 2,
      address: '127.0.0.1:9092',
      alive: false,
      replicas: 1,
      leaders: 0,
      membership: 'active',
      metricsUrl: '',
      logicalVersion: 1,
    },
  ],
  partitions: [
    {
      topic: 'orders',
      partition: 0,
      leader: 1,
      term: 2,
      replicas: [1, 2],
      inSync: [1],
      learners: [],
      targetReplicas: [],
      commitIndex: 17,
      highWatermark: 9,
      logStartOffset: 0,
    },
  ],
  activeVersion: 1,
};

const sampleTxn: TransactionDetails = {
  transactionalId: 'tx-1',
  producerId: 7,
  epoch: 2,
  state: 'ongoing',
  partitions: [
    { topic: 'orders', partition: 0 },
    { topic: 'orders', partition: 2 },
  ],
  groups: ['g'],
  startedAtMs: 1_700_000_000_000,
  ageMs: 4_200,
  timeoutMs: 60_000,
};

/** A session whose producer appends to an array and whose consumer replays given records. */
function fakeSession(
  records: ConsumerRecord[] = [],
): CliSession & { sent: ProducerRecord[]; topics: string[] } {
  const sent: ProducerRecord[] = [];
  const topics: string[] = [];
  const configs = new Map<string, TopicSettings>();
  const removed: number[] = [];
  const admin: CliAdmin = {
    createTopic: async (t) => {
      topics.push(t.name);
      configs.set(t.name, t.config ?? {});
      return {
        name: t.name,
        partitions: t.partitions,
        replicationFactor: t.replicas ?? 3,
        config: t.config ?? {},
        partitionStatus: [],
        createdAtMs: 0,
      };
    },
    createTopics: async () => [],
    alterTopicConfig: async (name, config) => {
      if (!topics.includes(name)) throw new RaftlogError('TOPIC_NOT_FOUND', `topic ${name} does not exist`);
      configs.set(name, { ...configs.get(name), ...config });
      return configs.get(name)!;
    },
    deleteTopic: async () => undefined,
    listTopics: async () => [{ name: 'orders', partitions: 3, replicationFactor: 3 }],
    describeTopic: async (name) => {
      if (!topics.includes(name)) throw new RaftlogError('TOPIC_NOT_FOUND', `topic ${name} does not exist`);
      const config = configs.get(name) ?? {};
      return { name, partitions: 1, replicationFactor: 1, config, partitionStatus: [], createdAtMs: 0 };
    },
    clusterStatus: async () => ({
      ...sampleStatus,
      controller: {
        ...sampleStatus.controller,
        voters: sampleStatus.controller.voters.filter((id) => !removed.includes(id)),
      },
      nodes: sampleStatus.nodes.map((n) =>
        removed.includes(n.id) ? { ...n, membership: 'removed' as const, replicas: 0 } : n,
      ),
    }),
    removeNode: async (id) => {
      if (id === 1) throw new RaftlogError('CLUSTER_TOO_SMALL', 'removing node 1 would leave 1 live node');
      removed.push(id);
      return { replicasLeft: 1 };
    },
    reassignPartition: async () => undefined,
    rebalance: async () => [{ topic: 'orders', partition: 0, from: [1, 2], to: [3, 2] }],
    listTransactions: async () => [sampleTxn],
    describeTransactions: async (ids) =>
      ids.map((id) => {
        if (id !== sampleTxn.transactionalId)
          throw new RaftlogError('INVALID_ARGUMENT', `'${id}' is unknown`);
        return sampleTxn;
      }),
  };
  const producer: CliProducer = {
    send: async (r): Promise<RecordAck> => {
      if (r.value === 'fail') throw new RaftlogError('MESSAGE_TOO_LARGE', 'too big');
      sent.push(r);
      return { partition: r.partition ?? 0, offset: sent.length - 1 };
    },
    close: async () => undefined,
  };
  const consumer: CliConsumer = {
    assign: () => undefined,
    assignTopic: async () => [0],
    close: async () => undefined,
    async *[Symbol.asyncIterator]() {
      yield* records;
    },
  };
  return { sent, topics, admin, producer: () => producer, consumer: () => consumer, close: () => undefined };
}

function fakeDeps(session: CliSession = fakeSession()): CliDeps & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    connect: (bootstrap) => {
      calls.push({ connect: bootstrap });
      return session;
    },
    runNode: async (flags) => void calls.push({ runNode: flags }),
    runLocalCluster: async (options) => void calls.push({ runLocalCluster: options }),
    restartLocalNode: async (dataDir, id) => {
      calls.push({ restartLocalNode: { dataDir, id } });
      return { id, address: '127.0.0.1:9092', pid: 4242 };
    },
  };
}

const utf8 = new TextEncoder();
const record = (offset: number, value: string): ConsumerRecord => ({
  topic: 't',
  partition: 1,
  offset,
  key: utf8.encode('k'),
  value: utf8.encode(value),
  headers: [],
  timestampMs: 1000 + offset,
});

describe('raftlog txn', () => {
  it('lists transactions with partitions and age, as a table or as JSON', async () => {
    let io = memoryIo();
    expect(await runCli(['txn', 'list'], io, fakeDeps())).toBe(0);
    expect(io.stdout[0]).toMatch(/^TRANSACTIONAL-ID\s+PRODUCER\s+EPOCH\s+STATE\s+AGE-MS/);
    expect(io.stdout[1]).toMatch(/^tx-1\s+7\s+2\s+ongoing\s+4200\s+60000\s+orders\/0,orders\/2$/);
    io = memoryIo();
    expect(
      await runCli(['txn', 'list', '--json', '--state', 'ONGOING', '--min-age-ms', '10'], io, fakeDeps()),
    ).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toEqual([sampleTxn]);
  });

  it('describes one transaction; an unknown state or id is an error', async () => {
    const io = memoryIo();
    expect(await runCli(['--json', 'txn', 'describe', 'tx-1'], io, fakeDeps())).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toEqual(sampleTxn);
    expect(await runCli(['txn', 'list', '--state', 'bogus'], memoryIo(), fakeDeps())).not.toBe(0);
    expect(await runCli(['txn', 'describe', 'nope'], memoryIo(), fakeDeps())).not.toBe(0);
  });
});

describe('raftlog argument parsing', () => {
  it('passes start flags to runNode as node-config settings', async () => {
    const deps = fakeDeps();
    const args = [
      'start',
      '--id',
      '2',
      '--listen',
      '0.0.0.0:9092',
      '--peers',
      '1=a:1,2=b:2',
      '--data',
      '/d',
      '--tick-ms',
      '20',
      '--client-streams-max',
      '9',
    ];
    expect(await runCli(args, memoryIo(), deps)).toBe(0);
    expect(deps.calls).toEqual([
      {
        runNode: {
          id: '2',
          listen: '0.0.0.0:9092',
          peers: '1=a:1,2=b:2',
          dataDir: '/d',
          tickMs: '20',
          clientStreamsMax: '9',
        },
      },
    ]);
  });

  it('runs cluster up with defaults and parsed numbers', async () => {
    const deps = fakeDeps();
    expect(await runCli(['cluster', 'up', '--nodes', '5'], memoryIo(), deps)).toBe(0);
    expect(deps.calls).toEqual([
      {
        runLocalCluster: { nodes: 5, basePort: 9091, dataDir: './data', host: '127.0.0.1', logLevel: 'info' },
      },
    ]);
  });

  it('restarts one node of the local cluster under --data, and says where it serves', async () => {
    const deps = fakeDeps();
    const io = memoryIo();
    expect(await runCli(['cluster', 'restart-node', '2', '--data', '/tmp/d'], io, deps)).toBe(0);
    expect(deps.calls).toEqual([{ restartLocalNode: { dataDir: '/tmp/d', id: 2 } }]);
    expect(io.stdout.join('\n')).toContain('node 2 restarted: pid 4242, serving at 127.0.0.1:9092');
  });

  it.each([
    [['cluster', 'restart-node', 'two'], /expected an integer/],
    [['cluster', 'up', '--nodes', 'three'], /--nodes/],
    [['produce', 't', '--acks', 'all'], /quorum\|leader\|none/],
    [['consume', 't', '--from', 'yesterday'], /earliest\|latest\|OFFSET/],
    [['topic', 'create', 'x', '--partitions', '0'], /--partitions/],
    [['--bootstrap', 'nohost', 'status'], /HOST:PORT/],
    [['frobnicate'], /unknown command/],
    [['bench', 'produce'], /--topic/],
  ])('reports bad flags %j as INVALID_ARGUMENT with exit code 1', async (args, message) => {
    const io = memoryIo();
    expect(await runCli(args, io, fakeDeps())).toBe(1);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/^raftlog: INVALID_ARGUMENT: /);
    expect(io.stderr[0]).toMatch(message);
  });

  it('takes --bootstrap from RAFTLOG_BOOTSTRAP unless given; the default is every node npm start runs', async () => {
    const deps = fakeDeps();
    await runCli(['status'], memoryIo([], { RAFTLOG_BOOTSTRAP: '10.0.0.1:7000' }), deps);
    await runCli(
      ['--bootstrap', '10.0.0.2:7000', 'status'],
      memoryIo([], { RAFTLOG_BOOTSTRAP: '10.0.0.1:7000' }),
      deps,
    );
    await runCli(['status'], memoryIo(), deps);
    expect(deps.calls).toEqual([
      { connect: '10.0.0.1:7000' },
      { connect: '10.0.0.2:7000' },
      { connect: '127.0.0.1:9091,127.0.0.1:9092,127.0.0.1:9093' },
    ]);
  });

  it('prints errors from the server as raftlog: CODE: message', async () => {
    const io = memoryIo();
    expect(await runCli(['topic', 'describe', 'nope'], io, fakeDeps())).toBe(1);
    expect(io.stderr).toEqual(['raftlog: TOPIC_NOT_FOUND: topic nope does not exist']);
  });

  it('exits 0 on --help', async () => {
    const io = memoryIo();
    expect(await runCli(['--help'], io, fakeDeps())).toBe(0);
    expect(io.raw.join('')).toMatch(/Usage: raftlog/);
  });
});

describe('raftlog commands with a fake cluster', () => {
  it('topic create and alter take --config under Kafka names; describe --json shows them so', async () => {
    const deps = fakeDeps();
    const create = [
      'topic',
      'create',
      'logs',
      '--config',
      'retention.ms=60000',
      '--config',
      'cleanup.policy=delete,compact',
    ];
    expect(await runCli(create, memoryIo(), deps)).toBe(0);
    const altered = memoryIo();
    expect(
      await runCli(['--json', 'topic', 'alter', 'logs', '--config', 'min.insync.replicas=2'], altered, deps),
    ).toBe(0);
    const expected = { 'cleanup.policy': 'compact,delete', 'retention.ms': 60000, 'min.insync.replicas': 2 };
    expect(JSON.parse(altered.stdout[0]!)).toEqual({ name: 'logs', config: expected });
    const described = memoryIo();
    expect(await runCli(['--json', 'topic', 'describe', 'logs'], described, deps)).toBe(0);
    expect((JSON.parse(described.stdout[0]!) as { config: unknown }).config).toEqual(expected);
  });

  it('topic create and alter take the queue settings; describe shows them under the same names', async () => {
    const deps = fakeDeps();
    const queue = [
      'queue.visibility.timeout.ms=5000',
      'queue.max.deliveries=4',
      'queue.dead.letter.topic=jobs.dlq',
      'queue.message.ttl.ms=3600000',
      'queue.dead.letter.expired=true',
    ];
    const create = ['topic', 'create', 'jobs', ...queue.flatMap((q) => ['--config', q])];
    expect(await runCli(create, memoryIo(), deps)).toBe(0);
    const alter = ['--json', 'topic', 'alter', 'jobs', '--config', 'queue.ordered.by.key=true'];
    const altered = memoryIo();
    expect(await runCli(alter, altered, deps)).toBe(0);
    const expected = {
      'queue.visibility.timeout.ms': 5000,
      'queue.max.deliveries': 4,
      'queue.dead.letter.topic': 'jobs.dlq',
      'queue.message.ttl.ms': 3_600_000,
      'queue.dead.letter.expired': true,
      'queue.ordered.by.key': true,
    };
    expect(JSON.parse(altered.stdout[0]!)).toEqual({ name: 'jobs', config: expected });
    const described = memoryIo();
    expect(await runCli(['--json', 'topic', 'describe', 'jobs'], described, deps)).toBe(0);
    expect((JSON.parse(described.stdout[0]!) as { config: unknown }).config).toEqual(expected);
    const text = memoryIo();
    expect(await runCli(['topic', 'describe', 'jobs'], text, deps)).toBe(0);
    expect(text.stdout[1]).toContain('queue.dead.letter.topic=jobs.dlq');
    expect(text.stdout[1]).toContain('queue.ordered.by.key=true');
  });

  it('topic alter clears the dead-letter topic with an empty value and takes false', async () => {
    const deps = fakeDeps();
    expect(await runCli(['topic', 'create', 'jobs'], memoryIo(), deps)).toBe(0);
    const args = ['--config', 'queue.dead.letter.topic=', '--config', 'queue.ordered.by.key=false'];
    const altered = memoryIo();
    expect(await runCli(['--json', 'topic', 'alter', 'jobs', ...args], altered, deps)).toBe(0);
    expect(JSON.parse(altered.stdout[0]!)).toEqual({
      name: 'jobs',
      config: { 'queue.dead.letter.topic': '', 'queue.ordered.by.key': false },
    });
  });

  it.each([
    [
      ['topic', 'create', 'x', '--config', 'retention.minutes=5'],
      /unknown topic setting "retention.minutes"; known: /,
    ],
    [['topic', 'create', 'x', '--config', 'retention.ms'], /KEY=VALUE/],
    [['topic', 'create', 'x', '--config', 'retention.ms=soon'], /retention.ms must be an integer/],
    [['topic', 'create', 'x', '--config', 'cleanup.policy=shred'], /cleanup.policy must be/],
    [
      ['topic', 'create', 'x', '--config', 'queue.ordered.by.key=yes'],
      /queue.ordered.by.key must be true or false, got "yes"/,
    ],
    [
      ['topic', 'alter', 'x', '--config', 'queue.dead.letter.expired=1'],
      /queue.dead.letter.expired must be true or false/,
    ],
    [
      ['topic', 'create', 'x', '--config', 'queue.max.deliveries=three'],
      /queue.max.deliveries must be an integer/,
    ],
    [
      ['topic', 'create', 'x', '--config', 'queue.visibility.timeout=5'],
      /unknown topic setting "queue.visibility.timeout"; known: .*queue.visibility.timeout.ms/,
    ],
    [['topic', 'alter', 'x'], /--config/],
  ])('refuses bad topic settings %j with INVALID_ARGUMENT', async (args, message) => {
    const io = memoryIo();
    expect(await runCli(args, io, fakeDeps())).toBe(1);
    expect(io.stderr[0]).toMatch(/^raftlog: INVALID_ARGUMENT: /);
    expect(io.stderr[0]).toMatch(message);
  });

  it('produce sends each line and prints acks; a failed record makes the exit code 1', async () => {
    const session = fakeSession();
    const io = memoryIo(['a', 'fail', 'c\r']);
    expect(await runCli(['produce', 'orders', '--key', 'k1'], io, fakeDeps(session))).toBe(1);
    expect(session.sent.map((r) => [r.topic, r.key, r.value])).toEqual([
      ['orders', 'k1', 'a'],
      ['orders', 'k1', 'c'],
    ]);
    expect(io.stdout).toEqual(['0:0', '0:1']);
    expect(io.stderr).toEqual(['raftlog: MESSAGE_TOO_LARGE: line 2: too big']);
  });

  it('produce --json prints one object per record', async () => {
    const io = memoryIo(['x', 'y']);
    expect(await runCli(['--json', 'produce', 't', '--partition', '2'], io, fakeDeps())).toBe(0);
    expect(io.stdout.map((l) => JSON.parse(l) as unknown)).toEqual([
      { partition: 2, offset: 0 },
      { partition: 2, offset: 1 },
    ]);
  });

  it('consume prints values, or JSON objects, and stops at --max', async () => {
    const records = [record(5, 'hello'), record(6, 'world'), record(7, 'more')];
    let io = memoryIo();
    expect(await runCli(['consume', 't', '--max', '2'], io, fakeDeps(fakeSession(records)))).toBe(0);
    expect(io.stdout).toEqual(['hello', 'world']);
    io = memoryIo();
    await runCli(['consume', 't', '--json', '--timeout-ms', '50'], io, fakeDeps(fakeSession(records)));
    expect(JSON.parse(io.stdout[0]!)).toEqual({
      partition: 1,
      offset: 5,
      key: 'k',
      value: 'hello',
      timestamp: 1005,
    });
    expect(io.stdout).toHaveLength(3);
  });

  it('status --json has the documented shape', async () => {
    const io = memoryIo();
    await runCli(['status', '--json'], io, fakeDeps());
    expect(JSON.parse(io.stdout[0]!)).toEqual({
      controller: { leader: 1, term: 3 },
      activeVersion: 1,
      nodes: [
        { id: 1, address: '127.0.0.1:9091', alive: true, logicalVersion: 2 },
        { id: 2, address: '127.0.0.1:9092', alive: false, logicalVersion: 1 },
      ],
      partitions: [
        {
          topic: 'orders',
          partition: 0,
          leader: 1,
          term: 2,
          replicas: [1, 2],
          inSync: [1],
          commitIndex: 17,
          highWatermark: 9,
        },
      ],
    });
  });

  it('status prints a table', async () => {
    const io = memoryIo();
    await runCli(['status'], io, fakeDeps());
    expect(io.stdout[0]).toBe('controller: leader 1, term 3');
    expect(io.stdout[1]).toBe('active version: 1');
    expect(io.stdout.join('\n')).toMatch(/NODE\s+ADDRESS\s+ALIVE\s+REPLICAS\s+LEADERS\s+VERSION/);
    expect(io.stdout.join('\n')).toMatch(/127\.0\.0\.1:9092\s+NO\s+1\s+0\s+1/);
    expect(io.stdout.join('\n')).toMatch(/orders\s+0\s+1\s+2\s+1,2\s+1\s+17\s+9/);
  });

  it('bench produce creates the topic and prints the JSON summary', async () => {
    const session = fakeSession();
    const io = memoryIo();
    const code = await runCli(
      ['bench', 'produce', '--topic', 'b', '--count', '50', '--record-bytes', '10', '--json'],
      io,
      fakeDeps(session),
    );
    expect(code).toBe(0);
    expect(session.topics).toEqual(['b']);
    const result = JSON.parse(io.stdout[0]!) as Record<string, number>;
    expect(Object.keys(result).sort()).toEqual([
      'count',
      'errors',
      'maxMs',
      'mbPerSec',
      'mode',
      'p50Ms',
      'p90Ms',
      'p999Ms',
      'p99Ms',
      'rateOfPeak',
      'ratePerSec',
      'recordBytes',
      'recordsPerSec',
    ]);
    expect(result['count']).toBe(50);
    expect(result['errors']).toBe(0);
  });
});

describe('raftlog node and rebalance', () => {
  it('lists nodes with membership and controller role, as a table or as JSON', async () => {
    let io = memoryIo();
    expect(await runCli(['node', 'list'], io, fakeDeps())).toBe(0);
    expect(io.stdout[0]).toMatch(/^ID\s+ADDRESS\s+ALIVE\s+MEMBERSHIP\s+CONTROLLER\s+REPLICAS\s+LEADS/);
    expect(io.stdout[1]).toMatch(/^1\s+127.0.0.1:9091\s+yes\s+active\s+leader\s+1\s+1$/);
    expect(io.stdout[2]).toMatch(/^2\s+127.0.0.1:9092\s+no\s+active\s+voter/);
    io = memoryIo();
    expect(await runCli(['--json', 'node', 'list'], io, fakeDeps())).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({
      controllerLeader: 1,
      nodes: [{ id: 1, controller: 'voter', membership: 'active' }, { id: 2 }],
    });
  });

  it("node remove waits for the removal with progress; a refusal is the server's error", async () => {
    const io = memoryIo();
    expect(await runCli(['node', 'remove', '2'], io, fakeDeps())).toBe(0);
    expect(io.stderr[0]).toBe('node 2: decommissioning, 1 replicas to move');
    expect(io.stderr).toContain('node 2: removed, 0 replicas left');
    expect(io.stdout[0]).toMatch(/^node 2 removed in \d+\.\d s/);
    const refused = memoryIo();
    expect(await runCli(['node', 'remove', '1'], refused, fakeDeps())).toBe(1);
    expect(refused.stderr.join('\n')).toMatch(/CLUSTER_TOO_SMALL: removing node 1/);
    expect(await runCli(['node', 'remove', 'x'], memoryIo(), fakeDeps())).not.toBe(0);
  });

  it('rebalance --dry-run shows the plan; partition move checks its replica list', async () => {
    const io = memoryIo();
    expect(await runCli(['rebalance', '--dry-run'], io, fakeDeps())).toBe(0);
    expect(io.stdout).toEqual([
      expect.stringMatching(/^TOPIC\s+PARTITION\s+FROM\s+TO/),
      expect.stringMatching(/^orders\s+0\s+1,2\s+3,2$/),
    ]);
    const json = memoryIo();
    expect(await runCli(['--json', 'rebalance', '--dry-run'], json, fakeDeps())).toBe(0);
    expect(JSON.parse(json.stdout[0]!)).toEqual({
      dryRun: true,
      moves: [{ topic: 'orders', partition: 0, from: [1, 2], to: [3, 2] }],
    });
    expect(
      await runCli(['partition', 'move', 'orders', '0', '--replicas', '1,1'], memoryIo(), fakeDeps()),
    ).not.toBe(0);
    const moved = memoryIo();
    expect(
      await runCli(['partition', 'move', 'orders', '0', '--replicas', '3,1', '--no-wait'], moved, fakeDeps()),
    ).toBe(0);
    expect(moved.stdout).toEqual(['orders/0 moving to [3,1]']);
  });
});
