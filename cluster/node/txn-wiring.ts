import type { Logger } from 'pino';
import type { NodeId } from '../../lib/index.js';
import type { ControllerCommand, ControllerOutput } from '../controller/index.js';
import type { RaftGroup } from '../host/index.js';
import type { ControllerReplica } from './controller-replica.js';
import { catchUpController, type CatchUpContext } from './controller-wait.js';
import { leaderCaughtUp } from './leader-caught-up.js';
import { txnCatchUpMsMax } from './txn-produce-guard.js';
import type { NodeClock } from './node-clock.js';
import type { LocalPartition } from './partition-ops.js';
import type { PeerCalls } from './peer-clients.js';
import type { MarkerRequest, PartitionOutcome } from './txn-api.js';
import {
  coordinatorRoundMsDefault,
  transactionalIdExpirationMsDefault,
  TxnCoordinator,
} from './txn-coordinator.js';
import { writeMarkersHere } from './txn-markers.js';
import { TxnService } from './txn-service.js';
import { markerOutcomesFromProto } from './txn-proto.js';

export interface TxnWiring {
  readonly nodeId: NodeId;
  readonly clock: NodeClock;
  readonly logger: Logger;
  readonly controller: ControllerReplica;
  readonly controllerGroup: () => RaftGroup | undefined;
  readonly propose: (command: ControllerCommand) => Promise<ControllerOutput>;
  /** Every controller voter: id → the address this node dials it at. */
  readonly peers: ReadonlyMap<NodeId, string>;
  readonly peerClients: PeerCalls;
  /** Hosted partition replicas by group id. */
  readonly partitions: ReadonlyMap<number, LocalPartition>;
  readonly leaderOf: (topic: string, partition: number) => LocalPartition;
  readonly transactionalIdExpirationMs?: number;
}

/**
 * A marker is one small Raft append: a call still unanswered after this long goes to another replica
 * (duplicate markers are harmless), so a frozen leader costs an EndTxn seconds, not a call timeout
 * per try. Above the partition leader's own wait for the commit (txn-markers.ts).
 */
const markerCallTimeoutMs = 3_000;

/** Builds the node's transaction service and coordinator over its controller, partitions and peers. */
export function wireTransactions(w: TxnWiring): {
  service: TxnService;
  coordinator: TxnCoordinator;
  catchUp: CatchUpContext;
} {
  const peerAddress = (id: number): string | undefined =>
    w.peers.get(id as NodeId) ?? (w.controller.state.nodes.get(id as NodeId)?.peerAddress || undefined);
  const catchUp: CatchUpContext = {
    controller: w.controller,
    clock: w.clock,
    controllerGroup: w.controllerGroup,
    peerAddress,
    peerClients: w.peerClients,
  };
  const writeHere = (request: MarkerRequest): Promise<PartitionOutcome[]> =>
    writeMarkersHere({ ...catchUp, leaderOf: w.leaderOf }, request);
  const service = new TxnService({
    clock: w.clock,
    controller: w.controller,
    propose: w.propose,
    writeMarkers: writeHere,
    catchUp: () => catchUpController(catchUp, txnCatchUpMsMax),
  });
  const leaderAddress = (
    topic: string,
    partition: number,
    attempt: number,
    failed: string | undefined,
  ): string | undefined => {
    const a = w.controller.state.topics.get(topic)?.partitions[partition];
    if (a === undefined) return undefined;
    const known = w.partitions.get(a.groupId)?.group.leader ?? 0;
    // A frozen leader stays "known" until its followers elect another: skipping where the last try
    // failed keeps the next try from waiting out another call timeout there.
    const candidates = [known, ...a.replicas.map((_, i) => a.replicas[(attempt + i) % a.replicas.length])]
      .filter((id): id is NodeId => id !== undefined && id !== 0)
      .map((id) => peerAddress(id))
      .filter((address): address is string => address !== undefined);
    return candidates.find((address) => address !== failed) ?? candidates[0];
  };
  const send = async (address: string, request: MarkerRequest): Promise<PartitionOutcome[]> => {
    if (address === w.peers.get(w.nodeId)) return writeHere(request);
    const response = await w.peerClients.peer(address).writeTxnMarkers(
      {
        producerId: BigInt(request.producerId),
        producerEpoch: request.epoch,
        commit: request.commit,
        partitions: request.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
      },
      { timeoutMs: markerCallTimeoutMs },
    );
    return markerOutcomesFromProto(response.results);
  };
  const coordinator = new TxnCoordinator(
    {
      clock: w.clock,
      logger: w.logger,
      state: () => w.controller.state,
      isLeader: () => leaderCaughtUp(w.controllerGroup(), w.controller.state),
      propose: w.propose,
      send,
      leaderAddress,
    },
    {
      transactionalIdExpirationMs: w.transactionalIdExpirationMs ?? transactionalIdExpirationMsDefault,
      roundIntervalMs: coordinatorRoundMsDefault,
    },
  );
  return { service, coordinator, catchUp };
}
