import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import type { ProduceStreamResponse } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { batchOf, eventually, sleep, startServices, stopServices } from './testing/start-services.js';

afterEach(stopServices);

describe('ProduceStream', () => {
  it('answers every batch by correlation id, each partition in request order', async () => {
    const { broker, api } = await startServices();
    // Appends finish in reverse order of arrival: later batches of a partition must still wait.
    api.produceHook = (_input, baseOffset) => sleep(baseOffset % 2 === 0 ? 40 : 5);
    const call = broker.produceStream();
    const n = 20;
    for (let i = 0; i < n; i++) {
      await call.send({
        correlationId: BigInt(i),
        produce: { topic: 't', partition: i % 2, batch: batchOf(`v${i}`) },
      });
    }
    call.end();
    const answers: ProduceStreamResponse[] = [];
    for await (const r of call.responses) answers.push(r);
    expect(answers).toHaveLength(n);
    for (const partition of [0, 1]) {
      const mine = answers.filter((a) => a.result!.partition === partition);
      expect(mine.map((a) => a.correlationId)).toEqual(
        Array.from({ length: n / 2 }, (_, k) => BigInt(2 * k + partition)),
      );
      expect(mine.map((a) => a.result!.baseOffset)).toEqual(
        Array.from({ length: n / 2 }, (_, k) => BigInt(k)),
      );
    }
    expect(api.appendsInFlightMax).toBeGreaterThan(1);
  });

  it('answers a failed batch with its error and keeps the stream open', async () => {
    const { broker, api } = await startServices();
    api.leaderElsewhere.set('t/1', '127.0.0.7:1');
    const call = broker.produceStream();
    await call.send({ correlationId: 1n, produce: { topic: 't', partition: 0, batch: batchOf('a') } });
    await call.send({
      correlationId: 2n,
      produce: { topic: 't', partition: 0, batch: new Uint8Array([7, 7]) },
    });
    await call.send({ correlationId: 3n, produce: { topic: 't', partition: 1, batch: batchOf('b') } });
    await call.send({ correlationId: 4n });
    await call.send({ correlationId: 5n, produce: { topic: 't', partition: 0, batch: batchOf('c') } });
    call.end();
    const byId = new Map<bigint, ProduceStreamResponse>();
    for await (const r of call.responses) byId.set(r.correlationId, r);
    expect(byId.get(1n)!.result).toMatchObject({ baseOffset: 0n });
    expect(byId.get(2n)!.result!.error).toMatchObject({ code: ErrorCode.CORRUPT_MESSAGE, retriable: false });
    expect(byId.get(3n)!.result!.error).toMatchObject({
      code: ErrorCode.NOT_LEADER,
      retriable: true,
      leaderHint: '127.0.0.7:1',
    });
    expect(byId.get(4n)!.result!.error).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    expect(byId.get(5n)!.result).toMatchObject({ baseOffset: 1n });
    expect(byId.get(5n)!.result!.error).toBeUndefined();
  });

  it('reads no more than the in-flight limit while appends are pending', async () => {
    const { broker, api } = await startServices({ produceStreamInflightMax: 4 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    api.produceHook = () => gate;
    const call = broker.produceStream();
    const sending = (async () => {
      for (let i = 0; i < 30; i++) {
        await call.send({
          correlationId: BigInt(i),
          produce: { topic: 't', partition: 0, batch: batchOf('x') },
        });
      }
      call.end();
    })();
    await eventually(() => api.produced.length === 4);
    await sleep(100);
    expect(api.produced).toHaveLength(4);
    release();
    let answered = 0;
    for await (const _ of call.responses) answered++;
    await sending;
    expect(answered).toBe(30);
    expect(api.appendsInFlightMax).toBe(4);
  });

  it('stops cleanly when the client cancels mid-stream', async () => {
    const { broker, api } = await startServices();
    const aborted: boolean[] = [];
    api.produceHook = (input) =>
      new Promise((resolve) => {
        if (input.signal?.aborted === true) resolve();
        input.signal?.addEventListener('abort', () => {
          aborted.push(true);
          resolve();
        });
      });
    const call = broker.produceStream();
    for (let i = 0; i < 5; i++) {
      await call.send({
        correlationId: BigInt(i),
        produce: { topic: 't', partition: 0, batch: batchOf('x') },
      });
    }
    await eventually(() => api.produced.length === 5);
    call.cancel();
    await eventually(() => aborted.length === 5);
    await eventually(() => api.appendsInFlight === 0);
    // The server is still healthy for the next stream.
    const next = broker.produceStream();
    api.produceHook = () => Promise.resolve();
    await next.send({ correlationId: 9n, produce: { topic: 't', partition: 0, batch: batchOf('y') } });
    next.end();
    const answers: bigint[] = [];
    for await (const r of next.responses) answers.push(r.correlationId);
    expect(answers).toEqual([9n]);
  });
});
