import type { SimClusterResult } from './cluster-simulation.js';

/** What a run exercised, one line per kind, and the failure with the events that led to it. */
export function formatClusterResult(r: SimClusterResult): string {
  const s = r.stats;
  const lines = [
    `seed ${r.options.seed}: ${r.failure === undefined ? 'OK' : 'FAILED'} (${s.steps} steps, ${s.simulatedMs} simulated ms, ${r.options.nodes} nodes, trace ${r.digest}, ${r.events} events)`,
    `  workload: ${s.topicsCreated} topics, ${s.produces} produces (${s.produceRetries} retries, ${s.produceErrors} errors), ${s.acks} acks (${s.duplicatesAnswered} answered as duplicates), ${s.fetches} fetches, ${s.hostileProduces} hostile batches sent, ${s.entrySegmentsRemoved} entry-file segments removed`,
    `  txn:      ${s.txnsCommitted} committed, ${s.txnsAborted} aborted, ${s.txnsUnknown} ended unknown, ${s.txnProduces} transactional produces, ${s.readCommittedFetches} read_committed fetches checked`,
    `  operator: ${s.leadershipTransfers} leadership transfers, ${s.replicaMoves} replica moves, ${s.topicsDeleted} topics deleted (${s.adminRefusals} operations refused or unanswered)`,
    `  faults:   ${s.crashes} crashes (${s.crashesWithUnsyncedKept} keeping a prefix of unsynced writes, ${s.unsyncedWritesLost} unsynced writes lost), ${s.restarts} restarts, ${s.wipes} disks wiped, ${s.partitions} partitions, ${s.asymmetricCuts} one-way cuts, ${s.lossyPeriods} lossy periods, ${s.heals} heals`,
    `  network:  ${s.packetsSent} packets sent, ${s.packetsDropped} dropped, ${s.packetsDuplicated} duplicated, ${s.packetsLost} lost to cuts or dead nodes, ${s.calls} node-to-node calls`,
    `  raft:     ${s.elections} elections, ${s.leaderChanges} leader changes, ${s.snapshotsInstalled} snapshots installed; ${s.checks} replica reads checked`,
  ];
  if (r.failure !== undefined) {
    lines.push(`  check failed: ${r.failure.check}: ${r.failure.detail} (at ${r.failure.atMs} ms)`);
    lines.push(`  replay: ${r.failure.replay}`);
    lines.push('  last events:');
    for (const e of r.failure.lastEvents) lines.push(`    ${e}`);
  }
  return lines.join('\n');
}
