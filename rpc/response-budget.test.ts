import { connect } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerService } from '../proto/gen/raftlog/v1/broker_pb.js';
import { ResponseBudgets } from './response-budget.js';
import { eventually, sleep, startService, stopAll, unreadCall } from './test-harness.js';

afterEach(stopAll);

const live = (): AbortSignal => new AbortController().signal;
const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await sleep(0);
  return done;
};

describe('response budgets per connection', () => {
  it('admits while the bytes fit, then in arrival order as bytes come back', async () => {
    const budgets = new ResponseBudgets(100);
    const a = budgets.forCall('c1');
    const b = budgets.forCall('c1');
    const first = await a.reserve(60, live());
    const second = b.reserve(60, live());
    const third = b.reserve(10, live());
    expect(await settled(second)).toBe(false);
    // Fits, but waits behind the larger one that came first.
    expect(await settled(third)).toBe(false);
    first.release();
    expect(await settled(second)).toBe(true);
    expect(await settled(third)).toBe(true);
  });

  it('always admits on a connection holding nothing, however large', async () => {
    const budgets = new ResponseBudgets(100);
    const hold = await budgets.forCall('c1').reserve(1_000, live());
    expect(await settled(budgets.forCall('c1').reserve(1, live()))).toBe(false);
    expect(await settled(budgets.forCall('c2').reserve(1, live()))).toBe(true);
    hold.release();
  });

  it('gives back what a response did not use', async () => {
    const budgets = new ResponseBudgets(100);
    const hold = await budgets.forCall('c1').reserve(100, live());
    const waiting = budgets.forCall('c1').reserve(50, live());
    hold.resizeTo(50);
    expect(await settled(waiting)).toBe(true);
  });

  it('counts what an answer holds beyond its reservation, at once, until it is released', async () => {
    const budgets = new ResponseBudgets(100);
    const hold = await budgets.forCall('c1').reserve(40, live());
    // One message larger than the reservation: the answer holds 150 bytes whatever the limit says.
    hold.resizeTo(150);
    const waiting = budgets.forCall('c1').reserve(1, live());
    expect(await settled(waiting)).toBe(false);
    hold.resizeTo(60);
    expect(await settled(waiting)).toBe(true);
    hold.release();
    hold.resizeTo(500);
    expect(await settled(budgets.forCall('c1').reserve(99, live()))).toBe(true);
  });

  it('drops a waiting reservation whose signal aborts, letting the ones behind it in', async () => {
    const budgets = new ResponseBudgets(100);
    await budgets.forCall('c1').reserve(90, live());
    const controller = new AbortController();
    const large = budgets.forCall('c1').reserve(50, controller.signal);
    const small = budgets.forCall('c1').reserve(10, live());
    expect(await settled(small)).toBe(false);
    controller.abort(new Error('cancelled'));
    await expect(large).rejects.toThrow('cancelled');
    expect(await settled(small)).toBe(true);
  });

  it('takes everything back once the call is over and its handler returned', async () => {
    const budgets = new ResponseBudgets(100);
    const call = budgets.forCall('c1');
    await call.reserve(80, live());
    const pending = call.reserve(80, live());
    const other = budgets.forCall('c1');
    const waiting = other.reserve(80, live());
    call.callEnded();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    // Cancelled, but its handler may still be reading: the room stays taken until it returns.
    expect(await settled(waiting)).toBe(false);
    call.handlerDone();
    expect(await settled(waiting)).toBe(true);
    other.callEnded();
    other.handlerDone();
    expect(budgets.connectionCount).toBe(0);
    await expect(call.reserve(1, live())).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('unary answers a client does not read', () => {
  it('stop the connection’s handlers at the budget, even while the client goes', async () => {
    let started = 0;
    let reading = 0;
    let readingMax = 0;
    const answer = new Uint8Array(1024 * 1024);
    const budgets = new ResponseBudgets(4 * answer.length);
    const { address } = await startService(
      BrokerService,
      {
        async fetch(_req, ctx) {
          await ctx.holdResponseBytes(answer.length);
          started++;
          readingMax = Math.max(readingMax, ++reading);
          // A storage read is not cancelled with its call.
          await sleep(20);
          reading--;
          return { partitions: [{ records: answer }] };
        },
      },
      { server: { responseBudgets: budgets } },
    );
    // HTTP/2's 64 KiB windows: the first answer fills them and nothing after it goes out.
    const session = connect(`http://${address}`);
    session.on('error', () => undefined);
    for (let i = 0; i < 20; i++) unreadCall(session, '/raftlog.v1.BrokerService/Fetch');
    await eventually(() => started === 4);
    await sleep(300);
    // Without the budget all 20 answers (20 MiB) would be held for this client.
    expect(started).toBe(4);
    expect(budgets.connectionCount).toBe(1);
    session.destroy();
    // Every call on the connection is cancelled: its holds and waiting reservations go with it, and
    // the calls let in meanwhile never read more than the budget at once.
    await eventually(() => budgets.connectionCount === 0 && reading === 0);
    expect(readingMax).toBeLessThanOrEqual(4);
  });

  it('lets a client that reads run more calls than the budget holds at once', async () => {
    const answer = new Uint8Array(256 * 1024);
    let inHandler = 0;
    let inHandlerMax = 0;
    const { client } = await startService(
      BrokerService,
      {
        async fetch(_req, ctx) {
          await ctx.holdResponseBytes(answer.length);
          inHandlerMax = Math.max(inHandlerMax, ++inHandler);
          await sleep(5);
          inHandler--;
          return { partitions: [{ records: answer }] };
        },
      },
      { server: { responseBudgets: new ResponseBudgets(2 * answer.length) } },
    );
    const answers = await Promise.all(Array.from({ length: 32 }, () => client.fetch({})));
    expect(answers.every((a) => a.partitions[0]?.records.length === answer.length)).toBe(true);
    expect(inHandlerMax).toBeLessThanOrEqual(2);
  });
});
