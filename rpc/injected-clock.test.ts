import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, RaftlogError } from '../lib/index.js';
import { BrokerService } from '../proto/gen/raftlog/v1/broker_pb.js';
import { eventually, sleep, startService, stopAll } from './test-harness.js';

afterEach(stopAll);

describe("the server adapter keeps a call's time by its injected clock", () => {
  it('aborts a handler when its clock passes the deadline, not before', async () => {
    const clock = new ManualClock(Date.now());
    let handlerSaw: unknown;
    const { client } = await startService(
      BrokerService,
      {
        metadata: (_req, ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              handlerSaw = ctx.signal.reason;
              resolve({ brokers: [], topics: [] });
            });
          }),
      },
      { implement: { clock } },
    );
    const call = client.metadata({}, { timeoutMs: 60_000 });
    await sleep(200);
    // The deadline lies 60 s after the call began, a little later than the clock's start.
    clock.advance(59_000);
    await sleep(100);
    expect(handlerSaw).toBeUndefined();
    clock.advance(10_000);
    await eventually(() => handlerSaw !== undefined);
    expect(handlerSaw).toBeInstanceOf(RaftlogError);
    expect(handlerSaw).toMatchObject({ code: 'TIMEOUT' });
    await call;
  });

  it("reports a call's duration as its clock measured it", async () => {
    const clock = new ManualClock(Date.now());
    const durations: number[] = [];
    const { client } = await startService(
      BrokerService,
      {
        metadata: () => {
          clock.advance(1_234);
          return Promise.resolve({ brokers: [], topics: [] });
        },
      },
      { implement: { clock, onCallEnd: (_scope, elapsedMs) => durations.push(elapsedMs) } },
    );
    await client.metadata({});
    await eventually(() => durations.length === 1);
    expect(durations).toEqual([1_234]);
  });
});
