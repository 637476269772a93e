import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import type { CreateTopicInput, TopicCreateResult, TopicDetails } from '../client/index.js';
import type { CliDeps, CliSession } from './cli-context.js';
import { runCli } from './run-cli.js';
import { memoryIo } from './testing/memory-io.js';

const details = (t: CreateTopicInput): TopicDetails => ({
  name: t.name,
  partitions: t.partitions,
  replicationFactor: t.replicas || 3,
  config: t.config ?? {},
  partitionStatus: [],
  createdAtMs: 0,
});

/** An admin that knows topic 'old' and creates the rest, one batch call at a time. */
function harness(stdin: string[] = []) {
  const batches: CreateTopicInput[][] = [];
  const singles: CreateTopicInput[] = [];
  const session = {
    admin: {
      createTopic: async (t: CreateTopicInput) => (singles.push(t), details(t)),
      createTopics: async (inputs: readonly CreateTopicInput[]): Promise<TopicCreateResult[]> => {
        batches.push([...inputs]);
        return inputs.map((t) =>
          t.name === 'old'
            ? {
                name: t.name,
                error: new RaftlogError('TOPIC_ALREADY_EXISTS', `topic '${t.name}' already exists`),
              }
            : { name: t.name, topic: details(t) },
        );
      },
    },
    close: () => undefined,
  } as unknown as CliSession;
  const io = memoryIo(stdin);
  const deps: CliDeps = {
    connect: () => session,
    runNode: async () => undefined,
    runLocalCluster: async () => undefined,
    restartLocalNode: () => Promise.reject(new Error('not in this test')),
  };
  return { io, batches, singles, run: (args: string[]) => runCli(args, io, deps) };
}

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('raftlog topic create', () => {
  it('creates many names in one call with the flags for all, one line each, exit 1 on a failure', async () => {
    const h = harness();
    expect(await h.run(['topic', 'create', 'a', 'old', 'b', '--partitions', '4', '--replicas', '2'])).toBe(1);
    expect(h.batches).toEqual([['a', 'old', 'b'].map((name) => ({ name, partitions: 4, replicas: 2 }))]);
    expect(h.io.stdout).toEqual([
      'created topic a: 4 partitions, 2 replicas',
      "failed topic old: TOPIC_ALREADY_EXISTS: topic 'old' already exists",
      'created topic b: 4 partitions, 2 replicas',
    ]);
  });

  it('reads names from a file, skipping blank lines and comments, and exits 0 when all were created', async () => {
    dir = mkdtempSync(join(tmpdir(), 'topics-'));
    const file = join(dir, 'topics.txt');
    writeFileSync(file, '# the orders topics\norders\n\n  payments  # card payments\n');
    const h = harness();
    expect(await h.run(['--json', 'topic', 'create', 'x', '--from-file', file])).toBe(0);
    expect(h.batches[0]?.map((t) => t.name)).toEqual(['x', 'orders', 'payments']);
    expect(h.io.stdout.map((l) => (JSON.parse(l) as { name: string }).name)).toEqual([
      'x',
      'orders',
      'payments',
    ]);
  });

  it('reads names from stdin with --from-file -, and keeps the single create for one name', async () => {
    const h = harness(['p', 'q']);
    expect(await h.run(['topic', 'create', '--from-file', '-'])).toBe(0);
    expect(h.batches[0]?.map((t) => t.name)).toEqual(['p', 'q']);
    expect(await h.run(['topic', 'create', 'solo'])).toBe(0);
    expect(h.singles.map((t) => t.name)).toEqual(['solo']);
  });

  it('refuses a call naming no topic', async () => {
    const h = harness();
    expect(await h.run(['topic', 'create'])).not.toBe(0);
    expect(h.batches).toEqual([]);
  });
});
