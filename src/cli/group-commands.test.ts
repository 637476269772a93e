import { describe, expect, it } from 'vitest';
import type {
  ConsumerOptions,
  ConsumerRecord,
  GroupDetails,
  ResetGroupOffsetsInput,
} from '../client/index.js';
import type { CliDeps, CliGroupConsumer, CliIo, CliSession } from './cli-context.js';
import { epochMsMin, offsetResetTarget } from './offset-reset-target.js';
import { runCli } from './run-cli.js';

const utf8 = new TextEncoder();
const record = (partition: number, offset: number): ConsumerRecord => ({
  topic: 't',
  partition,
  offset,
  key: null,
  value: utf8.encode(`v${partition}.${offset}`),
  headers: [],
  timestampMs: 1,
});

const info: GroupDetails = {
  group: 'g',
  state: 'stable',
  generation: 4,
  members: [
    {
      memberId: 'g-m1',
      clientId: 'raftlog-ts',
      clientHost: '127.0.0.1',
      instanceId: '',
      assignment: [{ topic: 't', partition: 0 }],
    },
  ],
  partitions: [{ topic: 't', partition: 0, committed: 5, end: 9, lag: 4 }],
  lag: 4,
};

function harness(records: ConsumerRecord[] = []) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const calls: unknown[] = [];
  let interrupt: (() => void) | undefined;
  const io: CliIo = {
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    write: () => undefined,
    stdinLines: async function* () {},
    env: {},
    progressStream: undefined,
    onInterrupt: (handler) => {
      interrupt = handler;
      return () => (interrupt = undefined);
    },
  };
  const consumer = (options: ConsumerOptions): CliGroupConsumer => {
    calls.push({ consumer: options });
    return {
      join: async () => void calls.push('join'),
      assignment: () => [],
      markProcessed: (r) => calls.push(`processed ${r.partition}@${r.offset}`),
      close: async (o) => void calls.push({ close: o }),
      async *[Symbol.asyncIterator]() {
        yield* records;
        // Then wait like a live consumer until interrupted.
        await new Promise((resolve) => setTimeout(resolve, 10));
        interrupt?.();
        await new Promise(() => undefined);
      },
    };
  };
  const session = {
    admin: {},
    producer: () => ({}),
    consumer: () => ({}),
    groups: {
      admin: {
        listGroups: async () => [{ group: 'g', state: 'empty' as const }],
        describeGroup: async (id: string) => {
          calls.push({ describe: id });
          return info;
        },
        resetGroupOffsets: async ({ group, ...input }: ResetGroupOffsetsInput) => {
          calls.push({ reset: group, input });
          return [{ topic: 't', partition: 0, previous: 5, offset: 0 }];
        },
      },
      consumer,
    },
    close: () => undefined,
  } as unknown as CliSession;
  const deps: CliDeps = {
    connect: () => session,
    runNode: async () => undefined,
    runLocalCluster: async () => undefined,
    restartLocalNode: () => Promise.reject(new Error('not in this test')),
  };
  return { stdout, stderr, calls, run: (args: string[]) => runCli(args, io, deps) };
}

describe('raftlog consume --group', () => {
  it('joins, marks every printed record processed and commits them on close', async () => {
    const h = harness([record(0, 7), record(1, 3), record(0, 8)]);
    expect(await h.run(['consume', 't', '--group', 'g', '--max', '2'])).toBe(0);
    expect(h.stdout).toEqual(['v0.7', 'v1.3']);
    expect(h.calls).toEqual([
      {
        consumer: expect.objectContaining({
          groupId: 'g',
          topics: ['t'],
          autoOffsetReset: 'earliest',
        }) as unknown,
      },
      'join',
      'processed 0@7',
      'processed 1@3',
      { close: { commit: true } },
    ]);
  });

  it('on SIGINT stops reading and still commits what it printed', async () => {
    const h = harness([record(0, 1)]);
    expect(await h.run(['consume', 't', '--group', 'g', '--from', 'latest'])).toBe(0);
    expect(h.stdout).toEqual(['v0.1']);
    expect(h.calls.at(-1)).toEqual({ close: { commit: true } });
    expect(h.calls[0]).toEqual({
      consumer: expect.objectContaining({ autoOffsetReset: 'latest' }) as unknown,
    });
  });

  it('refuses --partition and an offset --from with --group', async () => {
    const h = harness();
    expect(await h.run(['consume', 't', '--group', 'g', '--partition', '1'])).toBe(1);
    expect(await h.run(['consume', 't', '--group', 'g', '--from', '12'])).toBe(1);
    expect(h.stderr.join('\n')).toMatch(/INVALID_ARGUMENT.*--partition[\s\S]*INVALID_ARGUMENT.*--from/);
  });
});

describe('raftlog group', () => {
  it('describe --json prints exactly group, state, members and partitions', async () => {
    const h = harness();
    expect(await h.run(['--json', 'group', 'describe', 'g'])).toBe(0);
    const parsed = JSON.parse(h.stdout[0]!) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['group', 'state', 'members', 'partitions']);
    expect(parsed).toEqual({
      group: 'g',
      state: 'stable',
      members: [
        {
          memberId: 'g-m1',
          clientId: 'raftlog-ts',
          host: '127.0.0.1',
          instanceId: null,
          partitions: [{ topic: 't', partition: 0 }],
        },
      ],
      partitions: [{ topic: 't', partition: 0, committed: 5, end: 9, lag: 4 }],
    });
  });

  it('describe prints members and lag as tables', async () => {
    const h = harness();
    expect(await h.run(['group', 'describe', 'g'])).toBe(0);
    expect(h.stdout[0]).toBe('group g: stable, generation 4, 1 members, lag 4');
    expect(h.stdout).toContain('t      0          5          9    4');
  });

  it('list prints every group', async () => {
    const h = harness();
    expect(await h.run(['--json', 'group', 'list'])).toBe(0);
    expect(JSON.parse(h.stdout[0]!)).toEqual([{ group: 'g', state: 'empty' }]);
  });

  it('reset-offsets passes the target, partitions and dry run', async () => {
    const h = harness();
    const args = ['group', 'reset-offsets', 'g', '--topic', 't', '--to', '2026-01-31T00:00:00Z'];
    expect(await h.run([...args, '--partition', '0', '--partition', '2', '--dry-run'])).toBe(0);
    expect(h.calls).toEqual([
      {
        reset: 'g',
        input: { topic: 't', to: { timestampMs: Date.UTC(2026, 0, 31) }, dryRun: true, partitions: [0, 2] },
      },
    ]);
    expect(h.stdout.at(-1)).toBe('(dry run: nothing committed)');
    expect(await h.run(['group', 'reset-offsets', 'g', '--topic', 't', '--to', 'sometime'])).toBe(1);
  });
});

describe('offsetResetTarget', () => {
  it('reads positions, offsets, epoch milliseconds and ISO timestamps', () => {
    expect(offsetResetTarget('earliest')).toBe('earliest');
    expect(offsetResetTarget('latest')).toBe('latest');
    expect(offsetResetTarget('42')).toEqual({ offset: 42 });
    expect(offsetResetTarget(String(epochMsMin - 1))).toEqual({ offset: epochMsMin - 1 });
    expect(offsetResetTarget('1769817600000')).toEqual({ timestampMs: 1_769_817_600_000 });
    expect(offsetResetTarget('2026-01-31T00:00:00Z')).toEqual({ timestampMs: 1_769_817_600_000 });
    expect(offsetResetTarget('2026-01-31T02:00:00+02:00')).toEqual({ timestampMs: 1_769_817_600_000 });
    expect(() => offsetResetTarget('-3')).toThrow(/expected/);
    expect(() => offsetResetTarget('2026-13-45')).toThrow(/expected/);
  });
});
