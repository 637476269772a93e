import { describe, expect, it } from 'vitest';
import { BrokerViolation } from './broker-violation.js';
import { ReplicaChecker } from './replica-checker.js';
import { defaultSimClusterOptions, formatClusterResult, runClusterSimulation } from './index.js';

/** RAFTLOG_SIM_SEEDS=10000 runs that many seeds (see README); the default keeps npm test near a minute. */
const seeds = Number(process.env['RAFTLOG_SIM_SEEDS'] ?? 30);
const firstSeed = Number(process.env['RAFTLOG_SIM_FIRST_SEED'] ?? 1);

describe('whole-node simulation', () => {
  it('replays a seed exactly: the same trace digest twice', async () => {
    const options = { ...defaultSimClusterOptions, seed: 1, steps: 800 };
    const a = await runClusterSimulation(options);
    const b = await runClusterSimulation(options);
    expect(a.failure).toBeUndefined();
    expect(a.events).toBeGreaterThan(100);
    expect(b.digest).toBe(a.digest);
    expect(b.stats).toEqual(a.stats);
    const other = await runClusterSimulation({ ...options, seed: 2 });
    expect(other.digest).not.toBe(a.digest);
  });

  it(
    `keeps every broker invariant over ${seeds} seeds with crashes and network faults`,
    async () => {
      const failures: string[] = [];
      let acks = 0;
      let crashes = 0;
      for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
        const result = await runClusterSimulation({ ...defaultSimClusterOptions, seed });
        acks += result.stats.acks;
        crashes += result.stats.crashes;
        if (result.failure !== undefined) failures.push(formatClusterResult(result));
      }
      expect(failures).toEqual([]);
      expect(acks).toBeGreaterThan(seeds * 50);
      expect(crashes).toBeGreaterThan(0);
    },
    600_000 + seeds * 5_000,
  );

  it('runs 5 nodes', async () => {
    const result = await runClusterSimulation({ ...defaultSimClusterOptions, seed: 3, nodes: 5, steps: 800 });
    expect(result.failure, result.failure && formatClusterResult(result)).toBeUndefined();
    expect(result.stats.acks).toBeGreaterThan(50);
  });
});

describe('ReplicaChecker', () => {
  const a = { producerId: 1, sequence: 0, crc: 11 };
  const b = { producerId: 1, sequence: 1, crc: 12 };

  it('fails an offset acknowledged with two batches', () => {
    const checker = new ReplicaChecker();
    checker.noteAck('t/0', 0, a);
    expect(() => checker.noteAck('t/0', 0, b)).toThrow(BrokerViolation);
  });

  it('fails an acknowledged offset missing under the healed leader high watermark', () => {
    const checker = new ReplicaChecker();
    checker.noteAck('t/0', 3, a);
    expect(() => checker.checkAllAcknowledgedBelow('t/0', 3)).toThrow(/acknowledged write lost/);
    checker.checkAllAcknowledgedBelow('t/0', 4);
  });
});
