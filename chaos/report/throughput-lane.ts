import type { Lane } from './lane.js';
import { seriesColors } from './palette.js';
import { linearScale } from './scales.js';
import type { SecondBucket } from './second-buckets.js';
import { px } from './svg-number.js';
import type { TimeFrame } from './time-frame.js';
import { yAxis } from './y-axis.js';

const height = 130;

type Series = 'ok' | 'info' | 'fail';
/** Bottom to top: what succeeded, what is unknown, what failed. */
const stack: readonly Series[] = ['ok', 'info', 'fail'];

/** Completions per second, stacked, one point per bucket at its middle. */
export function throughputLane(buckets: readonly SecondBucket[], frame: TimeFrame): Lane {
  return {
    title: 'Throughput (completed operations per second: ok, info, fail stacked)',
    height,
    render: (top) => {
      const max = buckets.reduce((n, b) => Math.max(n, b.ok + b.info + b.fail), 0);
      const y = linearScale(max, [top + height - 4, top + 8]);
      const xs = buckets.map((b) => px(frame.x(((b.fromS + b.toS) / 2) * 1000)));
      let below = buckets.map(() => 0);
      const areas = stack.map((series) => {
        const above = buckets.map((b, i) => (below[i] ?? 0) + b[series]);
        const area = polygon(series, xs, above, below, y.at);
        below = above;
        return area;
      });
      return yAxis(y, frame) + areas.join('');
    },
  };
}

function polygon(
  series: Series,
  xs: readonly string[],
  upper: readonly number[],
  lower: readonly number[],
  at: (v: number) => number,
): string {
  if (xs.length === 0 || upper.every((v, i) => v === lower[i])) return '';
  const forward = xs.map((x, i) => `${x},${px(at(upper[i] ?? 0))}`);
  const back = xs.map((x, i) => `${x},${px(at(lower[i] ?? 0))}`).reverse();
  const color = seriesColors[series];
  return `<polygon class="throughput ${series}" points="${[...forward, ...back].join(' ')}" fill="${color}"/>`;
}
