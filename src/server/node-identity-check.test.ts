import { describe, expect, it } from 'vitest';
import { clearRejoining, MemoryKvStore } from '../../storage/index.js';
import { silentLogger } from '../obs/index.js';
import { loadNodeConfig } from './node-config.js';
import {
  answersForNewCluster,
  controllerFormed,
  peerReport,
  resolveNodeIdentity,
  type PeerReport,
} from './node-identity-check.js';

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
        awaitingIdentity: false,
        formed: true,
        controllerMembers: members,
      })),
    );

describe('resolveNodeIdentity: joining the controller', () => {
  it('an initial voter with an empty disk keeps the bootstrap configuration, and waits to vote', async () => {
    const identity = await resolveNodeIdentity(new MemoryKvStore(), config(2), silentLogger(), {
      probe: formedWith([1, 2, 3]),
    });
    expect(identity).toEqual({ clusterId: 'c1', rejoining: true, joinController: false });
  });

  it('a node the formed controller does not count joins it, also when it names itself a seed', async () => {
    const added = await resolveNodeIdentity(new MemoryKvStore(), config(4), silentLogger(), {
      probe: formedWith([1, 2, 3]),
    });
    expect(added.joinController).toBe(true);
    const named = loadNodeConfig(
      { id: '4', listen: '127.0.0.1:1', peers: `${seeds},4=127.0.0.1:9094`, dataDir: '/d' },
      {},
    );
    const overlay = await resolveNodeIdentity(new MemoryKvStore(), named, silentLogger(), {
      probe: formedWith([1, 2, 3]),
    });
    expect(overlay.joinController).toBe(true);
  });

  it('a restarted node that already joined is a member and starts from what it stored', async () => {
    const kv = new MemoryKvStore();
    await resolveNodeIdentity(kv, config(5), silentLogger(), { probe: formedWith([1, 2, 3]) });
    const again = await resolveNodeIdentity(kv, config(5), silentLogger(), {
      probe: formedWith([1, 2, 3, 5]),
    });
    // Started on an empty directory in a formed cluster, it has not recorded its catch-up yet.
    expect(again).toEqual({ clusterId: 'c1', rejoining: true, joinController: false });
    await clearRejoining(kv);
    const caughtUp = await resolveNodeIdentity(kv, config(5), silentLogger(), {
      probe: formedWith([1, 2, 3, 5]),
    });
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
      awaitingIdentity: false,
      formed: true,
      controllerMembers: [1, 2, 3],
    });
  });
});

/** Peers answering as the map says: 'awaiting', 'new' (unformed member of c1), 'formed'; absent: silent. */
const answering =
  (answers: ReadonlyMap<number, 'awaiting' | 'new' | 'formed'>) =>
  (peers: ReadonlyMap<number, string>): Promise<PeerReport[]> =>
    Promise.resolve(
      [...peers].flatMap(([nodeId, address]) => {
        const kind = answers.get(nodeId);
        if (kind === undefined) return [];
        return [
          {
            nodeId,
            address,
            clusterId: kind === 'awaiting' ? '' : 'c1',
            awaitingIdentity: kind === 'awaiting',
            formed: kind === 'formed',
            controllerMembers: kind === 'awaiting' ? [] : [1, 2, 3],
          },
        ];
      }),
    );

describe('resolveNodeIdentity: an empty directory and a new cluster', () => {
  it('needs answers from enough peers that one of them would have stored anything ever committed', () => {
    expect([1, 2, 3, 4, 5, 7].map(answersForNewCluster)).toEqual([0, 1, 2, 2, 3, 4]);
  });

  it('waits while the only peer answering never saw a term: the silent one may hold what the cluster committed', async () => {
    // The seeds 2677 and 7480 of the whole-node simulation: node 1 lost its disk, node 2 had been
    // down through every election, node 3 (down) held the committed controller entries.
    const answers = new Map<number, 'awaiting' | 'new' | 'formed'>([[2, 'new']]);
    const pauses: number[] = [];
    const sleep = (ms: number): Promise<void> => {
      pauses.push(ms);
      if (pauses.length === 3) answers.set(3, 'formed');
      return Promise.resolve();
    };
    const identity = await resolveNodeIdentity(
      new MemoryKvStore(),
      { ...config(1), clusterId: 'c1' },
      silentLogger(),
      { probe: answering(answers), sleep },
    );
    expect(pauses.length).toBe(3);
    expect(identity).toEqual({ clusterId: 'c1', rejoining: true, joinController: false });
  });

  it('forms a new cluster once every peer answers awaiting; only the lowest id makes up a cluster id', async () => {
    const allAwaiting = answering(
      new Map([
        [1, 'awaiting'],
        [2, 'awaiting'],
        [3, 'awaiting'],
      ]),
    );
    let answered = 0;
    const answerAsAwaiting = () => {
      answered++;
      return Promise.resolve(() => {
        answered--;
        return Promise.resolve();
      });
    };
    const first = await resolveNodeIdentity(new MemoryKvStore(), config(1), silentLogger(), {
      probe: allAwaiting,
      answerAsAwaiting,
    });
    expect(first.rejoining).toBe(false);
    expect(first.clusterId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answered).toBe(0);

    let pauses = 0;
    const second = resolveNodeIdentity(new MemoryKvStore(), config(2), silentLogger(), {
      probe: allAwaiting,
      sleep: () => (++pauses === 5 ? Promise.reject(new Error('still waiting')) : Promise.resolve()),
    });
    await expect(second).rejects.toThrow('still waiting');
  });

  it('a single node forms at once; a configured id with one peer of two answering new still waits', async () => {
    const single = loadNodeConfig({ id: '1', listen: '127.0.0.1:1', dataDir: '/d' }, {});
    const alone = await resolveNodeIdentity(new MemoryKvStore(), single, silentLogger(), {
      probe: answering(new Map()),
    });
    expect(alone.rejoining).toBe(false);
    let pauses = 0;
    const waiting = resolveNodeIdentity(
      new MemoryKvStore(),
      { ...config(3), clusterId: 'c1' },
      silentLogger(),
      {
        probe: answering(new Map([[1, 'new']])),
        sleep: () => (++pauses === 4 ? Promise.reject(new Error('still waiting')) : Promise.resolve()),
      },
    );
    await expect(waiting).rejects.toThrow('still waiting');
    const both = await resolveNodeIdentity(
      new MemoryKvStore(),
      { ...config(3), clusterId: 'c1' },
      silentLogger(),
      {
        probe: answering(
          new Map([
            [1, 'new'],
            [2, 'awaiting'],
          ]),
        ),
      },
    );
    expect(both).toEqual({ clusterId: 'c1', rejoining: false, joinController: false });
  });
});

describe('peerReport of a node awaiting its identity', () => {
  it('counts as an answer without a cluster id', () => {
    expect(peerReport(3, 'a:3', { clusterId: '', awaitingIdentity: true })).toEqual({
      nodeId: 3,
      address: 'a:3',
      clusterId: '',
      awaitingIdentity: true,
      formed: false,
      controllerMembers: [],
    });
  });
});
