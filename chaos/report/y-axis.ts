import type { Scale } from './scales.js';
import { px } from './svg-number.js';
import type { TimeFrame } from './time-frame.js';

/** Horizontal gridlines at a scale's ticks, labelled in the left gutter. */
export function yAxis(scale: Scale, frame: TimeFrame): string {
  return scale.ticks
    .map((v) => {
      const y = px(scale.at(v));
      return (
        `<line class="grid-y" x1="${px(frame.left)}" x2="${px(frame.right)}" y1="${y}" y2="${y}"/>` +
        `<text class="tick-y" x="${px(frame.left - 6)}" y="${px(scale.at(v) + 4)}">${scale.label(v)}</text>`
      );
    })
    .join('');
}
