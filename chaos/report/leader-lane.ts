import { escapeHtml } from './escape-html.js';
import type { Lane } from './lane.js';
import type { LeaderRow, LeaderSegment } from './leader-rows.js';
import { nodeColor } from './palette.js';
import { px } from './svg-number.js';
import { formatMs } from './time-axis.js';
import type { TimeFrame } from './time-frame.js';

const rowHeight = 18;
const barHeight = 12;

/** A row per key: who led it when, gaps hatched where no leader was known, a tick at each change. */
export function leaderLane(rows: readonly LeaderRow[], frame: TimeFrame, omitted: number): Lane {
  return {
    title: laneTitle(rows.length, omitted),
    height: rows.length * rowHeight,
    render: (top) => rows.map((row, i) => renderRow(row, top + i * rowHeight, frame)).join(''),
  };
}

function laneTitle(drawn: number, omitted: number): string {
  if (drawn === 0) return 'Leaders (none observed)';
  return omitted > 0 ? `Leaders (first ${drawn} keys; ${omitted} more not drawn)` : 'Leaders per key';
}

function renderRow(row: LeaderRow, top: number, frame: TimeFrame): string {
  const barTop = top + (rowHeight - barHeight) / 2;
  const label = `<text class="row-label" x="${px(frame.left - 8)}" y="${px(top + rowHeight / 2 + 4)}">${escapeHtml(row.key)}</text>`;
  const segments = row.segments.map((s) => renderSegment(row.key, s, barTop, frame)).join('');
  // One path per row for all its change ticks: a storm makes thousands, each a few bytes.
  const ticks = row.changes.map((ms) => `M${px(frame.x(ms))} ${px(top + 1)}v${rowHeight - 2}`).join('');
  const changes = ticks === '' ? '' : `<path class="leader-change" d="${ticks}"/>`;
  return label + segments + changes;
}

function renderSegment(key: string, s: LeaderSegment, top: number, frame: TimeFrame): string {
  const x = frame.x(s.fromMs);
  const width = Math.max(1, frame.x(s.toMs) - x);
  const who = s.leader === 0 ? 'no leader' : `node ${s.leader} led`;
  // A sliver too thin to point at gets no tooltip: it would only add bytes.
  const title =
    width < 3
      ? ''
      : `<title>${escapeHtml(`${key}: ${who} from ${formatMs(s.fromMs)} to ${formatMs(s.toMs)}`)}</title>`;
  const geometry = `x="${px(x)}" y="${px(top)}" width="${px(width)}" height="${barHeight}"`;
  if (s.leader === 0) {
    return `<rect class="no-leader" ${geometry} fill="url(#hatch-none)">${title}</rect>`;
  }
  const label =
    width > 26
      ? `<text class="leader-label" x="${px(x + 3)}" y="${px(top + barHeight - 2.5)}">n${s.leader}</text>`
      : '';
  return (
    `<rect class="leader" data-leader="${s.leader}" ${geometry} fill="${nodeColor(s.leader)}">` +
    `${title}</rect>${label}`
  );
}
