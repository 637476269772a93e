import { RaftlogError, type NodeId, type Prng } from '../../lib/index.js';
import type { NodeApi } from '../../cluster/node/index.js';
import type { ProcessClock } from './process-clock.js';

/** What a client needs of the cluster: the nodes that are up right now. */
export interface ClientView {
  upNodes(): { id: NodeId; api: NodeApi }[];
  node(id: NodeId): NodeApi | undefined;
  /** The node's current incarnation (the checker keys what it saw by it). */
  incarnation(id: NodeId): number;
}

export interface CallOutcome<T> {
  readonly ok: boolean;
  readonly value?: T;
  readonly error?: RaftlogError;
}

/** A client call that got no answer in time: the node may be dead, the outcome is unknown. */
const callTimeoutMs = 3_000;

/**
 * Calls one node (the given one, else a random up node) with the client's own timeout. A RaftlogError
 * is an answer; anything else thrown by the node is a bug and fails the run.
 */
export class ClientCalls {
  constructor(
    private readonly prng: Prng,
    private readonly clock: ProcessClock,
    readonly cluster: ClientView,
    private readonly fail: (error: unknown) => void,
  ) {}

  call<T>(run: (api: NodeApi) => Promise<T>, target?: NodeId): Promise<CallOutcome<T>> {
    const up = this.cluster.upNodes();
    const api =
      target !== undefined ? this.cluster.node(target) : up.length > 0 ? this.prng.pick(up).api : undefined;
    if (api === undefined) return this.clock.sleep(callTimeoutMs / 10).then(() => ({ ok: false }));
    return new Promise((resolve) => {
      const timer = this.clock.after(callTimeoutMs, () => resolve({ ok: false }));
      // NodeApi methods may throw before returning their promise: take both ways alike.
      new Promise<T>((ok) => ok(run(api))).then(
        (value) => {
          timer.cancel();
          resolve({ ok: true, value });
        },
        (error: unknown) => {
          timer.cancel();
          if (error instanceof RaftlogError) return resolve({ ok: false, error });
          this.fail(error);
          resolve({ ok: false });
        },
      );
    });
  }

  /** The partition's replica set and leader as a random up node sees them (stale views are fine). */
  partitionSeen(
    topic: string,
    partition: number,
  ): { replicas: readonly NodeId[]; leaderId: number } | undefined {
    const up = this.cluster.upNodes();
    if (up.length === 0) return undefined;
    try {
      const view = this.prng
        .pick(up)
        .api.describeTopic(topic)
        .partitionViews.find((v) => v.partition === partition);
      return view === undefined ? undefined : { replicas: view.replicas, leaderId: view.leaderId };
    } catch {
      return undefined; // the topic is not known there (yet, or any more)
    }
  }
}
