import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { BenchSender, BenchSubscription, BenchTarget } from '../bench-target.js';
import type { BenchTime } from '../bench-time.js';
import { freePorts } from './free-port.js';
import type { PeerProcesses } from './peer-processes.js';
import { retryUntil } from './retry-until.js';

const run = promisify(execFile);
export const rabbitNodes = 3;
/** Three Erlang VMs booting on two shared cores take 15–30 s. */
const readyTimeoutMs = 120_000;
/** Deliveries acked in one multiple-ack; acking each would measure the ack path, not delivery. */
const ackEvery = 100;

export interface RabbitCluster {
  readonly urls: string[];
  /** Env for rabbitmqctl against these nodes (shared cookie, private epmd). */
  readonly env: Record<string, string>;
}

export interface RabbitInstall {
  /** The rabbitmq-server start script run in the foreground (not Debian's wrapper, which changes user). */
  readonly server: string;
  readonly ctl: string;
  readonly epmd: string;
}

export const debianRabbit: RabbitInstall = {
  server: '/usr/lib/rabbitmq/bin/rabbitmq-server',
  ctl: '/usr/lib/rabbitmq/bin/rabbitmqctl',
  epmd: 'epmd',
};

/**
 * Three RabbitMQ nodes on loopback that form one cluster at boot (classic peer discovery): a shared
 * Erlang cookie in a private HOME, distinct node names, ports and data directories, and an epmd of our
 * own in the foreground on a private port, so no daemon outlives the bench.
 */
export async function startRabbitCluster(
  processes: PeerProcesses,
  dir: string,
  install: RabbitInstall,
): Promise<RabbitCluster> {
  const [epmdPort = 0, ...ports] = await freePorts(1 + rabbitNodes * 2);
  // -start_epmd false: a node or rabbitmqctl that misses our epmd must fail, not start a daemon that
  // outlives the bench (one did when a run was interrupted while rabbitmqctl polled).
  const noDaemon = '-start_epmd false';
  const env = {
    HOME: dir,
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_CTL_ERL_ARGS: noDaemon,
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: noDaemon,
  };
  writeFileSync(join(dir, '.erlang.cookie'), `raftlogbench${epmdPort}`);
  chmodSync(join(dir, '.erlang.cookie'), 0o400);
  writeFileSync(join(dir, 'enabled-plugins'), '[].\n');
  processes.start({
    command: install.epmd,
    args: ['-port', String(epmdPort)],
    env,
    logFile: join(dir, 'epmd.log'),
  });
  const names = Array.from({ length: rabbitNodes }, (_, i) => `bench${i + 1}@localhost`);
  const urls: string[] = [];
  for (let i = 0; i < rabbitNodes; i++) {
    const amqpPort = ports[i] ?? 0;
    const config = join(dir, `rabbit-${i + 1}.conf`);
    writeFileSync(config, rabbitConfig(amqpPort, names));
    processes.start({
      command: install.server,
      args: [],
      env: { ...env, ...rabbitNodeEnv(dir, i + 1, names[i] ?? '', ports[rabbitNodes + i] ?? 0, config) },
      logFile: join(dir, `rabbit-${i + 1}.log`),
    });
    urls.push(`amqp://guest:guest@127.0.0.1:${amqpPort}`);
  }
  return { urls, env };
}

export function rabbitConfig(amqpPort: number, names: readonly string[]): string {
  return [
    `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
    // guest may connect over loopback only by default; say so explicitly for 127.0.0.1.
    'loopback_users = none',
    'cluster_formation.peer_discovery_backend = classic_config',
    ...names.map((n, i) => `cluster_formation.classic_config.nodes.${i + 1} = ${n}`),
    '',
  ].join('\n');
}

function rabbitNodeEnv(dir: string, n: number, name: string, distPort: number, config: string) {
  return {
    RABBITMQ_NODENAME: name,
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONFIG_FILE: config,
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'none.config'),
    RABBITMQ_MNESIA_BASE: join(dir, `rabbit-${n}-data`),
    RABBITMQ_LOG_BASE: join(dir, `rabbit-${n}-log`),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled-plugins'),
    RABBITMQ_PID_FILE: join(dir, `rabbit-${n}.pid`),
  };
}

/**
 * Resolves once the first node reports all three running in its cluster. Stops polling when `signal`
 * aborts and kills a rabbitmqctl in flight: once our epmd is gone, rabbitmqctl would start an epmd
 * daemon of its own that outlives the bench.
 */
export async function waitRabbitCluster(
  cluster: RabbitCluster,
  install: RabbitInstall,
  time: BenchTime,
  signal?: AbortSignal,
) {
  const args = ['-n', 'bench1@localhost', 'cluster_status', '--formatter', 'json'];
  const env = { ...process.env, ...cluster.env };
  await retryUntil(
    time,
    readyTimeoutMs,
    async () => {
      const { stdout } = await run(install.ctl, args, {
        env,
        timeout: 30_000,
        ...(signal ? { signal } : {}),
      });
      const running = (JSON.parse(stdout) as { running_nodes?: unknown[] }).running_nodes ?? [];
      if (running.length < rabbitNodes) throw new Error(`${running.length} of ${rabbitNodes} nodes running`);
    },
    signal,
  );
}

/** One quorum queue (3 members), publisher confirms; the client talks to the queue leader's node. */
export class RabbitTarget implements BenchTarget {
  readonly name = 'RabbitMQ quorum queue, 3 nodes, confirms';
  private queue = '';
  private fresh = 0;

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async connect(url: string, time: BenchTime): Promise<RabbitTarget> {
    // Loaded here, not at the top: every raftlog process (a node too) loads the CLI's modules.
    const { connect } = await import('amqplib');
    const connection = await retryUntil(time, readyTimeoutMs, () => connect(url));
    // A broker stopped under the client (Ctrl-C) emits 'error'; unheard, it would crash the bench
    // before it cleans up. Calls in flight fail on their own and report it.
    connection.on('error', () => undefined);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    return new RabbitTarget(connection, channel);
  }

  async prepare(): Promise<void> {
    if (this.queue !== '') await this.channel.deleteQueue(this.queue);
    this.fresh++;
    this.queue = `bench-${this.fresh}`;
    await this.channel.assertQueue(this.queue, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': rabbitNodes },
    });
  }

  sender(): Promise<BenchSender> {
    const queue = this.queue;
    return Promise.resolve({
      send: (value) =>
        new Promise<void>((resolve, reject) => {
          const content = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
          this.channel.sendToQueue(queue, content, { persistent: true }, (error) =>
            error === null || error === undefined ? resolve() : reject(toError(error)),
          );
        }),
      close: () => Promise.resolve(),
    });
  }

  async subscribe(onValue: (value: Uint8Array) => void): Promise<BenchSubscription> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    await channel.prefetch(1_000);
    let unacked = 0;
    const { consumerTag } = await channel.consume(this.queue, (message) => {
      if (message === null) return;
      onValue(message.content);
      if (++unacked >= ackEvery) {
        channel.ack(message, true);
        unacked = 0;
      }
    });
    return {
      stop: async () => {
        await channel.cancel(consumerTag);
        await channel.close();
      },
    };
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
