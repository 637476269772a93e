import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClusterFileNode {
  readonly id: number;
  readonly address: string;
  /** Absent once the process is known to be gone. */
  readonly pid?: number;
  readonly dataDir: string;
  readonly logFile: string;
}

export interface ClusterFile {
  /** Generated when the cluster is first started here; every node is started with it. */
  readonly clusterId?: string;
  /** The `cluster up` process running the nodes; SIGUSR2 to it starts again those that exited. */
  readonly supervisorPid?: number;
  readonly nodes: readonly ClusterFileNode[];
}

export function clusterFilePath(dataDir: string): string {
  return join(dataDir, 'cluster.json');
}

/** Written to a temporary name and renamed, so a reader never sees half a file. */
export function writeClusterFile(dataDir: string, file: ClusterFile): void {
  const path = clusterFilePath(dataDir);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(temp, path);
}

export function readClusterFile(dataDir: string): ClusterFile | undefined {
  const path = clusterFilePath(dataDir);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ClusterFile>;
    if (!Array.isArray(parsed.nodes)) return undefined;
    return {
      ...(typeof parsed.clusterId === 'string' ? { clusterId: parsed.clusterId } : {}),
      ...(typeof parsed.supervisorPid === 'number' ? { supervisorPid: parsed.supervisorPid } : {}),
      nodes: parsed.nodes,
    };
  } catch {
    return undefined;
  }
}

/** Pids a previous run left in cluster.json that still name a live process. */
export function livePids(file: ClusterFile | undefined): number[] {
  return (file?.nodes ?? []).flatMap((n) => (n.pid !== undefined && isAlive(n.pid) ? [n.pid] : []));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else, so it is alive too.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
