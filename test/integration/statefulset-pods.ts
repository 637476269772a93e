import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitHealthy } from '../../src/local/index.js';
import { parseDockerfile } from '../deploy/dockerfile.js';
import { repoRoot } from '../deploy/rendered-manifests.js';
import type { PodRuntime } from '../deploy/statefulset-pod.js';
import { trackPid, untrackPid } from './harness/cleanup.js';
import { tsxLauncher } from './harness/index.js';
import { tailFile } from './harness/logs.js';

/** The image's ENTRYPOINT and ENV, which every pod process and exec hook starts with. */
export function imageProcess(): { entrypoint: string[]; env: Record<string, string> } {
  const file = parseDockerfile(readFileSync(join(repoRoot, 'deploy/docker/Dockerfile'), 'utf8'));
  const final = file.stages.at(-1)!.instructions;
  const entry = final.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.rest ?? '[]';
  const env: Record<string, string> = {};
  for (const i of final.filter((x) => x.keyword === 'ENV')) {
    for (const pair of i.rest.split(/\s+/)) {
      const [name = '', value = ''] = pair.split('=');
      env[name] = value;
    }
  }
  return { entrypoint: JSON.parse(entry) as string[], env };
}

export interface ExecResult {
  readonly code: number | null;
  readonly output: string;
}

/**
 * One StatefulSet pod played on this machine. The process gets the pod's args and env exactly,
 * with what a pod's own network namespace and volume give it replaced: the wildcard listen host
 * (client and peer listeners) becomes the pod's loopback address (and 127.0.0.1 in exec hooks, the pod itself there), the
 * volume's mount path a directory of its own, and RAFTLOG_HOST_ALIASES maps the pod DNS names to
 * those addresses since no cluster DNS runs here.
 */
export class PlayedPod {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;

  constructor(
    readonly pod: PodRuntime,
    readonly ip: string,
    readonly port: number,
    dir: string,
    hostAliases: string,
    /** Other volumes of the pod: mount path → a local directory holding their files. */
    mounts: Readonly<Record<string, string>> = {},
  ) {
    const dataDir = join(dir, pod.name, 'data');
    mkdirSync(dataDir, { recursive: true });
    this.logFile = join(dir, `${pod.name}.log`);
    const image = imageProcess();
    const paths = Object.entries({ ...mounts, [pod.dataMountPath]: dataDir });
    const mounted = (text: string): string =>
      paths.reduce((t, [mountPath, local]) => t.split(mountPath).join(local), text);
    this.args = pod.args.map((a) =>
      a === `--listen=0.0.0.0:${port}`
        ? `--listen=${ip}:${port}`
        : a.startsWith('--peer-listen=0.0.0.0:')
          ? a.replace('0.0.0.0', ip)
          : mounted(a),
    );
    const env = { ...image.env, ...pod.env, HOSTNAME: pod.name, RAFTLOG_HOST_ALIASES: hostAliases };
    // A pod has an address of its own: a wildcard listener binds this pod's loopback address instead.
    const own = (v: string): string => v.replace(/^0\.0\.0\.0:/, `${ip}:`);
    this.env = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, own(mounted(v))]));
  }

  get address(): string {
    return `${this.ip}:${this.port}`;
  }

  async start(healthTimeoutMs: number): Promise<void> {
    appendFileSync(this.logFile, `--- ${this.pod.name} starting at ${new Date().toISOString()}\n`);
    const fd = openSync(this.logFile, 'a');
    try {
      this.child = spawn(tsxLauncher.command, [...tsxLauncher.args, ...this.args], {
        cwd: repoRoot,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...this.env },
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const child = this.child;
    const pid = child.pid ?? -1;
    trackPid(pid);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => untrackPid(pid));
    const died = this.exited.then((code) => {
      throw new Error(`${this.pod.name} exited with ${code} before it was healthy\n${this.logTail()}`);
    });
    try {
      await Promise.race([waitHealthy(this.address, healthTimeoutMs), died]);
    } finally {
      died.catch(() => undefined);
    }
  }

  /** The kubelet's part of a pod deletion: SIGTERM, SIGKILL when the grace period runs out. */
  async terminate(graceMs: number): Promise<number | null> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return child?.exitCode ?? null;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child?.exitCode === null) this.child.kill('SIGKILL');
  }

  /** An exec hook or probe: the command in the container, with the container's environment. */
  exec(command: readonly string[], timeoutMs: number): Promise<ExecResult> {
    const { entrypoint } = imageProcess();
    if (command.slice(0, entrypoint.length).join(' ') !== entrypoint.join(' ')) {
      throw new Error(`${command.join(' ')} does not run the image's entrypoint`);
    }
    const self = `127.0.0.1:${this.port}`;
    const args = [
      ...tsxLauncher.args,
      ...command.slice(entrypoint.length).map((a) => a.split(self).join(this.address)),
    ];
    return new Promise((resolve) => {
      const child = spawn(tsxLauncher.command, args, {
        cwd: repoRoot,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: timeoutMs,
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.once('close', (code) => resolve({ code, output: output.trim() }));
    });
  }

  logTail(lines = 30): string {
    return `--- ${this.pod.name} (${this.address}), last ${lines} lines:\n${tailFile(this.logFile, lines)}`;
  }
}
