import { parseArgs } from 'node:util';
import { defaultSimClusterOptions, formatClusterResult, runClusterSimulation } from './index.js';

/**
 * npm run sim:cluster -- --seed S --steps N [--nodes 5] [--no-faults] [--no-admin] [--churn] [--txn] [--upgrade] [--seeds K]: replays one seed
 * (or K seeds from S) and prints what each run exercised; exits 1 when a check failed.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      steps: { type: 'string', default: String(defaultSimClusterOptions.steps) },
      nodes: { type: 'string', default: String(defaultSimClusterOptions.nodes) },
      seeds: { type: 'string', default: '1' },
      'no-faults': { type: 'boolean', default: false },
      'no-admin': { type: 'boolean', default: false },
      churn: { type: 'boolean', default: false },
      txn: { type: 'boolean', default: false },
      upgrade: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
    },
  });
  const first = Number(values.seed);
  const count = Number(values.seeds);
  let failed = 0;
  const started = performance.now();
  for (let seed = first; seed < first + count; seed++) {
    const result = await runClusterSimulation({
      ...defaultSimClusterOptions,
      seed,
      steps: Number(values.steps),
      nodes: Number(values.nodes),
      faults: !values['no-faults'],
      admin: !values['no-admin'],
      churn: values.churn,
      transactions: values.txn,
      upgrade: values.upgrade,
    });
    if (count === 1 || result.failure !== undefined) process.stdout.write(formatClusterResult(result) + '\n');
    if (result.failure !== undefined) failed++;
    if (values.trace) process.stdout.write(result.lastEvents.join('\n') + '\n');
    const done = seed - first + 1;
    if (count > 1 && done % 100 === 0)
      process.stdout.write(
        `${done} seeds, ${failed} failed, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
      );
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `${count - failed} passed, ${failed} failed (${count} seeds from ${first}, ${seconds} s)\n`,
  );
  process.exitCode = failed > 0 ? 1 : 0;
}

void main();
