import { resolve } from 'node:path';
import { RaftlogError } from '../../lib/index.js';
import { clusterFilePath, isAlive, readClusterFile, type ClusterFileNode } from './cluster-file.js';
import { pollUntil } from './poll-until.js';
import { waitHealthy } from './wait-healthy.js';

export interface RestartedNode {
  readonly id: number;
  readonly address: string;
  readonly pid: number;
}

const stopGraceMs = 10_000;
const respawnTimeoutMs = 10_000;
const askAgainMs = 2_000;

/**
 * Restarts node `id` of the `cluster up` running on `dataDir`: stops it if it still runs (SIGTERM,
 * SIGKILL after 10 s), asks that `cluster up` to start it again (SIGUSR2: it starts every node that
 * exited, with the arguments it started them with, so the node stays its child and stops with it),
 * and resolves once the new process answers its health check.
 */
export async function restartLocalNode(
  dataDir: string,
  id: number,
  timeoutMs = 60_000,
): Promise<RestartedNode> {
  const root = resolve(dataDir);
  const { supervisorPid, node } = findNode(root, id);
  if (node.pid !== undefined && isAlive(node.pid)) await stopProcess(node.pid, id);
  let pid = 0;
  let askedAt = 0;
  await pollUntil(
    `node ${id} was not started again by \`cluster up\` (pid ${supervisorPid})`,
    () => {
      const now = readClusterFile(root)?.nodes.find((n) => n.id === id)?.pid;
      pid = now !== undefined && now !== node.pid && isAlive(now) ? now : 0;
      // Asked again now and then, in case the first signal came before it saw the exit.
      if (pid === 0 && Date.now() - askedAt >= askAgainMs) {
        process.kill(supervisorPid, 'SIGUSR2');
        askedAt = Date.now();
      }
      const seen = `cluster.json lists ${now === undefined ? 'no pid' : `pid ${now}`}`;
      return Promise.resolve({ done: pid !== 0, seen });
    },
    respawnTimeoutMs,
  );
  await waitHealthy(node.address, timeoutMs);
  return { id, address: node.address, pid };
}

function findNode(root: string, id: number): { supervisorPid: number; node: ClusterFileNode } {
  const file = readClusterFile(root);
  if (file === undefined) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `no cluster under ${root} (${clusterFilePath(root)} is missing or unreadable): start one with raftlog cluster up`,
    );
  }
  const node = file.nodes.find((n) => n.id === id);
  if (node === undefined) {
    const ids = file.nodes.map((n) => n.id).join(', ');
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `the cluster under ${root} has no node ${id} (its nodes: ${ids})`,
    );
  }
  const supervisorPid = file.supervisorPid;
  if (supervisorPid === undefined || !isAlive(supervisorPid)) {
    throw new RaftlogError(
      'UNAVAILABLE',
      `no \`raftlog cluster up\` runs the cluster under ${root}: start it with raftlog cluster up --data ${root}`,
    );
  }
  return { supervisorPid, node };
}

/** Not our child: its exit cannot be awaited, only looked for. */
async function stopProcess(pid: number, id: number): Promise<void> {
  const gone = () => Promise.resolve({ done: !isAlive(pid), seen: `pid ${pid} still running` });
  process.kill(pid, 'SIGTERM');
  try {
    await pollUntil(`node ${id} did not stop`, gone, stopGraceMs);
  } catch {
    process.kill(pid, 'SIGKILL');
    await pollUntil(`node ${id} did not stop after SIGKILL`, gone, stopGraceMs);
  }
}
