import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { CoordinatorClient } from './coordinator-client.js';

/** Nodes that answer FindCoordinator from a script and log which node each call reached. */
function nodes(findAnswers: (RaftlogError | string)[]) {
  const calls: string[] = [];
  const client = {
    addresses: () => ['n1:1', 'n2:1'],
    broker: (address: string) =>
      ({
        findCoordinator: async () => {
          calls.push(`find@${address}`);
          const next = findAnswers.shift() ?? 'n2:1';
          if (next instanceof RaftlogError) throw next;
          return { nodeId: 2, address: next };
        },
        heartbeat: async () => {
          calls.push(`call@${address}`);
          return {};
        },
      }) as never,
  };
  return { client, calls };
}

const fast = { backoffBaseMs: 1, backoffMaxMs: 2, leaderBackoffMaxMs: 2 };

describe('CoordinatorClient', () => {
  it('looks the coordinator up once and goes straight to it afterwards', async () => {
    const { client, calls } = nodes(['n2:1']);
    const c = new CoordinatorClient(client, { kind: 'group', key: 'g' }, fast);
    await c.call((b) => b.heartbeat({}));
    await c.call((b) => b.heartbeat({}));
    expect(calls).toEqual(['find@n1:1', 'call@n2:1', 'call@n2:1']);
  });

  it('looks again after NOT_COORDINATOR and retries the call there', async () => {
    const { client, calls } = nodes(['n1:1', 'n2:1']);
    const c = new CoordinatorClient(client, { kind: 'transaction', key: 't' }, fast);
    let first = true;
    await c.call(async (b) => {
      if (first) {
        first = false;
        throw new RaftlogError('NOT_COORDINATOR', 'moved');
      }
      return b.heartbeat({});
    });
    expect(calls).toEqual(['find@n1:1', 'find@n2:1', 'call@n2:1']);
  });

  it('hands REBALANCE_IN_PROGRESS and non-retriable errors back at once', async () => {
    const { client } = nodes([]);
    const c = new CoordinatorClient(client, { kind: 'group', key: 'g' }, fast);
    let attempts = 0;
    const failWith = (code: 'REBALANCE_IN_PROGRESS' | 'UNKNOWN_MEMBER_ID') =>
      c.call(async () => {
        attempts++;
        throw new RaftlogError(code, code);
      });
    await expect(failWith('REBALANCE_IN_PROGRESS')).rejects.toMatchObject({ code: 'REBALANCE_IN_PROGRESS' });
    await expect(failWith('UNKNOWN_MEMBER_ID')).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
    expect(attempts).toBe(2);
  });

  it('uses the node it asked when FindCoordinator is not served (any node forwards)', async () => {
    const { client, calls } = nodes([new RaftlogError('UNIMPLEMENTED', 'no')]);
    const c = new CoordinatorClient(client, { kind: 'group', key: 'g' }, fast);
    await c.call((b) => b.heartbeat({}));
    expect(calls).toEqual(['find@n1:1', 'call@n1:1']);
  });

  it('retries CONCURRENT_TRANSACTIONS until the deadline', async () => {
    const { client } = nodes([]);
    const c = new CoordinatorClient(client, { kind: 'transaction', key: 't' }, fast);
    let attempts = 0;
    await expect(
      c.call(
        async () => {
          attempts++;
          throw new RaftlogError('CONCURRENT_TRANSACTIONS', 'busy');
        },
        { timeoutMs: 100 },
      ),
    ).rejects.toMatchObject({ code: 'CONCURRENT_TRANSACTIONS' });
    expect(attempts).toBeGreaterThan(3);
  });
});
