import type { HistoryEvent, PhaseEvent } from '../history/types.js';
import { anomaliesSection } from './anomalies-section.js';
import { escapeHtml } from './escape-html.js';
import { failoversSection } from './failovers-section.js';
import { faultLane } from './fault-lane.js';
import { faultRows } from './fault-rows.js';
import { faultSpans, type FaultSpan } from './fault-spans.js';
import { headerSection } from './header-section.js';
import { latencyLane } from './latency-lane.js';
import { leaderLane } from './leader-lane.js';
import { leaderRows, type LeaderLimits, type LeaderRow } from './leader-rows.js';
import { legend } from './legend.js';
import { reportCss } from './report-css.js';
import { secondBuckets } from './second-buckets.js';
import { throughputLane } from './throughput-lane.js';
import { timeFrame, runEndMs } from './time-frame.js';
import { timelineLeft, timelineRight, timelineSvg } from './timeline-svg.js';
import type { ReportInput } from './types.js';

/**
 * Bounds that keep a report of a long run small: the plot is about 1150 pixels wide, so more points
 * than these would not be seen anyway.
 */
export interface RenderLimits {
  /** Points of the throughput and latency series. */
  readonly maxPoints: number;
  readonly leaders: LeaderLimits;
}

export const defaultLimits: RenderLimits = {
  maxPoints: 1500,
  leaders: { maxKeys: 32, maxSegments: 600, totalSegments: 6000 },
};

/** Every node the run touched: the configured ones, and any added, faulted or leading. */
function nodeIds(nodes: number, spans: readonly FaultSpan[], leaders: readonly LeaderRow[]): number[] {
  const ids = new Set<number>();
  for (let id = 1; id <= nodes; id++) ids.add(id);
  for (const s of spans) for (const id of s.nodes) ids.add(id);
  for (const row of leaders) for (const s of row.segments) if (s.leader !== 0) ids.add(s.leader);
  return [...ids].sort((a, b) => a - b);
}

function leadersSeen(rows: readonly LeaderRow[]): number[] {
  const ids = new Set(rows.flatMap((r) => r.segments.map((s) => s.leader)).filter((id) => id !== 0));
  return [...ids].sort((a, b) => a - b);
}

function timeline(input: ReportInput, endMs: number, limits: RenderLimits): string {
  const frame = timeFrame(endMs, timelineLeft, timelineRight);
  const spans = faultSpans(input.history, endMs);
  const { rows: leaders, omitted } = leaderRows(input.history, endMs, limits.leaders);
  const buckets = secondBuckets(input.result.timeline, limits.maxPoints);
  const svg = timelineSvg({
    frame,
    lanes: [
      faultLane(faultRows(spans, nodeIds(input.nodes, spans, leaders), input.nodes, frame.msPerPx), frame),
      leaderLane(leaders, frame, omitted),
      throughputLane(buckets, frame),
      latencyLane(buckets, frame),
    ],
    unavailability: input.result.unavailability,
    phases: input.history.filter((e: HistoryEvent): e is PhaseEvent => e.f === 'phase'),
  });
  const kinds = [...new Set(spans.map((s) => s.kind))];
  return `<section><h2>Timeline</h2><div class="plot">${svg}${legend(kinds, leadersSeen(leaders))}</div></section>`;
}

/** The whole report as one HTML document: inline CSS and SVG, no script, nothing fetched. */
export function renderReport(input: ReportInput, limits: RenderLimits = defaultLimits): string {
  const endMs = runEndMs(input);
  const verdict = input.result.valid ? 'VALID' : 'INVALID';
  const title = `raftlog chaos: ${verdict}, ${input.scenario}, seed ${input.seed}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${reportCss}</style></head><body><main>`,
    headerSection(input, endMs),
    timeline(input, endMs, limits),
    anomaliesSection(input.result, input.history),
    failoversSection(input.result, input.history),
    `<p class="hint">${input.history.length} events in the history.</p>`,
    '</main></body></html>\n',
  ].join('\n');
}
