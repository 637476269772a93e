import { RaftlogError } from '../../lib/index.js';
import type { ControllerState } from '../controller/index.js';
import type { RaftGroup } from '../host/index.js';
import type { ControllerReplica } from './controller-replica.js';
import type { NodeClock } from './node-clock.js';
import type { PeerCalls } from './peer-clients.js';

/**
 * Resolves with the local controller state once `holds` is true of it, or with undefined after
 * `timeoutMs`. Woken by every applied controller entry, so it never polls.
 */
export async function waitForController(
  controller: ControllerReplica,
  clock: NodeClock,
  holds: (state: ControllerState) => boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ControllerState | undefined> {
  if (holds(controller.state)) return controller.state;
  const woken = new AbortController();
  const wake = (): void => woken.abort();
  const off = controller.onChange((state) => {
    if (holds(state)) wake();
  });
  signal?.addEventListener('abort', wake, { once: true });
  try {
    await clock.sleep(timeoutMs, woken.signal);
  } finally {
    off();
    signal?.removeEventListener('abort', wake);
  }
  return holds(controller.state) ? controller.state : undefined;
}

export interface CatchUpContext {
  readonly controller: ControllerReplica;
  readonly clock: NodeClock;
  readonly controllerGroup: () => RaftGroup | undefined;
  /** The address this node dials a peer at. */
  readonly peerAddress: (nodeId: number) => string | undefined;
  readonly peerClients: PeerCalls;
}

/**
 * Waits until the local controller replica has applied everything the controller leader had
 * committed when asked: afterwards it shows every command acknowledged before the call. Throws a
 * retriable error when the leader is unknown or the replica does not get there within `timeoutMs`.
 */
export async function catchUpController(ctx: CatchUpContext, timeoutMs: number): Promise<void> {
  const group = ctx.controllerGroup();
  if (group === undefined) throw new RaftlogError('UNAVAILABLE', 'the controller is not running');
  let target: number;
  if (group.isLeader()) {
    target = group.status().commit;
  } else {
    const address = group.leader === 0 ? undefined : ctx.peerAddress(group.leader);
    if (address === undefined) {
      throw new RaftlogError('COORDINATOR_NOT_AVAILABLE', 'the controller has no leader right now');
    }
    const status = await ctx.peerClients
      .admin(address)
      .clusterStatus({ omitPartitions: true }, { timeoutMs });
    target = Number(status.controller?.commitIndex ?? 0n);
  }
  const reached = await waitForController(
    ctx.controller,
    ctx.clock,
    (s) => s.appliedIndex >= target,
    timeoutMs,
  );
  if (reached === undefined) {
    throw new RaftlogError(
      'TIMEOUT',
      `the controller replica did not reach entry ${target} in ${timeoutMs} ms`,
    );
  }
}
