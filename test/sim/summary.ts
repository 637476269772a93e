import type { SimResult } from './simulation.js';

/** A human-readable account of one run: what was exercised, and where every node ended. */
export function formatSummary(result: SimResult): string {
  const lines = [
    `seed ${result.seed}: ${result.nodes} nodes, ${result.ticks} ticks, trace ${result.traceHash}`,
    `after healing: stable leader in ${result.ticksToLeaderAfterHeal} ticks, ` +
      `all members caught up in ${result.ticksToConvergeAfterHeal} ticks`,
    '',
  ];
  const width = Math.max(...result.counters.map(([name]) => name.length));
  for (const [name, value] of result.counters) lines.push(`  ${name.padEnd(width)}  ${value}`);
  lines.push('', 'final state:');
  const cs = result.finalConf;
  if (cs !== undefined) {
    lines.push(`  voters [${cs.voters.join(', ')}] learners [${cs.learners.join(', ')}]`);
  }
  for (const n of result.finalNodes) {
    lines.push(
      `  n${n.id} ${n.state.padEnd(7)} ${n.role.padEnd(13)} term ${n.term} commit ${n.commit} ` +
        `applied ${n.applied} last ${n.lastIndex}`,
    );
  }
  return lines.join('\n');
}
