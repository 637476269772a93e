import type { Unavailability } from '../checker/types.js';
import type { PhaseEvent } from '../history/types.js';
import { escapeHtml } from './escape-html.js';
import type { Lane } from './lane.js';
import { px } from './svg-number.js';
import { formatDuration, formatMs, formatSeconds, timeTicks } from './time-axis.js';
import type { TimeFrame } from './time-frame.js';

export const timelineWidth = 1320;
export const timelineLeft = 150;
export const timelineRight = timelineWidth - 24;

const top = 30;
const headingHeight = 20;
const laneGap = 12;
const axisHeight = 34;

export interface TimelineParts {
  readonly frame: TimeFrame;
  readonly lanes: readonly Lane[];
  readonly unavailability: readonly Unavailability[];
  readonly phases: readonly PhaseEvent[];
}

/**
 * One SVG for every lane so they share the time axis exactly: gridlines, unavailability windows
 * and phase changes run across all of them.
 */
export function timelineSvg(parts: TimelineParts): string {
  const { frame, lanes } = parts;
  let y = top;
  const drawn = lanes.map((lane) => {
    const heading = `<text class="lane-title" x="8" y="${px(y + 14)}">${escapeHtml(lane.title)}</text>`;
    const body = lane.render(y + headingHeight);
    y += headingHeight + lane.height + laneGap;
    return heading + body;
  });
  const bottom = y - laneGap + 4;
  const height = bottom + axisHeight;
  return [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${timelineWidth}" height="${px(height)}" viewBox="0 0 ${timelineWidth} ${px(height)}" role="img" aria-label="timeline of the run">`,
    defs,
    verticalGrid(frame, bottom),
    parts.unavailability.map((u) => outage(u, frame, bottom)).join(''),
    drawn.join(''),
    phases(parts.phases, frame, bottom),
    timeAxis(frame, bottom),
    '</svg>',
  ].join('');
}

const defs =
  '<defs>' +
  '<pattern id="hatch-none" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
  '<rect width="6" height="6" fill="#f1f3f5"/><line x1="0" y1="0" x2="0" y2="6" stroke="#adb5bd" stroke-width="2"/></pattern>' +
  '<pattern id="hatch-down" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
  '<rect width="8" height="8" fill="#fff5f5"/><line x1="0" y1="0" x2="0" y2="8" stroke="#ffc9c9" stroke-width="3"/></pattern>' +
  '</defs>';

function verticalGrid(frame: TimeFrame, bottom: number): string {
  return timeTicks(frame.endMs / 1000, 14)
    .map((s) => {
      const x = px(frame.x(s * 1000));
      return `<line class="grid-x" x1="${x}" x2="${x}" y1="${top}" y2="${px(bottom)}"/>`;
    })
    .join('');
}

function outage(u: Unavailability, frame: TimeFrame, bottom: number): string {
  const x = frame.x(u.fromMs);
  const width = Math.max(1, frame.x(u.toMs) - x);
  const title = `no send acknowledged from ${formatMs(u.fromMs)} to ${formatMs(u.toMs)} (${formatDuration(u.toMs - u.fromMs)})`;
  return (
    `<rect class="unavailable" x="${px(x)}" y="${top}" width="${px(width)}" height="${px(bottom - top)}" ` +
    `fill="url(#hatch-down)"><title>${escapeHtml(title)}</title></rect>`
  );
}

/** Phase changes as dashed lines; a label that would overrun the previous one drops a line lower. */
function phases(events: readonly PhaseEvent[], frame: TimeFrame, bottom: number): string {
  const rowEnds = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  return [...events]
    .sort((a, b) => a.time - b.time)
    .map((p) => {
      const x = frame.x(p.time);
      const row = rowEnds.findIndex((end) => end < x);
      const y = row === 1 ? top - 6 : top - 18;
      const width = p.phase.length * 6.5 + 6;
      rowEnds[Math.max(0, row)] = x + width;
      // At the right edge the label goes to the left of its line, inside the picture.
      const label = x + width > timelineWidth ? `x="${px(x - 3)}" text-anchor="end"` : `x="${px(x + 3)}"`;
      return (
        `<line class="phase" x1="${px(x)}" x2="${px(x)}" y1="${px(y - 10)}" y2="${px(bottom)}"/>` +
        `<text class="phase-label" ${label} y="${px(y)}">${escapeHtml(p.phase)}</text>`
      );
    })
    .join('');
}

function timeAxis(frame: TimeFrame, bottom: number): string {
  const endS = frame.endMs / 1000;
  const ticks = timeTicks(endS, 14)
    .map((s) => {
      const x = px(frame.x(s * 1000));
      return (
        `<line class="tick-x" x1="${x}" x2="${x}" y1="${px(bottom)}" y2="${px(bottom + 5)}"/>` +
        `<text class="tick-x-label" x="${x}" y="${px(bottom + 18)}">${formatSeconds(s, endS)}</text>`
      );
    })
    .join('');
  const axis = `<line class="axis" x1="${px(frame.left)}" x2="${px(frame.right)}" y1="${px(bottom)}" y2="${px(bottom)}"/>`;
  const caption = `<text class="axis-title" x="8" y="${px(bottom + 18)}">time since start</text>`;
  return axis + ticks + caption;
}
