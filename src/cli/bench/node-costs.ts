import { RaftlogError } from '../../../lib/index.js';
import type { CliSession } from '../cli-context.js';
import { parseExposition, sumOf, type Sample } from './exposition.js';
import { formatMs, formatTable, type Column } from './percentile-table.js';

/** A node's Prometheus endpoint, as the cluster reports it. */
export interface NodeMeter {
  readonly nodeId: number;
  readonly url: string;
}

/** One node's counters at one moment. */
export interface NodeReading {
  readonly nodeId: number;
  readonly cpuSeconds: number;
  readonly gcPauses: number;
  readonly gcSeconds: number;
  /** Pauses of at most 2 and 5 ms (histogram buckets); undefined when the node keeps no such bucket. */
  readonly gcPausesUpTo2Ms: number | undefined;
  readonly gcPausesUpTo5Ms: number | undefined;
}

/** What a bench's records cost one node between two readings. */
export interface NodeCost {
  readonly nodeId: number;
  readonly cpuMsPerRecord: number;
  readonly gcMsPerRecord: number;
  readonly gcPauses: number;
  readonly gcPausesOver2Ms: number | null;
  readonly gcPausesOver5Ms: number | null;
}

const scrapeTimeoutMs = 5_000;
const gcMetric = 'nodejs_gc_duration_seconds';

/**
 * Every live node's endpoint. Each node names only its own, so one that serves none and one that did
 * not answer look alike here; either makes the question unanswerable.
 */
export async function nodeMeters(session: CliSession): Promise<NodeMeter[]> {
  const status = await session.admin.clusterStatus();
  const live = status.nodes.filter((n) => n.alive);
  const silent = live.filter((n) => n.metricsUrl === '').map((n) => n.id);
  if (silent.length > 0) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `--node-stats reads each node's metrics, and node(s) ${silent.join(', ')} named no metrics endpoint: ` +
        'they serve none (see RAFTLOG_METRICS_LISTEN) or did not answer',
    );
  }
  return live.map((n) => ({ nodeId: n.id, url: n.metricsUrl }));
}

/** Scrapes every node at once. */
export async function readNodes(meters: readonly NodeMeter[]): Promise<NodeReading[]> {
  return Promise.all(
    meters.map(async ({ nodeId, url }) => {
      const response = await fetch(url, { signal: AbortSignal.timeout(scrapeTimeoutMs) }).catch(
        (error: unknown) => {
          throw new RaftlogError('UNAVAILABLE', `node ${nodeId}'s metrics at ${url}: ${String(error)}`);
        },
      );
      if (!response.ok) {
        throw new RaftlogError(
          'UNAVAILABLE',
          `node ${nodeId}'s metrics at ${url} answered ${response.status}`,
        );
      }
      return readingOf(nodeId, parseExposition(await response.text()));
    }),
  );
}

export function readingOf(nodeId: number, samples: readonly Sample[]): NodeReading {
  const bucket = (le: string): number | undefined =>
    samples.some((s) => s.name === `${gcMetric}_bucket` && s.labels['le'] === le)
      ? sumOf(samples, `${gcMetric}_bucket`, { le })
      : undefined;
  return {
    nodeId,
    cpuSeconds: sumOf(samples, 'process_cpu_seconds_total'),
    gcPauses: sumOf(samples, `${gcMetric}_count`),
    gcSeconds: sumOf(samples, `${gcMetric}_sum`),
    gcPausesUpTo2Ms: bucket('0.002'),
    gcPausesUpTo5Ms: bucket('0.005'),
  };
}

/** Per node present in both readings: the difference, per record where it is a rate. */
export function nodeCosts(
  before: readonly NodeReading[],
  after: readonly NodeReading[],
  records: number,
): NodeCost[] {
  const perRecord = (seconds: number): number =>
    records > 0 ? Number(((seconds * 1000) / records).toPrecision(4)) : 0;
  return after.flatMap((a) => {
    const b = before.find((r) => r.nodeId === a.nodeId);
    if (b === undefined) return [];
    const pauses = a.gcPauses - b.gcPauses;
    const over = (upTo: (r: NodeReading) => number | undefined): number | null => {
      const [x, y] = [upTo(a), upTo(b)];
      return x === undefined || y === undefined ? null : pauses - (x - y);
    };
    return [
      {
        nodeId: a.nodeId,
        cpuMsPerRecord: perRecord(a.cpuSeconds - b.cpuSeconds),
        gcMsPerRecord: perRecord(a.gcSeconds - b.gcSeconds),
        gcPauses: pauses,
        gcPausesOver2Ms: over((r) => r.gcPausesUpTo2Ms),
        gcPausesOver5Ms: over((r) => r.gcPausesUpTo5Ms),
      },
    ];
  });
}

export function nodeCostTable(costs: readonly NodeCost[]): string {
  const count = (n: number | null): string => (n === null ? '-' : n.toString());
  const columns: Column<NodeCost>[] = [
    { header: 'node', cell: (c) => c.nodeId.toString() },
    { header: 'CPU ms/record', cell: (c) => formatMs(c.cpuMsPerRecord) },
    { header: 'GC ms/record', cell: (c) => formatMs(c.gcMsPerRecord) },
    { header: 'GC pauses', cell: (c) => c.gcPauses.toString() },
    { header: '> 2 ms', cell: (c) => count(c.gcPausesOver2Ms) },
    { header: '> 5 ms', cell: (c) => count(c.gcPausesOver5Ms) },
  ];
  return formatTable(columns, costs);
}
