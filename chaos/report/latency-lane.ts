import type { Lane } from './lane.js';
import { seriesColors } from './palette.js';
import { latencyScale, type Scale } from './scales.js';
import type { SecondBucket } from './second-buckets.js';
import { px } from './svg-number.js';
import type { TimeFrame } from './time-frame.js';
import { yAxis } from './y-axis.js';

const height = 130;

type Quantile = 'p50' | 'p99';

/** Acknowledged sends' latency per second; a line breaks where no send was acknowledged. */
export function latencyLane(buckets: readonly SecondBucket[], frame: TimeFrame): Lane {
  const values = buckets.flatMap((b) => [b.p50 ?? 0, b.p99 ?? 0]);
  const log = latencyScale(values, [0, 1]).log;
  return {
    title: `Send latency (ms, p50 and p99 of acknowledged sends${log ? ', log scale' : ''})`,
    height,
    render: (top) => {
      const y = latencyScale(values, [top + height - 4, top + 8]);
      const lines = (['p99', 'p50'] as const).map((q) => runs(buckets, q, y, frame)).join('');
      return yAxis(y, frame) + lines;
    },
  };
}

function runs(buckets: readonly SecondBucket[], q: Quantile, y: Scale, frame: TimeFrame): string {
  const out: string[] = [];
  let points: string[] = [];
  const flush = (): void => {
    if (points.length === 1) {
      const [cx, cy] = (points[0] ?? '0,0').split(',');
      out.push(`<circle class="latency ${q}" cx="${cx}" cy="${cy}" r="1.8" fill="${seriesColors[q]}"/>`);
    } else if (points.length > 1) {
      out.push(`<polyline class="latency ${q}" points="${points.join(' ')}" stroke="${seriesColors[q]}"/>`);
    }
    points = [];
  };
  for (const b of buckets) {
    const v = b[q];
    if (v === undefined) {
      flush();
      continue;
    }
    points.push(`${px(frame.x(((b.fromS + b.toS) / 2) * 1000))},${px(y.at(v))}`);
  }
  flush();
  return out.join('');
}
