import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { nodeProcessEnv } from './allocator-env.js';
import { currentLauncher, type Launcher } from './launcher.js';

export interface NodeSpec {
  readonly id: number;
  /** HOST:PORT the node listens on for clients. */
  readonly address: string;
  /** HOST:PORT of its peer listener; the node's default (client port + 1000) when absent. */
  readonly peerAddress?: string;
  /** The `--peers` value, see peersArg. */
  readonly peers: string;
  readonly dataDir: string;
  /** stdout and stderr are appended here; the parent holds none of it in memory. */
  readonly logFile: string;
  /** Added to the parent's environment (RAFTLOG_* settings, for instance). */
  readonly env?: Readonly<Record<string, string>>;
  /** Defaults to the launcher of this process. */
  readonly launcher?: Launcher;
}

export interface NodeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnedNode {
  readonly id: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Settles once the process is gone, whatever the reason; never rejects. */
  readonly exited: Promise<NodeExit>;
  /** Set once the process is gone. */
  exit: NodeExit | undefined;
}

export function startArgs(spec: NodeSpec): string[] {
  return [
    'start',
    '--id',
    String(spec.id),
    '--listen',
    spec.address,
    ...(spec.peerAddress === undefined ? [] : ['--peer-listen', spec.peerAddress]),
    '--peers',
    spec.peers,
    '--data',
    spec.dataDir,
  ];
}

/**
 * Starts one node process. Its output goes straight to the log file through an inherited descriptor,
 * so a chatty node can neither fill the parent's memory nor stall on a full pipe.
 */
export function spawnNode(spec: NodeSpec): SpawnedNode {
  const launcher = spec.launcher ?? currentLauncher();
  mkdirSync(spec.dataDir, { recursive: true });
  mkdirSync(dirname(spec.logFile), { recursive: true });
  appendFileSync(spec.logFile, `--- raftlog node ${spec.id} starting at ${new Date().toISOString()}\n`);
  const fd = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(launcher.command, [...launcher.args, ...startArgs(spec)], {
      cwd: launcher.cwd ?? process.cwd(),
      env: nodeProcessEnv(process.env, spec.env),
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  return track(spec.id, child);
}

function track(id: number, child: ChildProcess): SpawnedNode {
  const node: SpawnedNode = {
    id,
    pid: child.pid ?? -1,
    child,
    exit: undefined,
    exited: new Promise<NodeExit>((resolve) => {
      // 'error' alone fires when the executable cannot be started; 'close' may not follow it.
      child.once('error', () => resolve((node.exit ??= { code: null, signal: null })));
      child.once('exit', (code, signal) => resolve((node.exit = { code, signal })));
    }),
  };
  if (child.pid === undefined) node.exit = { code: null, signal: null };
  return node;
}

/** Signals the process, then SIGKILLs it if it is still there after graceMs; resolves once it is gone. */
export async function stopNode(
  node: SpawnedNode,
  graceMs: number,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<NodeExit> {
  if (node.exit !== undefined) return node.exit;
  node.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const killLater = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      if (node.exit === undefined) node.child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  try {
    await Promise.race([node.exited, killLater]);
    return await node.exited;
  } finally {
    clearTimeout(timer);
  }
}

export function describeExit(exit: NodeExit): string {
  return exit.signal !== null
    ? `signal ${exit.signal}`
    : exit.code !== null
      ? `code ${exit.code}`
      : 'failure to start';
}
