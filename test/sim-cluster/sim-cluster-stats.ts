/** What one run exercised, printed by the CLI and digested with the history. */
export interface SimClusterStats {
  steps: number;
  simulatedMs: number;
  packetsSent: number;
  packetsDropped: number;
  packetsDuplicated: number;
  packetsLost: number;
  calls: number;
  partitions: number;
  asymmetricCuts: number;
  lossyPeriods: number;
  heals: number;
  crashes: number;
  crashesWithUnsyncedKept: number;
  unsyncedWritesLost: number;
  restarts: number;
  /** Crashed nodes whose data directory was lost as well. */
  wipes: number;
  topicsCreated: number;
  produces: number;
  produceRetries: number;
  acks: number;
  duplicatesAnswered: number;
  produceErrors: number;
  /** Hostile batches sent (each must be refused). */
  hostileProduces: number;
  /** Entry-file segments the nodes removed. */
  entrySegmentsRemoved: number;
  fetches: number;
  /** Transactions whose producer heard them committed, aborted, or neither (a refused end). */
  txnsCommitted: number;
  txnsAborted: number;
  txnsUnknown: number;
  txnProduces: number;
  readCommittedFetches: number;
  leadershipTransfers: number;
  replicaMoves: number;
  topicsDeleted: number;
  /** Admin operations refused or unanswered (the cluster must stay correct either way). */
  adminRefusals: number;
  elections: number;
  leaderChanges: number;
  snapshotsInstalled: number;
  checks: number;
}

export function emptyStats(): SimClusterStats {
  return {
    steps: 0,
    simulatedMs: 0,
    packetsSent: 0,
    packetsDropped: 0,
    packetsDuplicated: 0,
    packetsLost: 0,
    calls: 0,
    partitions: 0,
    asymmetricCuts: 0,
    lossyPeriods: 0,
    heals: 0,
    crashes: 0,
    crashesWithUnsyncedKept: 0,
    unsyncedWritesLost: 0,
    restarts: 0,
    wipes: 0,
    topicsCreated: 0,
    produces: 0,
    produceRetries: 0,
    acks: 0,
    duplicatesAnswered: 0,
    produceErrors: 0,
    hostileProduces: 0,
    entrySegmentsRemoved: 0,
    fetches: 0,
    txnsCommitted: 0,
    txnsAborted: 0,
    txnsUnknown: 0,
    txnProduces: 0,
    readCommittedFetches: 0,
    leadershipTransfers: 0,
    replicaMoves: 0,
    topicsDeleted: 0,
    adminRefusals: 0,
    elections: 0,
    leaderChanges: 0,
    snapshotsInstalled: 0,
    checks: 0,
  };
}
