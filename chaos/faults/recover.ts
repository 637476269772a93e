import { readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

/** A node process the caller starts on its data directory (a test node, a node of a chaos run). */
export interface RestartableNode {
  readonly id: number;
  readonly dataDir: string;
  /** Starts the process; resolves once it serves, rejects if it exits first or never serves. */
  start(): Promise<void>;
  /** Stops the process if it runs (one that never served may still run); resolves once it is gone. */
  stop(): Promise<void>;
}

export type RestartOutcome =
  | { readonly outcome: 'started' }
  /** The node refused its damaged directory (`refusal` says why) and was rebuilt from its peers. */
  | { readonly outcome: 'rebuilt'; readonly refusal: string };

export class NotADataDirectoryError extends Error {
  override readonly name = 'NotADataDirectoryError';
}

/**
 * Empties a stopped node's data directory. Only a directory that looks like one (absolute, and
 * empty or holding the engine's `db/`) is touched, so a wrong path never deletes anything else.
 */
export async function wipeDataDir(dataDir: string): Promise<void> {
  if (!isAbsolute(dataDir)) throw new NotADataDirectoryError(`not an absolute path: ${dataDir}`);
  const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (entries === undefined || entries.length === 0) return;
  const db = await stat(join(dataDir, 'db')).catch(() => undefined);
  if (db?.isDirectory() !== true) {
    throw new NotADataDirectoryError(`${dataDir} holds no db/ directory: not a raftlog data directory`);
  }
  await rm(dataDir, { recursive: true, force: true });
}

/** What renewLeaders needs of the cluster; the Admin of src/client has this shape. */
export interface LeadershipControl {
  clusterStatus(): Promise<{
    readonly controller: { readonly leader: number; readonly voters: readonly number[] };
    readonly partitions: readonly {
      readonly topic: string;
      readonly partition: number;
      readonly leader: number;
      readonly replicas: readonly number[];
    }[];
  }>;
  transferLeadership(target: { topic?: string; partition?: number; toNode?: number }): Promise<unknown>;
}

/** A replica other than the current leader and `nodeId`, or undefined when there is none. */
function successor(replicas: readonly number[], leader: number, nodeId: number): number | undefined {
  return replicas.find((r) => r !== leader && r !== nodeId);
}

/**
 * Hands the leadership of the controller and of every partition `nodeId` replicates to another
 * replica, and returns how many moved. A leader keeps a follower's match index from before the
 * follower lost its data, and takes the follower's rejections of later appends as stale, so a
 * rebuilt node never catches up while the same leader leads; a new leader tracks it from scratch.
 * A group of two replicas has no other replica to hand over to and is skipped.
 */
export async function renewLeaders(control: LeadershipControl, nodeId: number): Promise<number> {
  const status = await control.clusterStatus();
  let moved = 0;
  const controllerTo = successor(status.controller.voters, status.controller.leader, nodeId);
  if (status.controller.leader !== 0 && controllerTo !== undefined) {
    await control.transferLeadership({ toNode: controllerTo });
    moved++;
  }
  for (const p of status.partitions) {
    const to = successor(p.replicas, p.leader, nodeId);
    if (!p.replicas.includes(nodeId) || p.leader === 0 || p.leader === nodeId || to === undefined) continue;
    await control.transferLeadership({ topic: p.topic, partition: p.partition, toNode: to });
    moved++;
  }
  return moved;
}

/**
 * Rebuilds a node whose data directory is damaged beyond use: empties it, starts the node again
 * under the same id, and renews the leaders of its groups (see renewLeaders). The node learns the
 * cluster id from its peers, votes in no group before it has caught up with that group's leader (it
 * forgot its votes and its log), and copies every partition it replicates from the leaders; whether
 * it caught up is for the caller to wait on.
 */
export async function recoverFromDiskFault(node: RestartableNode, control: LeadershipControl): Promise<void> {
  await node.stop();
  await wipeDataDir(node.dataDir);
  await node.start();
  await renewLeaders(control, node.id);
}

/**
 * Starts a node after a disk fault was injected into its data directory. A node that detects the
 * damage at start refuses to start (non-zero exit, the reason on stderr and in its log); it is then
 * rebuilt from its peers. A node that starts must detect damage found later on read.
 */
export async function restartAfterDiskFault(
  node: RestartableNode,
  control: LeadershipControl,
): Promise<RestartOutcome> {
  try {
    await node.start();
    return { outcome: 'started' };
  } catch (error) {
    const refusal = error instanceof Error ? error.message : String(error);
    await recoverFromDiskFault(node, control);
    return { outcome: 'rebuilt', refusal };
  }
}
