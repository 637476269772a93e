import type { FaultKind } from '../history/types.js';
import type { FaultSpan } from './fault-spans.js';

/** A span placed on a row; several faults closer than a pixel are drawn as one with their count. */
export interface PlacedSpan {
  readonly kind: FaultKind;
  readonly description: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly healed: boolean;
  readonly count: number;
  /** Overlapping faults on one row stack in tracks. */
  readonly track: number;
}

export interface FaultRow {
  readonly label: string;
  readonly tracks: number;
  readonly spans: readonly PlacedSpan[];
}

type Unplaced = Omit<PlacedSpan, 'track'>;

/** A fault on no node in particular, or on all of them, belongs to the cluster row. */
function isClusterWide(span: FaultSpan, clusterSize: number): boolean {
  if (span.nodes.length === 0) return true;
  for (let id = 1; id <= clusterSize; id++) if (!span.nodes.includes(id)) return false;
  return true;
}

/**
 * One row per node (every node of the cluster, faulted or not, so a quiet node shows as quiet) and a
 * cluster row when cluster-wide faults happened. `msPerPx` bounds the drawing for long runs: faults
 * of one kind less than a pixel apart merge, so a row never holds more rects than it has pixels.
 */
export function faultRows(
  spans: readonly FaultSpan[],
  nodeIds: readonly number[],
  clusterSize: number,
  msPerPx: number,
): FaultRow[] {
  const byNode = new Map<number, FaultSpan[]>(nodeIds.map((id) => [id, []]));
  const cluster: FaultSpan[] = [];
  for (const span of spans) {
    if (isClusterWide(span, clusterSize)) cluster.push(span);
    else for (const id of span.nodes) byNode.get(id)?.push(span);
  }
  const rows = [...byNode].map(([id, list]) => row(`node ${id}`, list, msPerPx));
  if (cluster.length > 0) rows.push(row('cluster', cluster, msPerPx));
  return rows;
}

function row(label: string, spans: readonly FaultSpan[], msPerPx: number): FaultRow {
  const placed = pack(coalesce(spans, msPerPx), msPerPx);
  const tracks = placed.reduce((n, s) => Math.max(n, s.track + 1), 1);
  return { label, tracks, spans: placed };
}

function coalesce(spans: readonly FaultSpan[], msPerPx: number): Unplaced[] {
  const merged: Unplaced[] = [];
  const lastOfKind = new Map<FaultKind, number>();
  for (const s of [...spans].sort((a, b) => a.startMs - b.startMs)) {
    const at = lastOfKind.get(s.kind);
    const prev = at === undefined ? undefined : merged[at];
    if (prev !== undefined && at !== undefined && s.startMs - prev.endMs < msPerPx) {
      merged[at] = {
        ...prev,
        endMs: Math.max(prev.endMs, s.endMs),
        healed: prev.healed && s.healed,
        count: prev.count + 1,
      };
      continue;
    }
    lastOfKind.set(s.kind, merged.length);
    merged.push({ ...s, count: 1 });
  }
  return merged;
}

/** First-fit into tracks, leaving a pixel between neighbours so their edges stay apart. */
function pack(spans: readonly Unplaced[], msPerPx: number): PlacedSpan[] {
  const trackEnds: number[] = [];
  return [...spans]
    .sort((a, b) => a.startMs - b.startMs)
    .map((s) => {
      let track = trackEnds.findIndex((end) => end <= s.startMs);
      if (track < 0) track = trackEnds.length;
      trackEnds[track] = s.endMs + msPerPx;
      return { ...s, track };
    });
}
