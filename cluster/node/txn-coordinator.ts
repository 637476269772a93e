import type { Logger } from 'pino';
import {
  isPrepareState,
  type ControllerCommand,
  type ControllerState,
  type TransactionalIdInfo,
} from '../controller/index.js';
import type { NodeClock } from './node-clock.js';
import { writeAllMarkers, type MarkerWriterPorts } from './txn-marker-writer.js';

export interface CoordinatorPorts extends MarkerWriterPorts {
  readonly logger: Logger;
  readonly clock: NodeClock;
  /** The local controller replica's state. */
  readonly state: () => ControllerState;
  /**
   * Whether this node leads the controller group and its state holds everything committed before
   * its term (leader-caught-up.ts): a leader whose state lags its log would take an end that a
   * predecessor completed, and that the producer's next transaction reached again at the same
   * producer id, epoch and decision, for the one it has pending, and complete it without markers.
   */
  readonly isLeader: () => boolean;
  readonly propose: (command: ControllerCommand) => Promise<unknown>;
}

export interface CoordinatorSettings {
  /** Transactional ids idle this long with no open transaction are forgotten. */
  readonly transactionalIdExpirationMs: number;
  /** How often the coordinator looks for work it was not woken for (timeouts, expiry, a new leadership). */
  readonly roundIntervalMs: number;
}

/** Kafka's transactional.id.expiration.ms. */
export const transactionalIdExpirationMsDefault = 7 * 24 * 60 * 60 * 1000;
export const coordinatorRoundMsDefault = 250;
/** At most this many timeout aborts proposed per round, so a backlog cannot flood the controller. */
const timeoutAbortsPerRoundMax = 100;
/** At most this many ends finished at once. */
const endsInFlightMax = 256;

/**
 * The transaction coordinator. It runs on every node but acts only on the controller leader: it
 * finishes every PREPARE_* transaction (markers to every partition, then COMPLETE_*), including
 * those a previous leader left half done; it aborts ONGOING transactions past their timeout; and it
 * expires idle transactional ids. All of its decisions are controller commands, so the state
 * survives any failover and a new leader simply picks up where the state says.
 */
export class TxnCoordinator {
  /** The ends being finished, as the records that decided them (see owns). */
  private readonly inFlight = new Set<TransactionalIdInfo>();
  private readonly stopped = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private lastExpiryCheckMs = 0;
  private kickedIds: ReadonlyMap<string, TransactionalIdInfo> | undefined;

  constructor(
    private readonly ports: CoordinatorPorts,
    private readonly settings: CoordinatorSettings,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
  }

  /** Called on every controller state change: a decided end starts its markers at once. */
  kick(force = false): void {
    if (this.stopped.signal.aborted || !this.ports.isLeader()) return;
    const ids = this.ports.state().transactionalIds;
    // Apply replaces the map whenever an id changes: an unchanged map has nothing new to finish
    // (the periodic round forces a look, for ends whose last attempt failed).
    if (ids === this.kickedIds && !force) return;
    this.kickedIds = ids;
    for (const info of ids.values()) {
      if (isPrepareState(info.state)) this.finish(info);
    }
  }

  /** One pass over every duty; exposed so tests can drive the coordinator step by step. */
  async round(): Promise<void> {
    if (!this.ports.isLeader()) return;
    await this.abortTimedOut();
    await this.expireIdle();
    this.kick(true);
  }

  private async run(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      await this.round().catch((error: unknown) =>
        this.ports.logger.debug({ err: error }, 'transaction coordinator round deferred'),
      );
      await this.ports.clock.sleep(this.settings.roundIntervalMs, this.stopped.signal);
    }
    // Ends in flight stop at their next step (keepGoing); nothing new is started.
  }

  private finish(info: TransactionalIdInfo): void {
    if (this.inFlight.has(info) || this.inFlight.size >= endsInFlightMax) return;
    this.inFlight.add(info);
    void this.complete(info)
      .catch((error: unknown) =>
        this.ports.logger.info(
          { err: error, transactionalId: info.transactionalId },
          'finishing a transaction deferred; the next round retries',
        ),
      )
      .finally(() => this.inFlight.delete(info));
  }

  /**
   * Still the leader, and the id still at this very end (not completed by anyone else meanwhile)?
   * Only the record itself tells: the producer's next transaction reaches the same producer id,
   * epoch and PREPARE_* state again, and an end that another leader finished while this one's
   * call hung would otherwise take it for its own and complete it without its markers. Apply
   * replaces the record on every change, so an unchanged record is the same end.
   */
  private owns(info: TransactionalIdInfo): boolean {
    if (this.stopped.signal.aborted || !this.ports.isLeader()) return false;
    return this.ports.state().transactionalIds.get(info.transactionalId) === info;
  }

  private async complete(info: TransactionalIdInfo): Promise<void> {
    const commit = info.state === 'prepare-commit';
    const started = this.ports.clock.now();
    const marked = await writeAllMarkers(
      this.ports,
      { producerId: info.producerId, epoch: info.epoch, commit, partitions: info.partitions },
      () => this.owns(info),
    );
    if (!marked || !this.owns(info)) return;
    await this.ports.propose({
      type: 'complete-end-txn',
      transactionalId: info.transactionalId,
      producerId: info.producerId,
      epoch: info.epoch,
      commit,
    });
    this.ports.logger.debug(
      {
        transactionalId: info.transactionalId,
        commit,
        partitions: info.partitions.length,
        ms: this.ports.clock.now() - started,
      },
      'transaction completed',
    );
  }

  private async abortTimedOut(): Promise<void> {
    const now = this.ports.clock.now();
    const expired = [...this.ports.state().transactionalIds.values()]
      .filter((i) => i.state === 'ongoing' && now - i.startedAtMs >= i.transactionTimeoutMs)
      .slice(0, timeoutAbortsPerRoundMax);
    for (const info of expired) {
      this.ports.logger.info(
        { transactionalId: info.transactionalId, ageMs: now - info.startedAtMs },
        'aborting a transaction past its timeout',
      );
      // Judged again in apply by the entry's time; a refusal (it ended meanwhile) changes nothing.
      await this.ports
        .propose({
          type: 'abort-timed-out-txn',
          transactionalId: info.transactionalId,
          producerId: info.producerId,
          epoch: info.epoch,
        })
        .catch((error: unknown) =>
          this.ports.logger.debug(
            { err: error, transactionalId: info.transactionalId },
            'timeout abort refused',
          ),
        );
    }
  }

  private async expireIdle(): Promise<void> {
    const now = this.ports.clock.now();
    const idleMs = this.settings.transactionalIdExpirationMs;
    // Expiry is coarse by nature: look at most once a minute (or once per expiration time if shorter).
    if (now - this.lastExpiryCheckMs < Math.min(60_000, idleMs)) return;
    this.lastExpiryCheckMs = now;
    const any = [...this.ports.state().transactionalIds.values()].some(
      (i) => !isPrepareState(i.state) && i.state !== 'ongoing' && now - i.updatedAtMs >= idleMs,
    );
    if (any) await this.ports.propose({ type: 'expire-transactional-ids', idleMsMin: idleMs });
  }
}
