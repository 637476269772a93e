import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AckPolicy, JetStreamClient, NatsConnection, StorageType } from 'nats';
import type { BenchSender, BenchSubscription, BenchTarget } from '../bench-target.js';
import type { BenchTime } from '../bench-time.js';
import { freePorts } from './free-port.js';
import type { PeerProcesses } from './peer-processes.js';
import { retryUntil } from './retry-until.js';

export const natsNodes = 3;
/** JetStream elects its meta leader a few seconds after the routes connect. */
const readyTimeoutMs = 60_000;

/** Three nats-server processes routed into one cluster, JetStream on, each with its own store. */
export async function startNatsCluster(
  processes: PeerProcesses,
  dir: string,
  executable: string,
): Promise<string[]> {
  const ports = await freePorts(natsNodes * 2);
  const clientPorts = ports.slice(0, natsNodes);
  const routePorts = ports.slice(natsNodes);
  for (let i = 0; i < natsNodes; i++) {
    const config = join(dir, `nats-${i + 1}.conf`);
    writeFileSync(config, natsConfig(i, clientPorts, routePorts, dir));
    processes.start({ command: executable, args: ['-c', config], logFile: join(dir, `nats-${i + 1}.log`) });
  }
  return clientPorts.map((p) => `127.0.0.1:${p}`);
}

export function natsConfig(index: number, clientPorts: number[], routePorts: number[], dir: string): string {
  const routes = routePorts.filter((_, i) => i !== index).map((p) => `nats-route://127.0.0.1:${p}`);
  return [
    `server_name: bench-${index + 1}`,
    `listen: 127.0.0.1:${clientPorts[index]}`,
    `jetstream { store_dir: "${join(dir, `nats-${index + 1}-store`)}" }`,
    `cluster { name: bench, listen: 127.0.0.1:${routePorts[index]}, routes: [${routes.join(', ')}] }`,
    '',
  ].join('\n');
}

/** A JetStream stream with 3 replicas on file storage; publish awaits the stream's ack. */
export class NatsTarget implements BenchTarget {
  readonly name = 'NATS JetStream, 3 nodes, R3 file stream';
  private stream = '';
  private fresh = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly time: BenchTime,
    private readonly fileStorage: StorageType,
    private readonly noAcks: AckPolicy,
  ) {}

  static async connect(servers: string[], time: BenchTime): Promise<NatsTarget> {
    // Loaded here, not at the top: every raftlog process (a node too) loads the CLI's modules.
    const { AckPolicy, connect, StorageType } = await import('nats');
    const nc = await retryUntil(time, readyTimeoutMs, () => connect({ servers, noEcho: true }));
    return new NatsTarget(nc, nc.jetstream(), time, StorageType.File, AckPolicy.None);
  }

  async prepare(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    if (this.stream !== '') await jsm.streams.delete(this.stream);
    this.fresh++;
    this.stream = `bench-${this.fresh}`;
    const config = {
      name: this.stream,
      subjects: [this.subject],
      num_replicas: 3,
      storage: this.fileStorage,
    };
    await retryUntil(this.time, readyTimeoutMs, () => jsm.streams.add(config));
  }

  private get subject(): string {
    return `bench.${this.fresh}`;
  }

  sender(): Promise<BenchSender> {
    const subject = this.subject;
    return Promise.resolve({
      send: (value) => this.js.publish(subject, value),
      close: () => Promise.resolve(),
    });
  }

  async subscribe(onValue: (value: Uint8Array) => void): Promise<BenchSubscription> {
    const jsm = await this.nc.jetstreamManager();
    await jsm.consumers.add(this.stream, { durable_name: 'bench', ack_policy: this.noAcks });
    const consumer = await this.js.consumers.get(this.stream, 'bench');
    const messages = await consumer.consume({ max_messages: 1_000 });
    const reading = (async () => {
      for await (const m of messages) onValue(m.data);
    })();
    return {
      stop: async () => {
        await messages.close();
        await reading.catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
