import { afterEach, describe, expect, it } from 'vitest';
import { Health } from '../proto/gen/grpc/health/v1/health_pb.js';
import { HealthStatusBoard, ServingStatus } from './index.js';
import { startService, stopAll } from './test-harness.js';

afterEach(stopAll);

describe('grpc.health.v1', () => {
  it('answers Check and streams changes to Watch until the watcher leaves', async () => {
    const board = new HealthStatusBoard(2);
    board.set('raftlog.v1.BrokerService', ServingStatus.SERVING);
    const { client } = await startService(Health, board.impl());
    expect((await client.check({})).status).toBe(ServingStatus.SERVING);
    expect((await client.check({ service: 'nope' })).status).toBe(ServingStatus.SERVICE_UNKNOWN);

    const seen: ServingStatus[] = [];
    const watching = (async () => {
      for await (const r of client.watch({ service: 'raftlog.v1.BrokerService' })) {
        seen.push(r.status);
        if (seen.length === 1) board.set('raftlog.v1.BrokerService', ServingStatus.SERVING);
        if (seen.length === 1) board.setAllNotServing();
        if (seen.length === 2) break;
      }
    })();
    await watching;
    expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
    expect((await client.check({})).status).toBe(ServingStatus.NOT_SERVING);
  });

  it('computes a provided status on each Check, and reports NOT_SERVING once stopping', async () => {
    const board = new HealthStatusBoard();
    let reachable = true;
    board.setProvider('quorum', () => (reachable ? ServingStatus.SERVING : ServingStatus.NOT_SERVING));
    const { client } = await startService(Health, board.impl());
    expect((await client.check({ service: 'quorum' })).status).toBe(ServingStatus.SERVING);
    reachable = false;
    expect((await client.check({ service: 'quorum' })).status).toBe(ServingStatus.NOT_SERVING);
    reachable = true;
    board.setAllNotServing();
    expect((await client.check({ service: 'quorum' })).status).toBe(ServingStatus.NOT_SERVING);
  });

  it('bounds the number of watchers', async () => {
    const board = new HealthStatusBoard(1);
    const { client } = await startService(Health, board.impl());
    const first = client.watch({})[Symbol.asyncIterator]();
    await first.next();
    const secondWatch = client.watch({});
    const second = await secondWatch[Symbol.asyncIterator]()
      .next()
      .catch((e: unknown) => e);
    expect(second).toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    await first.return?.();
  });
});
