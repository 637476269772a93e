import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createClient } from '../../rpc/index.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { readNodeIdentity, writeNodeIdentity, type KvStore } from '../../storage/index.js';
import type { NodeConfig } from './node-config.js';

/** The exit code of a node refused because its data directory belongs to another node or cluster. */
export const identityMismatchExitCode = 78;

/** What a data directory written before node identities existed spoke on the wire. */
const legacyClusterId = 'raftlog';
// Generous: a refused connection fails at once, and a loaded peer must still get to answer.
const probeTimeoutMs = 3_000;
const probeRetryMs = 500;

/** The data directory belongs to another node id or another cluster: the node must not start. */
export class IdentityMismatchError extends Error {
  override readonly name = 'IdentityMismatchError';
}

export interface ResolvedIdentity {
  readonly clusterId: string;
  /**
   * The data directory was empty but the cluster had already formed (or it was, and the node has not
   * caught up since): this node forgot its votes and its log, so it must not vote in a group before
   * it has caught up with that group's leader.
   */
  readonly rejoining: boolean;
  /**
   * A formed cluster's controller does not count this node among its members (a node added by
   * scaling up): a controller replica it has not stored yet starts empty and is added by the
   * controller leader, learner first, from a snapshot; it is never bootstrapped from the peers list.
   */
  readonly joinController: boolean;
}

/** What a peer says about itself: its cluster id and whether its controller has ever elected. */
export interface PeerReport {
  readonly nodeId: number;
  readonly address: string;
  /** Empty while the peer is awaiting its own identity. */
  readonly clusterId: string;
  /**
   * The peer started on an empty data directory and is resolving its identity too: it holds nothing
   * and has voted nowhere (the `awaiting_identity` answer of ClusterStatus).
   */
  readonly awaitingIdentity: boolean;
  /** See `controllerFormed`. */
  readonly formed: boolean;
  /** The controller's voters and learners as the peer knows them. */
  readonly controllerMembers: readonly number[];
}

export type ProbePeers = (peers: ReadonlyMap<number, string>, logger: Logger) => Promise<PeerReport[]>;

/** What resolving an identity needs from outside: the probe, a pause, and a way to answer probes. */
export interface IdentityPorts {
  readonly probe?: ProbePeers;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * While this node waits on an empty directory, answers its peers' probes as awaiting its identity
   * (so nodes of a new cluster, all waiting, can count each other); resolves to how to stop answering.
   */
  readonly answerAsAwaiting?: () => Promise<() => Promise<void>>;
}

/**
 * How many other nodes must answer, none of them formed, before a node on an empty directory may take
 * the cluster for a new one. If anything was ever committed, a majority of the `votersTotal` stored it,
 * and at most one of them is this node (whose disk is gone), so at least quorum - 1 of the others hold
 * a term above 0; hearing from votersTotal - quorum + 1 of the others reaches one of them.
 */
export function answersForNewCluster(votersTotal: number): number {
  const quorum = Math.floor(votersTotal / 2) + 1;
  return Math.min(votersTotal - 1, votersTotal - quorum + 1);
}

/**
 * Whether a peer's controller shows that votes may have been cast: a term above 0 (with pre-vote, a
 * term moves only after a majority answered a pre-vote) or anything committed. A node starting on an
 * empty directory among such peers may have voted before it lost its disk, so it must not vote again
 * before it has caught up. Commit alone is not enough: a peer that was down through the elections
 * may have heard of a term without learning that anything was committed.
 */
export function controllerFormed(controller: {
  readonly term: bigint | number;
  readonly commitIndex: bigint | number;
}): boolean {
  return Number(controller.term) > 0 || Number(controller.commitIndex) > 0;
}

/**
 * Decides which cluster this node belongs to before anything runs, and refuses a data directory that
 * belongs to another node or cluster. The identity is written (fsynced) before any Raft group starts.
 */
export async function resolveNodeIdentity(
  kv: KvStore,
  config: Pick<NodeConfig, 'id' | 'peers' | 'dataDir' | 'clusterId'>,
  logger: Logger,
  ports: IdentityPorts = {},
): Promise<ResolvedIdentity> {
  const probe = ports.probe ?? probePeers;
  const others = new Map([...config.peers].filter(([id]) => id !== config.id));
  const stored = await readNodeIdentity(kv);
  if (stored.identity !== undefined) {
    const { nodeId, clusterId } = stored.identity;
    if (nodeId !== config.id) {
      throw new IdentityMismatchError(
        `data directory ${config.dataDir} belongs to node ${nodeId}, but this node was started as node ` +
          `${config.id}. Start it with --id ${nodeId}, or give node ${config.id} its own data directory.`,
      );
    }
    if (config.clusterId !== undefined && config.clusterId !== clusterId) {
      throw foreignCluster(config, clusterId, `the configured cluster id is ${config.clusterId}`);
    }
    const reports = (await probe(others, logger)).filter((r) => !r.awaitingIdentity);
    logger.info({ clusterId, peers: reports }, 'checked the stored identity against the peers that answered');
    const foreign = reports.find((p) => p.formed && p.clusterId !== clusterId);
    const unformed = reports.filter((p) => !p.formed && p.clusterId !== clusterId);
    // A peer of another id whose cluster never formed may be a wiped node that made up a new one.
    if (foreign === undefined && unformed.length > 0)
      logger.warn({ clusterId, peers: unformed }, 'peers of another cluster id that has not formed');
    if (foreign !== undefined) {
      throw foreignCluster(
        config,
        clusterId,
        `peer ${foreign.nodeId} at ${foreign.address} belongs to cluster ${foreign.clusterId}`,
      );
    }
    // A wiped node that restarted before it caught up still owes the catch-up: its marker says so.
    return { clusterId, rejoining: stored.rejoining, joinController: joinsController(config.id, reports) };
  }
  if (stored.hasData) {
    // Written before identities existed: it spoke the old fixed id, so its peers still do too.
    const clusterId = config.clusterId ?? legacyClusterId;
    await writeNodeIdentity(kv, { nodeId: config.id, clusterId });
    logger.info({ clusterId }, 'recorded the identity of a data directory written by an older version');
    return { clusterId, rejoining: false, joinController: false };
  }
  const stopAnswering = await (ports.answerAsAwaiting ?? answerNothing)();
  const resolved = await identityForEmptyDirectory(config, others, logger, {
    probe,
    sleep: ports.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  }).finally(stopAnswering);
  await writeNodeIdentity(kv, { nodeId: config.id, clusterId: resolved.clusterId }, resolved.rejoining);
  logger.info({ ...resolved }, 'recorded the identity of a new data directory');
  return resolved;
}

async function identityForEmptyDirectory(
  config: Pick<NodeConfig, 'id' | 'clusterId'>,
  others: ReadonlyMap<number, string>,
  logger: Logger,
  { probe, sleep }: Required<Pick<IdentityPorts, 'probe' | 'sleep'>>,
): Promise<ResolvedIdentity> {
  const lowest = Math.min(config.id, ...others.keys());
  const needed = answersForNewCluster(others.size + 1);
  for (let attempt = 0; ; attempt++) {
    const answers = await probe(others, logger);
    const reports = answers.filter((r) => !r.awaitingIdentity);
    const known = agreedClusterId(config, reports);
    if (known !== undefined && reports.some((r) => r.formed)) {
      return { clusterId: known, rejoining: true, joinController: joinsController(config.id, reports) };
    }
    // Nothing formed among enough answers: a new cluster (see answersForNewCluster). Its id comes from
    // the configuration or a peer that already recorded one; failing both, the lowest id makes it.
    if (answers.length >= needed) {
      if (known !== undefined) return { clusterId: known, rejoining: false, joinController: false };
      if (config.id === lowest) return { clusterId: randomUUID(), rejoining: false, joinController: false };
    }
    if (attempt === 0) {
      logger.info(
        { peers: Object.fromEntries(others), answersNeeded: needed, answered: answers.length },
        'empty data directory: waiting for enough peers to answer, or one to show a formed cluster',
      );
    }
    await sleep(probeRetryMs);
  }
}

/** The one cluster id of the configuration and the answering peers; refuses a disagreement. */
function agreedClusterId(
  config: Pick<NodeConfig, 'id' | 'clusterId'>,
  reports: readonly PeerReport[],
): string | undefined {
  const ids = new Set(reports.map((r) => r.clusterId));
  if (config.clusterId !== undefined) ids.add(config.clusterId);
  if (ids.size > 1) {
    const seen = reports.map((r) => `node ${r.nodeId} at ${r.address}: ${r.clusterId}`).join('; ');
    throw new IdentityMismatchError(
      `the peers of node ${config.id} do not agree on the cluster id` +
        `${config.clusterId === undefined ? '' : ` (configured: ${config.clusterId})`}: ${seen}. ` +
        'Check --peers and the cluster id setting.',
    );
  }
  return [...ids][0];
}

const answerNothing = (): Promise<() => Promise<void>> => Promise.resolve(() => Promise.resolve());

/**
 * A node the formed controller already counts (an initial voter, even one that lost its disk) starts
 * from the bootstrap configuration every initial voter holds, so the log from index 1 means the same
 * to it; any other node joins from a snapshot.
 */
function joinsController(id: number, reports: readonly PeerReport[]): boolean {
  const formed = reports.filter((r) => r.formed);
  return formed.length > 0 && !formed.some((r) => r.controllerMembers.includes(id));
}

function foreignCluster(
  config: Pick<NodeConfig, 'dataDir'>,
  stored: string,
  why: string,
): IdentityMismatchError {
  return new IdentityMismatchError(
    `data directory ${config.dataDir} belongs to cluster ${stored}, but ${why}. ` +
      "Point --data at this cluster's directory for this node, or empty it to join as a new copy.",
  );
}

/**
 * What a peer's ClusterStatus says, or nothing while its controller group has not started: its
 * listeners open before its groups load, and until then it reports term 0 and no commit whatever its
 * disk holds (a whole cluster restarting at once would otherwise tell a wiped node it is new).
 */
export function peerReport(
  nodeId: number,
  address: string,
  status: {
    readonly clusterId: string;
    readonly awaitingIdentity?: boolean;
    readonly controller?:
      | (Parameters<typeof controllerFormed>[0] & {
          readonly voters: readonly number[];
          readonly learners: readonly number[];
        })
      | undefined;
  },
): PeerReport | undefined {
  if (status.awaitingIdentity === true) {
    return { nodeId, address, clusterId: '', awaitingIdentity: true, formed: false, controllerMembers: [] };
  }
  const c = status.controller;
  const controllerMembers = [...(c?.voters ?? []), ...(c?.learners ?? [])];
  if (c === undefined || controllerMembers.length === 0) return undefined;
  return {
    nodeId,
    address,
    clusterId: status.clusterId,
    awaitingIdentity: false,
    formed: controllerFormed(c),
    controllerMembers,
  };
}

/** Asks every peer's Admin service which cluster it belongs to; silent or starting peers are left out. */
export async function probePeers(peers: ReadonlyMap<number, string>, logger: Logger): Promise<PeerReport[]> {
  const answers = await Promise.all(
    [...peers].map(async ([nodeId, address]): Promise<PeerReport | undefined> => {
      const client = createClient(AdminService, address);
      try {
        const status = await client.clusterStatus({ omitPartitions: true }, { timeoutMs: probeTimeoutMs });
        return peerReport(nodeId, address, status);
      } catch (error) {
        logger.debug({ peer: nodeId, address, err: error }, 'peer did not say which cluster it belongs to');
        return undefined;
      } finally {
        client.close();
      }
    }),
  );
  return answers.filter((a): a is PeerReport => a !== undefined);
}
