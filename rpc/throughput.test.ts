import { afterEach, describe, expect, it } from 'vitest';
import { BrokerService } from '../proto/gen/raftlog/v1/broker_pb.js';
import { startService, stopAll } from './test-harness.js';

// Throughput through the adapter on this machine; long, so it runs only with RAFTLOG_RPC_BENCH=1.
const enabled = process.env['RAFTLOG_RPC_BENCH'] === '1';
const batch = new Uint8Array(1024);

afterEach(stopAll);

async function timed(label: string, count: number, run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  const perSecond = Math.round(count / ((performance.now() - started) / 1000));
  console.log(`${label}: ${perSecond}/s`);
  return perSecond;
}

describe.runIf(enabled)('adapter throughput (1 KiB messages)', () => {
  it('unary, 1 and 64 in flight; bidi with a window of 1024', async () => {
    const { client } = await startService(BrokerService, {
      produce: async (req) => ({ partition: req.partition, baseOffset: 1n }),
      async *produceStream(requests) {
        for await (const r of requests) yield { correlationId: r.correlationId, result: { baseOffset: 1n } };
      },
    });
    for (let i = 0; i < 500; i++) await client.produce({ batch });

    const one = await timed('unary, 1 in flight', 3000, async () => {
      for (let i = 0; i < 3000; i++) await client.produce({ batch });
    });
    const many = await timed('unary, 64 in flight', 12_800, async () => {
      const lane = async () => {
        for (let i = 0; i < 200; i++) await client.produce({ batch });
      };
      await Promise.all(Array.from({ length: 64 }, lane));
    });
    const n = 50_000;
    const streamed = await timed('bidi, window 1024', n, async () => {
      const call = client.produceStream();
      let acked = 0;
      let wake: (() => void) | undefined;
      const reading = (async () => {
        for await (const _ of call.responses) {
          acked++;
          wake?.();
        }
      })();
      for (let i = 0; i < n; i++) {
        while (i - acked >= 1024) await new Promise<void>((r) => (wake = r));
        await call.send({ correlationId: BigInt(i), produce: { batch } });
      }
      call.end();
      await reading;
    });
    expect(Math.min(one, many, streamed)).toBeGreaterThan(100);
  }, 120_000);
});
