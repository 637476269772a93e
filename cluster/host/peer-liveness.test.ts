import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Prng, seedsFrom, type Clock, type NodeId, type Timer } from '../../lib/index.js';
import { RaftLogStore } from '../../storage/index.js';
import { tempRocks } from '../../storage/test-helpers.js';
import { hostDefaults } from './host-config.js';
import {
  keepalive,
  keepaliveGroupId,
  MultiRaftHost,
  peerSilenceElectionTimeouts,
  type MessageSender,
} from './multi-raft-host.js';

const tickMs = 50;
const electionTimeoutTicks = 10;
const peer = 2 as NodeId;
const silenceTicksMax = electionTimeoutTicks * peerSilenceElectionTimeouts;

/** A clock whose time and ticks the test moves separately, as a stalled event loop does. */
class SteppedClock implements Clock {
  nowMs = 0;
  private ticker: (() => void) | undefined;
  now(): number {
    return this.nowMs;
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
  after(): Timer {
    return { cancel: () => {} };
  }
  every(_ms: number, fn: () => void): Timer {
    this.ticker = fn;
    return { cancel: () => (this.ticker = undefined) };
  }
  soon(fn: () => void): Timer {
    const immediate = setImmediate(fn);
    return { cancel: () => clearImmediate(immediate) };
  }
  tick(): void {
    this.ticker?.();
  }
}

const sender: MessageSender = { send: () => {}, connectedPeers: () => new Set() };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hostWith(clock: SteppedClock): Promise<MultiRaftHost> {
  const rocks = await tempRocks();
  const host = new MultiRaftHost(
    { ...hostDefaults, nodeId: 1 as NodeId, tickMs, electionTimeoutTicks, heartbeatIntervalTicks: 2 },
    rocks.kv,
    new RaftLogStore(rocks.kv),
    sender,
    pino({ level: 'silent' }),
    [peer],
    clock,
    seedsFrom(new Prng(1)),
  );
  cleanups.push(async () => {
    await host.stop();
    await rocks.cleanup();
  });
  host.start();
  return host;
}

function keepaliveFrom(host: MultiRaftHost): void {
  host.deliver(peer, [{ groupId: keepaliveGroupId, message: keepalive(peer, 1 as NodeId) }]);
}

describe('peer liveness', () => {
  it('a stall of this host alone does not make a peer dead: silence counts in its own ticks too', async () => {
    const clock = new SteppedClock();
    const host = await hostWith(clock);
    keepaliveFrom(host);
    // The event loop stalled for three election timeouts; its first tick after comes before it reads
    // the frames that waited meanwhile.
    clock.nowMs += 3 * silenceTicksMax * tickMs;
    clock.tick();
    expect(host.isAlive(peer)).toBe(true);
    for (let i = 1; i < silenceTicksMax - 1; i++) clock.tick();
    expect(host.isAlive(peer)).toBe(true);
    clock.tick();
    expect(host.isAlive(peer)).toBe(false);
  });

  it('a peer silent for a few election timeouts of regular ticks is dead', async () => {
    const clock = new SteppedClock();
    const host = await hostWith(clock);
    keepaliveFrom(host);
    for (let i = 0; i < silenceTicksMax - 1; i++) {
      clock.nowMs += tickMs;
      clock.tick();
    }
    expect(host.isAlive(peer)).toBe(true);
    clock.nowMs += tickMs;
    clock.tick();
    expect(host.isAlive(peer)).toBe(false);
  });
});
