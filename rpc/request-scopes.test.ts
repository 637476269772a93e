import { afterEach, describe, expect, it } from 'vitest';
import { RaftlogError } from '../lib/index.js';
import { BrokerService } from '../proto/gen/raftlog/v1/broker_pb.js';
import { createClient, requestLogFields, type RequestScope } from './index.js';
import { eventually, startService, stopAll } from './test-harness.js';

afterEach(stopAll);

const clientId = 'trace-1';
const traced = { metadata: { 'x-request-id': clientId } };

/**
 * A front service whose handler logs (by requestLogFields) and calls a back service on the client's
 * behalf; returns what the handler logged, the request id the back service saw and the front call's end.
 */
async function frontAndBack(requestScopes: boolean | undefined, fail = false) {
  let seenAtBack: string | undefined;
  const back = await startService(BrokerService, {
    metadata: (_req, ctx) => {
      seenAtBack = ctx.requestId;
      return Promise.resolve({ brokers: [], topics: [] });
    },
  });
  const onward = createClient(BrokerService, back.address);
  let logged: Record<string, unknown> | undefined;
  const ends: RequestScope[] = [];
  const front = await startService(
    BrokerService,
    {
      metadata: async () => {
        logged = requestLogFields();
        await onward.metadata({});
        if (fail) throw new RaftlogError('TOPIC_NOT_FOUND', 'no such topic');
        return { brokers: [], topics: [] };
      },
    },
    {
      implement: {
        onCallEnd: (scope) => ends.push(scope),
        ...(requestScopes === undefined ? {} : { requestScopes }),
      },
    },
  );
  const answer = await front.client.metadata({}, traced).catch((error: unknown) => error);
  await eventually(() => ends.length === 1);
  onward.close();
  return { logged, seenAtBack, end: ends[0], answer };
}

// Off means no call ever enters the module's AsyncLocalStorage, so its store reads as absent.
describe('request scopes', () => {
  it('off (the default): the handler logs without the id, onward calls get their own, the end still has it', async () => {
    const { logged, seenAtBack, end } = await frontAndBack(undefined);
    expect(logged).toEqual({});
    expect(seenAtBack).toBeDefined();
    expect(seenAtBack).not.toBe(clientId);
    expect(end).toEqual({ requestId: clientId, method: '/raftlog.v1.BrokerService/Metadata' });
  });

  it('off: a failed call ends with its error code', async () => {
    const { end, answer } = await frontAndBack(false, true);
    expect(answer).toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    expect(end).toMatchObject({ requestId: clientId, code: 'TOPIC_NOT_FOUND' });
  });

  it('on: log lines inside the call and the calls it makes onward carry its id', async () => {
    const { logged, seenAtBack, end } = await frontAndBack(true);
    expect(logged).toEqual({ requestId: clientId, method: '/raftlog.v1.BrokerService/Metadata' });
    expect(seenAtBack).toBe(clientId);
    expect(end).toEqual({ requestId: clientId, method: '/raftlog.v1.BrokerService/Metadata' });
  });

  it('on: a failed call ends with its error code', async () => {
    const { end, answer } = await frontAndBack(true, true);
    expect(answer).toMatchObject({ code: 'TOPIC_NOT_FOUND' });
    expect(end).toMatchObject({ requestId: clientId, code: 'TOPIC_NOT_FOUND' });
  });
});
