import { readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

/** A node process the caller starts on its data directory (a test node, a node of a chaos run). */
export interface RestartableNode {
  readonly id: number;
  readonly dataDir: string;
  /** Starts the process; resolves once it serves, rejects if it exits first (it refused to start). */
  start(): Promise<void>;
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

/**
 * Rebuilds a node whose data directory is damaged beyond use: empties it and starts the node again
 * under the same id. The node learns the cluster id from its peers, votes in no group before it has
 * caught up with that group's leader (it forgot its votes and its log), and copies every partition
 * it replicates from the leaders; whether it caught up is for the caller to wait on (e.g. the
 * node listed in sync).
 */
export async function recoverFromDiskFault(node: RestartableNode): Promise<void> {
  await wipeDataDir(node.dataDir);
  await node.start();
}

/**
 * Starts a node after a disk fault was injected into its data directory. A node that detects the
 * damage at start refuses to start (non-zero exit, the reason on stderr and in its log); it is then
 * rebuilt from its peers. A node that starts must detect damage found later on read.
 */
export async function restartAfterDiskFault(node: RestartableNode): Promise<RestartOutcome> {
  try {
    await node.start();
    return { outcome: 'started' };
  } catch (error) {
    const refusal = error instanceof Error ? error.message : String(error);
    await recoverFromDiskFault(node);
    return { outcome: 'rebuilt', refusal };
  }
}
