import { describe, expect, it } from 'vitest';
import type { RaftlogError } from '../../lib/index.js';
import { ManualClock, producerId } from '../../lib/index.js';
import type { RaftGroup } from '../host/index.js';
import { ControllerClient } from './controller-client.js';
import { controllerOutputToWire } from './controller-output-wire.js';
import { ControllerReplica } from './controller-replica.js';
import type { PeerCalls } from './peer-clients.js';

const settled = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A node following the controller led by node 2, whose leader applied the command at `index`. */
function follower(index: number) {
  const clock = new ManualClock();
  const controller = new ControllerReplica();
  const group = {
    isLeader: () => false,
    leader: 2,
    onLeaderChange: () => () => undefined,
  } as unknown as RaftGroup;
  const output = controllerOutputToWire({ type: 'producer-ids', firstProducerId: producerId(40), count: 1 });
  const peerClients = {
    peer: () => ({ proposeControllerCommand: () => Promise.resolve({ index: BigInt(index), output }) }),
  } as unknown as PeerCalls;
  const client = new ControllerClient({
    controller,
    controllerGroup: () => group,
    peerAddress: () => '127.0.0.2:8000',
    clientAddress: () => '127.0.0.2:7000',
    peerClients,
    clock,
  });
  /** This node's replica applies entries up to `to` (no state change: skips, as conf changes do). */
  const applyTo = (to: number): void => {
    controller.skip(to);
    controller.afterApply();
  };
  return { clock, client, applyTo };
}

describe('a forwarded controller command', () => {
  it('returns the typed output exactly when this replica applies the entry', async () => {
    const { clock, client, applyTo } = follower(5);
    let answer: unknown;
    void client.propose({ type: 'allocate-producer-ids', count: 1 }).then((o) => (answer = o));
    await settled();
    applyTo(4);
    await settled();
    expect(answer).toBeUndefined();
    applyTo(5);
    await settled();
    expect(answer).toEqual({ type: 'producer-ids', firstProducerId: 40, count: 1 });
    expect(clock.pendingCount).toBe(0);
  });

  it('times out when this replica does not get there in 10 s', async () => {
    const { clock, client } = follower(5);
    const outcome = client
      .propose({ type: 'allocate-producer-ids', count: 1 })
      .catch((e: RaftlogError) => e.code);
    await settled();
    clock.advance(10_000);
    await expect(outcome).resolves.toBe('TIMEOUT');
    expect(clock.pendingCount).toBe(0);
  });

  it('fails the wait when the node stops', async () => {
    const { clock, client } = follower(5);
    const outcome = client
      .propose({ type: 'allocate-producer-ids', count: 1 })
      .catch((e: RaftlogError) => e.code);
    await settled();
    client.stop();
    await expect(outcome).resolves.toBe('UNAVAILABLE');
    expect(clock.pendingCount).toBe(0);
  });
});
