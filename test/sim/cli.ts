import { parseArgs } from 'node:util';
import { featureNames, defaultOptions, type SimFeatures, type SimOptions } from './sim-options.js';
import { SimFailure, runSimulation, type SimResult } from './simulation.js';
import { formatSummary } from './summary.js';

const usage = `usage: npm run sim -- [--seed S | --seeds A..B | --random N] [--ticks T] [--nodes 3|5|3,5]
                   [--without ${featureNames.join(',')}] [--trace]
  --seed S      run one seed and print what it exercised (replays a failure exactly)
  --seeds A..B  run every seed from A to B inclusive
  --random N    run N seeds from a random starting seed (printed, so any failure replays)
  --nodes       cluster size; "3,5" runs every seed at both sizes
  --trace       print every event of the run`;

interface Plan {
  seeds: number[];
  sizes: number[];
  overrides: Partial<SimOptions>;
}

function parsePlan(argv: string[]): Plan {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      seeds: { type: 'string' },
      random: { type: 'string' },
      ticks: { type: 'string' },
      nodes: { type: 'string', default: '3' },
      without: { type: 'string', default: '' },
      trace: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) exit(usage, 0);
  const features = parseFeatures(values.without);
  const overrides: Partial<SimOptions> = { features, verbose: values.trace };
  if (values.ticks !== undefined) overrides.ticks = parseInteger(values.ticks, '--ticks');
  const sizes = values.nodes.split(',').map((s) => parseInteger(s, '--nodes'));
  if (sizes.some((n) => n < 1 || n > 7)) exit('--nodes must be between 1 and 7', 2);
  return { seeds: parseSeeds(values), sizes, overrides };
}

function parseSeeds(values: { seed?: string; seeds?: string; random?: string }): number[] {
  if (values.seed !== undefined) return [parseInteger(values.seed, '--seed')];
  if (values.seeds !== undefined) {
    const match = /^(\d+)\.\.(\d+)$/.exec(values.seeds);
    if (match === null) exit('--seeds takes a range A..B', 2);
    const [from, to] = [Number(match[1]), Number(match[2])];
    if (to < from) exit('--seeds: B must not be below A', 2);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  if (values.random !== undefined) {
    const count = parseInteger(values.random, '--random');
    const base = Math.floor(Math.random() * 1_000_000_000);
    console.log(`random seeds ${base}..${base + count - 1}`);
    return Array.from({ length: count }, (_, i) => base + i);
  }
  exit(usage, 2);
}

function parseFeatures(without: string): SimFeatures {
  const features = Object.fromEntries(featureNames.map((f) => [f, true])) as unknown as SimFeatures;
  for (const name of without.split(',').filter((s) => s !== '')) {
    if (!featureNames.includes(name as keyof SimFeatures)) exit(`unknown feature "${name}"`, 2);
    features[name as keyof SimFeatures] = false;
  }
  return features;
}

function parseInteger(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) exit(`${what} takes a non-negative integer`, 2);
  return value;
}

function exit(message: string, code: number): never {
  (code === 0 ? console.log : console.error)(message);
  process.exit(code);
}

function main(): void {
  const plan = parsePlan(process.argv.slice(2));
  const single = plan.seeds.length === 1 && plan.sizes.length === 1;
  const started = performance.now();
  const results: SimResult[] = [];
  const failures: SimFailure[] = [];
  for (const seed of plan.seeds) {
    for (const nodes of plan.sizes) {
      try {
        const result = runSimulation(defaultOptions(seed, { ...plan.overrides, nodes }));
        results.push(result);
        if (single) console.log(formatSummary(result));
      } catch (error) {
        if (!(error instanceof SimFailure)) throw error;
        failures.push(error);
        console.error(`\n${error.message}`);
        if (single) console.error(`last events:\n  ${error.recentEvents.join('\n  ')}`);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (!single) console.log(rangeReport(results, failures.length, seconds));
  process.exitCode = failures.length > 0 ? 1 : 0;
}

function rangeReport(results: SimResult[], failed: number, seconds: number): string {
  const leaderTicks = results.map((r) => r.ticksToLeaderAfterHeal).sort((a, b) => a - b);
  const convergeTicks = results.map((r) => r.ticksToConvergeAfterHeal).sort((a, b) => a - b);
  const pct = (xs: number[], p: number): number =>
    xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
  const totals = new Map<string, number>();
  for (const r of results) for (const [k, v] of r.counters) totals.set(k, (totals.get(k) ?? 0) + v);
  const lines = [
    `${results.length} passed, ${failed} failed in ${seconds.toFixed(1)} s`,
    `ticks to a stable leader after healing: p50 ${pct(leaderTicks, 0.5)} p99 ${pct(leaderTicks, 0.99)} ` +
      `max ${leaderTicks.at(-1) ?? 0}; to converge: p50 ${pct(convergeTicks, 0.5)} p99 ` +
      `${pct(convergeTicks, 0.99)} max ${convergeTicks.at(-1) ?? 0}`,
    'totals:',
    ...[...totals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `  ${k}: ${v}`),
  ];
  return lines.join('\n');
}

main();
