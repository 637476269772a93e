import { RaftlogError, type NodeId } from '../../lib/index.js';
import {
  decodeControllerEntry,
  encodeControllerEntry,
  requireCommandActive,
  type ControllerCommand,
  type ControllerOutput,
  type ControllerResult,
} from '../controller/index.js';
import type { RaftGroup } from '../host/index.js';
import type { ControllerCommandOutput } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { AppliedIndexWaiters } from './applied-index-waiters.js';
import { controllerOutputFromWire, controllerOutputToWire } from './controller-output-wire.js';
import type { ControllerReplica } from './controller-replica.js';
import type { NodeClock } from './node-clock.js';
import { notLeader } from './partition-ops.js';
import type { PeerCalls } from './peer-clients.js';
import { within } from './within.js';

export interface ControllerClientDeps {
  readonly controller: ControllerReplica;
  readonly controllerGroup: () => RaftGroup | undefined;
  /** The address this node dials a peer at (its peer listener, where PeerService is served). */
  readonly peerAddress: (nodeId: NodeId) => string | undefined;
  /** The client address of a node, for NOT_LEADER hints. */
  readonly clientAddress: (nodeId: NodeId | 0) => string | undefined;
  readonly peerClients: PeerCalls;
  readonly clock: NodeClock;
}

const controllerTimeoutMs = 10_000;

/**
 * How this node changes cluster metadata: a command is proposed here when this node leads the
 * controller, else forwarded to the leader; either way the call returns once this node's own
 * controller replica has applied it, so the caller reads its own write.
 */
export class ControllerClient {
  private readonly applied: AppliedIndexWaiters;

  constructor(private readonly deps: ControllerClientDeps) {
    this.applied = new AppliedIndexWaiters(deps.clock);
    deps.controller.onApplied((index) => this.applied.applied(index));
  }

  async propose(command: ControllerCommand): Promise<ControllerOutput> {
    const group = this.runningGroup();
    const entry = encodeControllerEntry({ timestampMs: this.deps.clock.now(), command });
    if (group.isLeader()) return (await this.proposeEntry(entry)).output;
    const address = group.leader === 0 ? undefined : this.deps.peerAddress(group.leader);
    if (address === undefined) throw notLeader('the controller', 0, undefined);
    const response = await this.forward(group, address, entry);
    await this.waitApplied(Number(response.index));
    return controllerOutputFromWire(response.output, (name) => this.deps.controller.state.topics.get(name));
  }

  /** Serves another node's forwarded command (PeerService.ProposeControllerCommand) on the leader. */
  async answerForwarded(entry: Uint8Array): Promise<{ index: bigint; output: ControllerCommandOutput }> {
    const { index, output } = await this.proposeEntry(entry);
    return { index: BigInt(index), output: controllerOutputToWire(output) };
  }

  /** On the controller leader: proposes an encoded command (restamped now) and waits for its result. */
  async proposeEntry(entry: Uint8Array): Promise<{ index: number; output: ControllerOutput }> {
    const group = this.runningGroup();
    if (!group.isLeader())
      throw notLeader('the controller', group.leader, this.deps.clientAddress(group.leader));
    const { command } = decodeControllerEntry(entry);
    requireCommandActive(this.deps.controller.state, command);
    const proposal = group.propose(encodeControllerEntry({ timestampMs: this.deps.clock.now(), command }));
    const result = (await within(
      this.deps.clock,
      proposal.applied,
      controllerTimeoutMs,
      'controller command not applied',
    )) as ControllerResult;
    if (!result.ok) throw new RaftlogError(result.code, result.message);
    return { index: proposal.index, output: result.output };
  }

  /** Fails the calls still waiting for this node's replica to apply their command. */
  stop(): void {
    this.applied.failAll(new RaftlogError('UNAVAILABLE', 'the node is stopping'));
  }

  private runningGroup(): RaftGroup {
    const group = this.deps.controllerGroup();
    if (group === undefined) throw new RaftlogError('UNAVAILABLE', 'the controller is not running');
    return group;
  }

  /**
   * Sends a command to the controller leader, giving up as soon as this node sees the controller's
   * leadership change: a leader cut off from its peers would otherwise hold the call for the whole
   * timeout. The outcome is then unknown, hence a retriable UNAVAILABLE rather than NOT_LEADER.
   */
  private async forward(group: RaftGroup, address: string, entry: Uint8Array) {
    const moved = new AbortController();
    const off = group.onLeaderChange(() => moved.abort());
    try {
      return await this.deps.peerClients
        .peer(address)
        .proposeControllerCommand({ entry }, { timeoutMs: controllerTimeoutMs, signal: moved.signal });
    } catch (error) {
      if (!moved.signal.aborted) throw error;
      throw new RaftlogError(
        'UNAVAILABLE',
        'the controller leader changed while the command was forwarded; it may or may not have been applied',
        { cause: error },
      );
    } finally {
      off();
    }
  }

  /**
   * The leader applied the entry, so it is committed and this replica will apply it too; a change of
   * controller leadership meanwhile does not undo it, so only the deadline or a stop ends the wait.
   */
  private waitApplied(index: number): Promise<void> {
    if (this.deps.controller.state.appliedIndex >= index) return Promise.resolve();
    return this.applied.wait(index, controllerTimeoutMs);
  }
}
