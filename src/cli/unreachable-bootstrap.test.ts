import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, stopServices, type Services } from '../server/services/testing/start-services.js';
import type { CliDeps, CliIo } from './cli-context.js';
import { runCli } from './run-cli.js';
import { connectSession } from './session.js';

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

function bufferIo(stdin: readonly string[] = []): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    write: (t) => stdout.push(t),
    stdinLines: async function* () {
      yield* stdin;
    },
    env: {},
    progressStream: undefined,
  };
}

const realDeps: CliDeps = {
  connect: connectSession,
  runNode: () => Promise.reject(new Error('not in this test')),
  runLocalCluster: () => Promise.reject(new Error('not in this test')),
  restartLocalNode: () => Promise.reject(new Error('not in this test')),
};

const commands: readonly (readonly string[])[] = [
  ['status'],
  ['topic', 'list'],
  ['topic', 'describe', 't'],
  ['topic', 'create', 't', '--partitions', '1'],
  ['topic', 'delete', 't'],
  ['produce', 't'],
  ['consume', 't'],
  ['bench', 'produce', '--topic', 't', '--count', '1'],
  ['bench', 'consume', '--topic', 't', '--count', '1'],
];

describe('a bootstrap address nobody listens on', () => {
  let dead: string;
  let live: Services;
  beforeAll(async () => {
    dead = `127.0.0.1:${await closedPort()}`;
    live = await startServices();
  });
  afterAll(() => stopServices());

  it.each(commands)('%s %s fails within a second, naming the address and the refusal', async (...args) => {
    const io = bufferIo(['v']);
    const started = performance.now();
    const code = await runCli(['--bootstrap', dead, ...args], io, realDeps);
    const elapsedMs = performance.now() - started;
    expect(code).toBe(1);
    expect(io.stderr).toEqual([`raftlog: UNAVAILABLE: cannot reach ${dead}: connection refused`]);
    expect(elapsedMs).toBeLessThan(1_000);
  });

  it('every address of a list is named when none answers', async () => {
    const other = `127.0.0.1:${await closedPort()}`;
    const io = bufferIo();
    expect(await runCli(['--bootstrap', `${dead},${other}`, 'topic', 'list'], io, realDeps)).toBe(1);
    expect(io.stderr).toEqual([
      `raftlog: UNAVAILABLE: cannot reach ${dead}: connection refused; ${other}: connection refused`,
    ]);
  });

  it('a dead first address is passed over at once for a live one', async () => {
    const io = bufferIo();
    const started = performance.now();
    const code = await runCli(['--bootstrap', `${dead},${live.address}`, 'topic', 'list'], io, realDeps);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(io.stdout.join('\n')).toContain('t');
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
