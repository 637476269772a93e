import { RaftlogError } from '../../lib/index.js';
import { validateTopicName } from '../../cluster/controller/index.js';
import { headersInterceptor, type ServiceClient } from '../../rpc/index.js';
import type { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import type { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import {
  leaderAddressOf,
  mergeClusterMetadata,
  toClusterMetadata,
  type ClusterMetadata,
} from './cluster-metadata.js';
import { ConnectionPool, type ConnectionOptions } from './connection-pool.js';
import { signalsStaleLeader, toRaftlogError } from './errors.js';
import { ScramTokenSource, type UserCredentials } from './scram-token-source.js';

export interface RaftlogClientOptions extends ConnectionOptions {
  /** HOST:PORT of one or more nodes, as an array or comma-separated. */
  readonly bootstrap: string | readonly string[];
  /** Per Metadata attempt. */
  readonly metadataTimeoutMs?: number;
  /** Metadata older than this is fetched again on next use, even without an error. */
  readonly metadataMaxAgeMs?: number;
  /** How long a Metadata refresh waits for the other nodes once one node has answered. */
  readonly metadataGraceMs?: number;
  /** Log in as this user (SCRAM-SHA-256) and send its session token on every call, renewed before it ends. */
  readonly auth?: UserCredentials;
}

interface LeaderOverride {
  readonly address: string;
  /** The partition's leader term in the metadata when the hint arrived. */
  readonly termSeen: number;
}

/**
 * The shared core of producers, consumers and admin: a connection per node and a cached view of
 * the cluster, refreshed when a call says the cached leader is wrong. A NOT_LEADER hint is used at
 * once, until metadata with a newer term for that partition arrives.
 */
export class RaftlogClient {
  readonly pool: ConnectionPool;
  /** The login, when the client was given a user. */
  readonly tokens: ScramTokenSource | undefined;
  private readonly bootstrap: readonly string[];
  private readonly metadataTimeoutMs: number;
  private readonly metadataMaxAgeMs: number;
  private current: ClusterMetadata | undefined;
  private stale = true;
  private refreshing: Promise<ClusterMetadata> | undefined;
  private readonly overrides = new Map<string, LeaderOverride>();
  private readonly metadataGraceMs: number;

  constructor(options: RaftlogClientOptions) {
    this.bootstrap = parseBootstrap(options.bootstrap);
    this.tokens = options.auth === undefined ? undefined : new ScramTokenSource(this.bootstrap, options.auth);
    const tokens = this.tokens;
    this.pool = new ConnectionPool(
      tokens === undefined
        ? options
        : { ...options, interceptors: [headersInterceptor(() => tokens.headers())] },
    );
    this.metadataTimeoutMs = options.metadataTimeoutMs ?? 5_000;
    this.metadataMaxAgeMs = options.metadataMaxAgeMs ?? 300_000;
    this.metadataGraceMs = options.metadataGraceMs ?? 100;
  }

  broker(address: string): ServiceClient<typeof BrokerService> {
    return this.pool.broker(address);
  }

  admin(address: string): ServiceClient<typeof AdminService> {
    return this.pool.admin(address);
  }

  /** Cached metadata, fetched first when missing, marked stale or too old. */
  async metadata(): Promise<ClusterMetadata> {
    return this.fresh() ?? this.refreshMetadata();
  }

  private fresh(): ClusterMetadata | undefined {
    const m = this.current;
    return m !== undefined && !this.stale && Date.now() - m.fetchedAtMs < this.metadataMaxAgeMs
      ? m
      : undefined;
  }

  /** One Metadata call at a time; callers arriving meanwhile share its result. */
  refreshMetadata(): Promise<ClusterMetadata> {
    this.refreshing ??= this.fetchMetadata().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * Partition count of a topic; INVALID_TOPIC_NAME for a name no topic can have (by the brokers' own
   * rule: metadata of all topics would not say why it is absent), TOPIC_NOT_FOUND once fresh metadata
   * does not list it.
   */
  async partitionCount(topic: string): Promise<number> {
    const invalid = validateTopicName(topic);
    if (invalid !== undefined) throw new RaftlogError(invalid.code, invalid.message);
    let info = (await this.metadata()).topics.get(topic);
    if (info === undefined) info = (await this.refreshMetadata()).topics.get(topic);
    if (info === undefined) throw new RaftlogError('TOPIC_NOT_FOUND', `topic ${topic} does not exist`);
    return info.partitions.length;
  }

  /** A topic's partition count from fresh cached metadata, without a call; undefined when one is needed. */
  cachedPartitionCount(topic: string): number | undefined {
    return this.fresh()?.topics.get(topic)?.partitions.length;
  }

  /** The address to send a partition's requests to; LEADER_NOT_AVAILABLE (retriable) when none is known. */
  async leaderAddress(topic: string, partition: number): Promise<string> {
    const hinted = this.overrides.get(`${topic}/${partition}`);
    if (hinted !== undefined) return hinted.address;
    const meta = await this.metadata();
    const address = leaderAddressOf(meta, topic, partition);
    if (address !== undefined) return address;
    if (!meta.topics.has(topic)) {
      await this.partitionCount(topic);
    }
    this.stale = true;
    throw new RaftlogError('LEADER_NOT_AVAILABLE', `no leader known for ${topic}/${partition}`);
  }

  /** Learns from a failed partition call: follow a leader hint, or refetch metadata before the next call. */
  noteError(topic: string, partition: number, error: RaftlogError): void {
    if (!signalsStaleLeader(error)) return;
    const key = `${topic}/${partition}`;
    this.stale = true;
    if (error.code === 'NOT_LEADER' && error.leaderHint !== undefined && error.leaderHint !== '') {
      const termSeen = this.current?.topics.get(topic)?.partitions[partition]?.leaderTerm ?? 0;
      this.overrides.set(key, { address: error.leaderHint, termSeen });
    } else {
      this.overrides.delete(key);
    }
  }

  /** Any node that answers, for calls that any node serves (admin calls are forwarded to the controller). */
  addresses(): string[] {
    const known = this.current === undefined ? [] : [...this.current.brokers.values()];
    return [...new Set([...known, ...this.bootstrap])];
  }

  close(): void {
    this.pool.close();
    this.tokens?.close();
  }

  /**
   * Asks every known node at once and merges the answers (see mergeClusterMetadata), so one node cut
   * off from its peers cannot hide a newer leader. It waits for every node, but at most
   * `metadataGraceMs` after the first answer, so a silent node costs only that.
   */
  private async fetchMetadata(): Promise<ClusterMetadata> {
    const addresses = this.addresses();
    const answers: ClusterMetadata[] = [];
    const errors: RaftlogError[] = [];
    await new Promise<void>((resolve) => {
      let pending = addresses.length;
      let grace: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(grace);
        resolve();
      };
      for (const address of addresses) {
        this.broker(address)
          .metadata({}, { timeoutMs: this.metadataTimeoutMs })
          .then(
            (response) => {
              answers.push(toClusterMetadata(response, Date.now()));
              grace ??= setTimeout(done, this.metadataGraceMs);
            },
            (error: unknown) => errors.push(toRaftlogError(error)),
          )
          .finally(() => {
            if (--pending === 0) done();
          });
      }
    });
    if (answers.length > 0) return this.install(mergeClusterMetadata(answers));
    const last = errors[errors.length - 1];
    throw new RaftlogError(
      'UNAVAILABLE',
      `no node answered Metadata (${addresses.join(', ')}): ${last?.message}`,
      { cause: last },
    );
  }

  private install(meta: ClusterMetadata): ClusterMetadata {
    this.current = meta;
    this.stale = false;
    for (const [key, o] of this.overrides) {
      const [topic, p] = splitKey(key);
      const term = meta.topics.get(topic)?.partitions[p]?.leaderTerm ?? 0;
      if (term > o.termSeen) this.overrides.delete(key);
    }
    return meta;
  }
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf('/');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

export function parseBootstrap(bootstrap: string | readonly string[]): string[] {
  const list = (typeof bootstrap === 'string' ? bootstrap.split(',') : [...bootstrap])
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (list.length === 0) throw new RaftlogError('INVALID_ARGUMENT', 'bootstrap needs at least one HOST:PORT');
  return list;
}
