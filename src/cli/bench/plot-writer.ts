import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { RaftlogError } from '../../../lib/index.js';
import type { TimelinePoint } from './latency-timeline.js';

/** One chart: a run's latency percentiles, second by second. */
export interface PlotPanel {
  readonly title: string;
  readonly points: readonly TimelinePoint[];
}

const panelWidthPx = 760;
const panelHeightPx = 260;
const margin = { left: 56, right: 110, top: 28, bottom: 34 } as const;
const series = [
  { name: 'p50', color: '#1f77b4', pick: (p: TimelinePoint) => p.p50Ms },
  { name: 'p90', color: '#2ca02c', pick: (p: TimelinePoint) => p.p90Ms },
  { name: 'p99', color: '#ff7f0e', pick: (p: TimelinePoint) => p.p99Ms },
  { name: 'p99.9', color: '#d62728', pick: (p: TimelinePoint) => p.p999Ms },
  { name: 'max', color: '#7f7f7f', pick: (p: TimelinePoint) => p.maxMs },
] as const;

/** Writes the panels as a self-contained .svg or .html file: no script, no external resource. */
export function writePlot(file: string, panels: readonly PlotPanel[]): void {
  const kind = extname(file).toLowerCase();
  if (kind !== '.svg' && kind !== '.html') {
    throw new RaftlogError('INVALID_ARGUMENT', `--plot writes .svg or .html, not "${file}"`);
  }
  const svg = renderSvg(panels);
  writeFileSync(file, kind === '.svg' ? svg : renderHtml(svg));
}

export function renderHtml(svg: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>raftlog bench: latency over time</title></head>',
    '<body style="font-family: sans-serif">',
    svg,
    '</body></html>',
    '',
  ].join('\n');
}

/** Panels stacked vertically; the latency axis is logarithmic so p50 and max both stay readable. */
export function renderSvg(panels: readonly PlotPanel[]): string {
  const height = Math.max(1, panels.length) * panelHeightPx;
  const body = panels.map((panel, i) => renderPanel(panel, i * panelHeightPx)).join('\n');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${panelWidthPx}" height="${height}" ` +
    `viewBox="0 0 ${panelWidthPx} ${height}" font-family="sans-serif" font-size="11">\n${body}\n</svg>\n`
  );
}

interface Frame {
  readonly top: number;
  readonly seconds: number;
  readonly logMin: number;
  readonly logMax: number;
}

function renderPanel(panel: PlotPanel, top: number): string {
  const frame = frameOf(panel.points, top);
  const title = `<text x="${margin.left}" y="${top + 16}" font-size="13">${escapeXml(panel.title)}</text>`;
  const lines = series.map((s) => polyline(frame, panel.points, s.pick, s.color, s.name));
  const legend = series.map(
    (s, i) =>
      `<text x="${panelWidthPx - margin.right + 12}" y="${top + margin.top + 14 + i * 15}" fill="${s.color}">` +
      `${s.name}</text>`,
  );
  return [`<g>`, title, ...axes(frame), ...lines, ...legend, `</g>`].join('\n');
}

function frameOf(points: readonly TimelinePoint[], top: number): Frame {
  const values = points.flatMap((p) => series.map((s) => s.pick(p))).filter((v) => v > 0);
  const low = values.length === 0 ? 0.1 : Math.min(...values);
  const high = values.length === 0 ? 10 : Math.max(...values);
  const logMin = Math.floor(Math.log10(low));
  const logMax = Math.max(logMin + 1, Math.ceil(Math.log10(high)));
  return { top, seconds: Math.max(1, points.length), logMin, logMax };
}

const plotWidth = panelWidthPx - margin.left - margin.right;
const plotHeight = panelHeightPx - margin.top - margin.bottom;

function xOf(frame: Frame, second: number): number {
  return margin.left + ((second + 0.5) / frame.seconds) * plotWidth;
}

function yOf(frame: Frame, ms: number): number {
  const log = Math.log10(Math.max(ms, 10 ** frame.logMin));
  const share = (log - frame.logMin) / (frame.logMax - frame.logMin);
  return frame.top + margin.top + (1 - share) * plotHeight;
}

function axes(frame: Frame): string[] {
  const bottom = frame.top + margin.top + plotHeight;
  const out = [
    `<rect x="${margin.left}" y="${frame.top + margin.top}" width="${plotWidth}" height="${plotHeight}" ` +
      `fill="none" stroke="#999"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${bottom + 28}" text-anchor="middle">seconds</text>`,
    `<text x="12" y="${frame.top + margin.top + plotHeight / 2}" transform="rotate(-90 12 ` +
      `${frame.top + margin.top + plotHeight / 2})" text-anchor="middle">latency ms (log)</text>`,
  ];
  for (let e = frame.logMin; e <= frame.logMax; e++) {
    const y = yOf(frame, 10 ** e).toFixed(1);
    out.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dy="4">${formatTick(10 ** e)}</text>`);
  }
  const step = Math.max(1, Math.ceil(frame.seconds / 10));
  for (let s = 0; s < frame.seconds; s += step) {
    out.push(`<text x="${xOf(frame, s).toFixed(1)}" y="${bottom + 14}" text-anchor="middle">${s}</text>`);
  }
  return out;
}

function polyline(
  frame: Frame,
  points: readonly TimelinePoint[],
  pick: (p: TimelinePoint) => number,
  color: string,
  name: string,
): string {
  const coords = points
    .filter((p) => p.count > 0)
    .map((p) => `${xOf(frame, p.second).toFixed(1)},${yOf(frame, pick(p)).toFixed(1)}`);
  return (
    `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${coords.join(' ')}">` +
    `<title>${name}</title></polyline>`
  );
}

function formatTick(ms: number): string {
  return ms >= 1 ? ms.toFixed(0) : ms.toString();
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
