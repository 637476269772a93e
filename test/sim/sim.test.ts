import { describe, expect, it } from 'vitest';
import { defaultOptions, InvariantViolation, runSimulation, SimFailure, type SimOptions } from './index.js';

/**
 * The fixed seed set runs on every `npm test`; SIM_SEEDS=N (with SIM_TICKS=T) adds N random seeds
 * for long local runs. A failure message carries the command that replays it.
 */
const fixedTicks = 1000;
const fixed: SimOptions[] = [
  ...Array.from({ length: 130 }, (_, i) => defaultOptions(1000 + i, { nodes: 3, ticks: fixedTicks })),
  ...Array.from({ length: 90 }, (_, i) => defaultOptions(2000 + i, { nodes: 5, ticks: fixedTicks })),
];

function run(options: SimOptions): void {
  runSimulation(options);
}

describe('simulation: fixed seeds', () => {
  it.each(fixed.map((o) => [`seed ${o.seed}, ${o.nodes} nodes`, o] as const))('%s', (_, options) => {
    run(options);
  });
});

const randomCount = Number(process.env['SIM_SEEDS'] ?? '0');
const randomTicks = Number(process.env['SIM_TICKS'] ?? '600');
describe.runIf(randomCount > 0)('simulation: random seeds (SIM_SEEDS)', () => {
  const base = Math.floor(Math.random() * 1_000_000_000);
  it(`${randomCount} seeds from ${base}, ${randomTicks} ticks`, { timeout: 0 }, () => {
    for (let i = 0; i < randomCount; i++) {
      run(defaultOptions(base + i, { nodes: i % 2 === 0 ? 3 : 5, ticks: randomTicks }));
    }
  });
});

describe('simulation: determinism and failure reports', () => {
  it('replays a seed exactly: same trace hash and counters', () => {
    const a = runSimulation(defaultOptions(77, { nodes: 5, ticks: 200 }));
    const b = runSimulation(defaultOptions(77, { nodes: 5, ticks: 200 }));
    const c = runSimulation(defaultOptions(78, { nodes: 5, ticks: 200 }));
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.counters).toEqual(a.counters);
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it('catches a disk that forgets what it fsynced', () => {
    let caught: SimFailure | undefined;
    for (let seed = 1; seed <= 60 && caught === undefined; seed++) {
      try {
        runSimulation(defaultOptions(seed, { nodes: 3, ticks: 400, disk: 'amnesiac' }));
      } catch (error) {
        if (!(error instanceof SimFailure)) throw error;
        // A wiped disk may also just stall the group; the point is a safety checker firing.
        const liveness =
          error.failure instanceof InvariantViolation && error.failure.invariant === 'liveness';
        if (!liveness) caught = error;
      }
    }
    expect(caught?.failure).toBeInstanceOf(InvariantViolation);
    expect((caught?.failure as InvariantViolation).invariant).not.toBe('liveness');
  });

  it('reports a failure with its seed and the replay command', () => {
    const failure = new SimFailure(defaultOptions(42, { nodes: 5, ticks: 100 }), 17, new Error('boom'), []);
    expect(failure.message).toContain('seed 42');
    expect(failure.message).toContain('npm run sim -- --seed 42 --ticks 100 --nodes 5');
  });
});
