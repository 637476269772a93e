import { describe, expect, it } from 'vitest';
import { clearRejoining, MemoryKvStore } from '../../storage/index.js';
import { silentLogger } from '../obs/index.js';
import { loadNodeConfig } from './node-config.js';
import { controllerFormed, peerReport, resolveNodeIdentity, type PeerReport } from './node-identity-check.js';

const seeds = '1=127.0.0.1:9091,2=127.0.0.1:9092,3=127.0.0.1:9093';
const config = (id: number) =>
  loadNodeConfig({ id: String(id), listen: '127.0.0.1:1', peers: seeds, dataDir: '/d' }, {});

/** Every seed answers as a member of a formed cluster whose controller has these members. */
const formedWith =
  (members: readonly number[]) =>
  (peers: ReadonlyMap<number, string>): Promise<PeerReport[]> =>
    Promise.resolve(
      [...peers].map(([nodeId, address]) => ({
        nodeId,
        address,
        clusterId: 'c1',
        formed: true,
        controllerMembers: members,
      })),
    );

describe('resolveNodeIdentity: joining the controller', () => {
  it('an initial voter with an empty disk keeps the bootstrap configuration, and waits to vote', async () => {
    const identity = await resolveNodeIdentity(
      new MemoryKvStore(),
      config(2),
      silentLogger(),
      formedWith([1, 2, 3]),
    );
    expect(identity).toEqual({ clusterId: 'c1', rejoining: true, joinController: false });
  });

  it('a node the formed controller does not count joins it, also when it names itself a seed', async () => {
    const added = await resolveNodeIdentity(
      new MemoryKvStore(),
      config(4),
      silentLogger(),
      formedWith([1, 2, 3]),
    );
    expect(added.joinController).toBe(true);
    const named = loadNodeConfig(
      { id: '4', listen: '127.0.0.1:1', peers: `${seeds},4=127.0.0.1:9094`, dataDir: '/d' },
      {},
    );
    const overlay = await resolveNodeIdentity(
      new MemoryKvStore(),
      named,
      silentLogger(),
      formedWith([1, 2, 3]),
    );
    expect(overlay.joinController).toBe(true);
  });

  it('a restarted node that already joined is a member and starts from what it stored', async () => {
    const kv = new MemoryKvStore();
    await resolveNodeIdentity(kv, config(5), silentLogger(), formedWith([1, 2, 3]));
    const again = await resolveNodeIdentity(kv, config(5), silentLogger(), formedWith([1, 2, 3, 5]));
    // Started on an empty directory in a formed cluster, it has not recorded its catch-up yet.
    expect(again).toEqual({ clusterId: 'c1', rejoining: true, joinController: false });
    await clearRejoining(kv);
    const caughtUp = await resolveNodeIdentity(kv, config(5), silentLogger(), formedWith([1, 2, 3, 5]));
    expect(caughtUp).toEqual({ clusterId: 'c1', rejoining: false, joinController: false });
  });
});

describe('controllerFormed', () => {
  it('counts a term without a known commit: a peer down through the elections heard of them but learned no commit', () => {
    expect(controllerFormed({ term: 0n, commitIndex: 0n })).toBe(false);
    expect(controllerFormed({ term: 2n, commitIndex: 0n })).toBe(true);
    expect(controllerFormed({ term: 2, commitIndex: 7 })).toBe(true);
  });
});

describe('peerReport', () => {
  it('leaves out a peer whose controller has not started: it would report term 0 whatever its disk holds', () => {
    const starting = { clusterId: 'c1', controller: { term: 0n, commitIndex: 0n, voters: [], learners: [] } };
    expect(peerReport(2, 'a:1', starting)).toBeUndefined();
    const started = {
      clusterId: 'c1',
      controller: { term: 3n, commitIndex: 0n, voters: [1, 2, 3], learners: [] },
    };
    expect(peerReport(2, 'a:1', started)).toEqual({
      nodeId: 2,
      address: 'a:1',
      clusterId: 'c1',
      formed: true,
      controllerMembers: [1, 2, 3],
    });
  });
});
